"""Issue 12 as the downstream team met it: the package installed as a user installs it (not
editable, into a venv of its own) beside other projects' pins.

Problem 1: ``pip install "pytest==7.4.4" <this>`` was ``ResolutionImpossible`` (and so were Flask
2.3, urllib3 1.26, responses 0.23). Problems 2, 3 and 5 again, on the installed wheel.
Slow: uv resolves and installs from the package index (its cache makes reruns quick).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugin.project import output, run_pytest, write_project

REPO = Path(__file__).resolve().parents[2]
# One older stack that hangs together (responses 0.23.0 is the last 0.23 that takes requests 2.28).
PINS = [
    "pytest==7.4.4",
    "flask==2.3.3",
    "werkzeug==2.3.8",
    "requests==2.28.2",
    "urllib3==1.26.18",
    "responses==0.23.0",
    "waitress==2.1.2",
    "pyyaml==6.0.1",
]
pytestmark = pytest.mark.slow


def uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv is not installed (the test extra installs it)")
    return found


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "pins",
    [["pytest==7.4.4"], ["flask==2.3.3"], ["urllib3==1.26.18"], ["responses==0.23.3"], PINS],
    ids=["pytest-7.4", "flask-2.3", "urllib3-1.26", "responses-0.23", "all-at-once"],
)
def test_resolves_beside_older_pins(tmp_path: Path, pins: list[str]) -> None:
    (tmp_path / "requirements.in").write_text("\n".join([str(REPO), *pins]) + "\n")
    done = run(uv(), "pip", "compile", "--quiet", "requirements.in", cwd=tmp_path)
    assert done.returncode == 0, output(done)
    for pin in pins:
        assert pin in done.stdout.lower()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the package (not editable) and the older pins; its python."""
    root = tmp_path_factory.mktemp("installed")
    done = run(uv(), "venv", "--quiet", "--python", sys.executable, "venv", cwd=root)
    assert done.returncode == 0, output(done)
    python = root / "venv" / "bin" / "python"
    done = run(
        uv(), "pip", "install", "--quiet", "--python", str(python), str(REPO), *PINS, cwd=root
    )
    assert done.returncode == 0, output(done)
    return python


def test_the_wheel_holds_the_plugin_outside_the_emulator_package(installed: Path) -> None:
    done = run(
        str(installed), "-c",
        "import pytest_fjcloud_emulator as p, emulator as e; print(p.__file__); print(e.__file__)",
        cwd=installed.parent,
    )  # fmt: skip
    assert done.returncode == 0, output(done)
    plugin, package = done.stdout.split()
    assert "site-packages" in plugin
    assert "site-packages" in package
    assert Path(plugin).parent.parent == Path(package).parent.parent


def test_a_user_project_with_its_own_emulator_folder(installed: Path, tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "emulator/__init__.py": "NAME = 'theirs'\n",
            "runbook/__init__.py": "",
            "tests/test_theirs.py": """
                import emulator


                def test_their_code():
                    assert emulator.NAME == "theirs"
            """,
        },
    )
    done = run_pytest(project, "tests", python=installed)
    assert done.returncode == 0, output(done)
    assert "1 passed, 1 warning" in done.stdout
    assert "FJcloudEmulatorWarning" in done.stdout


def test_every_fixture_the_marker_and_the_guard_on_the_installed_wheel(
    installed: Path, tmp_path: Path
) -> None:
    project = write_project(
        tmp_path,
        {
            "test_theirs.py": """
                import pytest
                import requests


                @pytest.mark.fjcloud_servers({"name": "web-1"})
                def test_thread_server(fjcloud_emulator, fjcloud_credentials, fjcloud_server_factory):
                    fjcloud_server_factory(name="db-1")
                    names = [s["name"] for s in fjcloud_emulator.snapshot()["compute"]["servers"]]
                    assert names == ["Win2012R2SE", "web-1", "db-1"]
                    assert fjcloud_credentials["OS_AUTH_URL"] == fjcloud_emulator.auth_url


                def test_mock(fjcloud_mock, fjcloud_credentials):
                    response = requests.get(fjcloud_credentials["OS_AUTH_URL"], timeout=5)
                    assert response.status_code == 200


                def test_forgot_the_fixture():
                    requests.get("https://identity.jp-east-1.cloud.global.fujitsu.com/v3", timeout=5)
            """,
        },
    )
    done = run_pytest(project, "--fjcloud-guard", python=installed)
    assert done.returncode == 1, output(done)
    assert "1 failed, 2 passed" in done.stdout
    assert "fjcloud guard: identity.jp-east-1.cloud.global.fujitsu.com is the real FJcloud-O" in (
        done.stdout
    )
