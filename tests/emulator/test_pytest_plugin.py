"""The pytest plugin, as another project sees it: a throw-away directory with one test file and no
conftest, run by a separate pytest process. The fixtures come from the ``pytest11`` entry point of
the installed package alone.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

THROWAWAY_TESTS = """
import threading

import pytest
import requests

DOC_SERVER = "dbf93607-f105-4e86-842c-02ae504efe36"


def token(credentials):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": credentials["OS_USERNAME"],
        "domain": {"name": credentials["OS_USER_DOMAIN_NAME"]},
        "password": credentials["OS_PASSWORD"]}}},
        "scope": {"project": {"id": credentials["OS_PROJECT_ID"]}}}}
    response = requests.post(credentials["OS_AUTH_URL"] + "/auth/tokens", json=body, timeout=5)
    assert response.status_code == 201
    return response.headers["X-Subject-Token"]


def server_names(compute_url, project_id, credentials):
    response = requests.get(
        f"{compute_url}/v2/{project_id}/servers",
        headers={"X-Auth-Token": token(credentials)},
        timeout=5,
    )
    return sorted(server["name"] for server in response.json()["servers"])


def test_plain_test_starts_no_emulator():
    assert not [t for t in threading.enumerate() if t.name.startswith("fjcloud-emulator")]


def test_thread_server_and_its_credentials(fjcloud_emulator, fjcloud_credentials):
    assert fjcloud_credentials["OS_AUTH_URL"] == fjcloud_emulator.auth_url
    assert fjcloud_emulator.url.startswith("http://127.0.0.1:")
    names = server_names(fjcloud_emulator.compute_url, fjcloud_emulator.project_id, fjcloud_credentials)
    assert names == ["Win2012R2SE"]


def test_factory_adds_a_server(fjcloud_emulator, fjcloud_server_factory, fjcloud_credentials):
    made = fjcloud_server_factory(name="made-by-factory", status="SHUTOFF")
    assert made["name"] == "made-by-factory"
    names = server_names(fjcloud_emulator.compute_url, fjcloud_emulator.project_id, fjcloud_credentials)
    assert names == ["Win2012R2SE", "made-by-factory"]


def test_each_test_starts_from_the_seed(fjcloud_emulator, fjcloud_credentials):
    names = server_names(fjcloud_emulator.compute_url, fjcloud_emulator.project_id, fjcloud_credentials)
    assert names == ["Win2012R2SE"]  # the factory's server of the previous test is gone


@pytest.mark.fjcloud_servers({"name": "web-1"}, {"name": "db-1", "status": "SHUTOFF"})
def test_marker_seeds_servers(fjcloud_emulator, fjcloud_credentials):
    names = server_names(fjcloud_emulator.compute_url, fjcloud_emulator.project_id, fjcloud_credentials)
    assert names == ["Win2012R2SE", "db-1", "web-1"]


def test_same_session_server_every_time(fjcloud_emulator):
    import emulator

    assert isinstance(fjcloud_emulator, emulator.EmulatorServer)
    assert fjcloud_emulator.running


@pytest.mark.fjcloud_servers({"name": "mocked-extra"})
def test_mock_with_real_hostnames(fjcloud_mock, fjcloud_credentials, fjcloud_server_factory):
    assert fjcloud_credentials["OS_AUTH_URL"] == "https://identity.jp-east-1.cloud.global.fujitsu.com/v3"
    fjcloud_server_factory(name="factory-extra")
    names = server_names(fjcloud_mock.compute_url, fjcloud_mock.project_id, fjcloud_credentials)
    assert names == ["Win2012R2SE", "factory-extra", "mocked-extra"]
    with pytest.raises(requests.ConnectionError, match="is not mocked"):
        requests.get("https://example.com/", timeout=5)
"""

FAILING_IN_SERVER_THREAD = """
import requests


def test_server_side_exception_is_reported_here(fjcloud_emulator, monkeypatch):
    def broken():
        raise RuntimeError("exploded inside the emulator")

    monkeypatch.setattr(fjcloud_emulator.state.identity, "snapshot", broken)
    assert requests.get(fjcloud_emulator.url + "/_emulator/state", timeout=5).status_code == 500


def test_next_test_is_clean(fjcloud_emulator):
    assert requests.get(fjcloud_emulator.url + "/_emulator/state", timeout=5).status_code == 200
"""

OPTIONS_OVERRIDE = """
import pytest


@pytest.fixture(scope="session")
def fjcloud_emulator_options():
    return {"region": "jp-west-3", "timing": "manual"}


def test_options_configure_the_session_server(fjcloud_emulator, fjcloud_credentials):
    assert fjcloud_credentials["OS_REGION_NAME"] == "jp-west-3"
    assert fjcloud_emulator.config.timing.mode == "manual"


@pytest.fixture
def fjcloud_mock_options():
    return {"region": "uk-1"}


def test_mock_options_configure_the_mock(fjcloud_mock, fjcloud_credentials):
    assert fjcloud_credentials["OS_AUTH_URL"] == "https://identity.uk-1.cloud.global.fujitsu.com/v3"
"""


def run_throwaway_project(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    """Write one test file in an empty directory and run pytest on it in a new process."""
    project = tmp_path / "other-project"
    project.mkdir()
    (project / "test_their_automation.py").write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--strict-markers", "-q",
         str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip


def test_throwaway_project_uses_every_fixture(tmp_path: Path) -> None:
    done = run_throwaway_project(tmp_path, THROWAWAY_TESTS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "7 passed" in done.stdout


def test_exception_in_the_server_thread_fails_the_test_that_caused_it(tmp_path: Path) -> None:
    done = run_throwaway_project(tmp_path, FAILING_IN_SERVER_THREAD)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 passed, 1 error" in done.stdout  # the call passed; its teardown reports the error
    assert "ERROR at teardown of test_server_side_exception_is_reported_here" in done.stdout
    assert "RuntimeError: exploded inside the emulator" in done.stdout


def test_options_fixtures_can_be_overridden(tmp_path: Path) -> None:
    done = run_throwaway_project(tmp_path, OPTIONS_OVERRIDE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
