"""The runbook's parts on their own: masking, the state file, variable checks and sources, HTTP policy."""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from runbook.client import ApiClient, Exchange, HttpSettings
from runbook.errors import RequestFailed, StateFileError, UncertainRequest, VariableError
from runbook.secrets import SecretRegistry
from runbook.sources import resolve_sources
from runbook.statefile import StatePointer, load_state, save_state
from runbook.variables import (
    check_project_id,
    check_server_id,
    clean_token,
    compute_from_catalog,
    split_compute,
)


def test_secrets_are_masked_by_key_and_then_by_value_everywhere() -> None:
    secrets = SecretRegistry(["hunter22"])
    body = {
        "auth": {"identity": {"methods": ["token"], "token": {"id": "tok-abc"}}},
        "server": {"metadata": {"admin_pass": "Password0"}},
    }

    masked = secrets.mask(body)

    assert masked["auth"]["identity"]["token"]["id"] == "***"
    assert masked["server"]["metadata"]["admin_pass"] == "***"
    assert secrets.mask_headers({"X-Subject-Token": "tok-xyz\r\n", "Accept": "a"}) == {
        "X-Subject-Token": "***",
        "Accept": "a",
    }
    # Values seen once by key are masked wherever they turn up later.
    assert (
        secrets.mask_text("error: tok-abc / tok-xyz / Password0 / hunter22")
        == "error: *** / *** / *** / ***"
    )


def test_state_file_is_0600_and_never_holds_the_password(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    pointer = StatePointer("p1", str(tmp_path / "evidence"), "tok", "2026-12-02T17:00:00Z")

    save_state(path, "live", pointer)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_state(path, "live") == pointer
    assert "password" not in path.read_text()


def test_state_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_state(path, "live", StatePointer("p1", str(tmp_path), "tok"))
    os.chmod(path, 0o644)

    with pytest.raises(StateFileError) as caught:
        load_state(path, "live")

    assert "can be read by others (mode 644); it holds a token" in caught.value.message
    assert caught.value.hint == f"chmod 600 {path} (or delete it and run from step 2 again)"


def test_state_file_of_another_target_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_state(path, "emulator", StatePointer("p1", str(tmp_path)))

    with pytest.raises(StateFileError, match="written for target 'emulator', not 'live'"):
        load_state(path, "live")


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (check_server_id, "Win2012R2SE", "SERVER_ID: 'Win2012R2SE' (from env) is not a server id"),
        (
            check_project_id,
            "demo-project",
            "PROJECT_ID: 'demo-project' (from env) is not a project id",
        ),
        (
            lambda v, o: split_compute(v, o),
            "compute.example",
            "COMPUTE: 'compute.example' (from env) is not an http(s) URL",
        ),
    ],
)
def test_bad_values_name_the_variable_and_where_it_can_come_from(
    check: object, value: str, message: str
) -> None:
    with pytest.raises(VariableError) as caught:
        check(value, "env")  # type: ignore[operator]

    assert caught.value.render().startswith(message)
    assert "\n→ set it with " in caught.value.render()


def test_token_loses_cr_lf_and_catalog_urls_give_compute_and_version() -> None:
    assert clean_token("gAAAA-token\r\n", "TOKEN") == "gAAAA-token"
    assert split_compute("https://compute.jp-east-3.cloud.global.fujitsu.com/v2.1/790f/", "x") == (
        "https://compute.jp-east-3.cloud.global.fujitsu.com", "v2.1", "790f",
    )  # fmt: skip
    catalog = [{"type": "compute", "endpoints": [
        {"interface": "public", "region": "jp-east-1", "region_id": "jp-east-1", "url": "https://c1/v2/p"},
        {"interface": "public", "region": "jp-east-3", "region_id": "jp-east-3", "url": "https://c3/v2.1/p"},
        {"interface": "internal", "region": "jp-east-3", "region_id": "jp-east-3", "url": "http://internal"},
    ]}]  # fmt: skip
    assert compute_from_catalog(catalog, "jp-east-3") == ("https://c3/v2.1/p", "jp-east-3")
    with pytest.raises(
        VariableError, match="compute in several regions \\(jp-east-1, jp-east-3\\)"
    ):
        compute_from_catalog(catalog, None)


def test_sources_order_options_then_document_variables_then_os_then_clouds_yaml(
    tmp_path: Path,
) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        "clouds:\n  prod:\n    region_name: jp-east-3\n    auth:\n"
        "      auth_url: https://identity.jp-east-3.cloud.global.fujitsu.com/v3\n"
        "      username: ops\n      project_id: 0123456789abcdef0123456789abcdef\n"
    )
    (tmp_path / "secure.yaml").write_text(
        "clouds:\n  prod:\n    auth:\n      password: from-secure\n"
    )
    env = {"OS_CLOUD": "prod", "OS_CLIENT_CONFIG_FILE": str(clouds), "HOME": str(tmp_path),
           "OS_USERNAME": "env-user", "PROJECT_ID": "fedcba9876543210fedcba9876543210",
           "OS_PROJECT_ID": "11111111111111111111111111111111"}  # fmt: skip

    sources = resolve_sources({"runbook_server_id": "dbf93607-f105-4e86-842c-02ae504efe36"}, env)

    assert (sources.get("SERVER_ID"), sources.origin("SERVER_ID")) == (
        "dbf93607-f105-4e86-842c-02ae504efe36",
        "--server-id",
    )
    assert (sources.get("PROJECT_ID"), sources.origin("PROJECT_ID")) == (
        "fedcba9876543210fedcba9876543210",
        "PROJECT_ID",
    )
    assert (sources.get("username"), sources.origin("username")) == ("env-user", "OS_USERNAME")
    assert (sources.get("region"), sources.origin("region")) == (
        "jp-east-3",
        "clouds.yaml (cloud 'prod')",
    )
    assert sources.get("password") == "from-secure"


class _Dropper:
    """A TCP server that accepts each connection, reads the request and closes without answering."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/compute/v2/p/servers/s"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.recv(65536)
            conn.close()


@pytest.fixture
def dropper() -> Iterator[_Dropper]:
    server = _Dropper()
    yield server
    server.sock.close()


def test_a_post_without_answer_is_never_retried(dropper: _Dropper) -> None:
    exchanges: list[Exchange] = []
    client = ApiClient(
        HttpSettings(retries=3, backoff_factor=0), SecretRegistry(), exchanges.append
    )

    with pytest.raises(UncertainRequest, match=r"no answer .* it may or may not have arrived"):
        client.post(dropper.url + "/action", {"os-stop": None}, headers={"X-Auth-Token": "tok-1"})

    assert dropper.connections == 1
    assert exchanges[0].request_headers["X-Auth-Token"] == "***"
    assert exchanges[0].error is not None


def test_a_get_without_answer_is_retried_then_fails(dropper: _Dropper) -> None:
    client = ApiClient(HttpSettings(retries=2, backoff_factor=0), SecretRegistry(), lambda _: None)

    with pytest.raises(RequestFailed, match="no answer after 2 retries"):
        client.get(dropper.url)

    assert dropper.connections == 3
