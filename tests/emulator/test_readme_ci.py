"""The documented examples (docs/CI.md "Use the emulator in your CI", docs/REFERENCE.md "Control plane"), executed as a user would."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from emulator import EmulatorServer

DOCS = Path(__file__).resolve().parents[2] / "docs"
CI_GUIDE = DOCS / "CI.md"
REFERENCE = DOCS / "REFERENCE.md"
VENV_BIN = str(Path(sys.executable).parent)


def ci_code_blocks() -> list[tuple[str, str]]:
    """``(language, code)`` of each fenced block between the ``ci`` markers, in order."""
    text = CI_GUIDE.read_text(encoding="utf-8")
    section = text.split("<!-- BEGIN ci -->", 1)[1].split("<!-- END ci -->", 1)[0]
    return re.findall(r"^```(\w+)\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


def block(index: int, language: str) -> str:
    blocks = ci_code_blocks()
    assert len(blocks) == 4, [lang for lang, _ in blocks]
    found_language, code = blocks[index]
    assert found_language == language
    return code


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # The examples must not lean on the caller's cloud settings: no OS_* variables go through.
    environment = {name: value for name, value in os.environ.items() if not name.startswith("OS_")}
    environment.update(PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}", **env)
    return subprocess.run(
        args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def test_pytest_example_runs_in_a_project_without_conftest(tmp_path: Path) -> None:
    (tmp_path / "test_example.py").write_text(block(0, "python"))
    done = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_thread_server_example(tmp_path: Path) -> None:
    (tmp_path / "example.py").write_text(block(1, "python"))
    done = run([sys.executable, "example.py"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.fullmatch(r"connection dropped, as injected; 4 requests logged\n", done.stdout)


def test_in_process_example(tmp_path: Path) -> None:
    (tmp_path / "example.py").write_text(block(2, "python"))
    done = run([sys.executable, "example.py"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "https://identity.jp-east-1.cloud.global.fujitsu.com/v3\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_ci_job_snippet_starts_waits_tests_and_stops(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_against_standalone.py").write_text(
        "import os\n\nimport requests\n\n\n"
        "def test_keystone_answers():\n"
        "    response = requests.get(os.environ['OS_AUTH_URL'], timeout=5)\n"
        "    assert response.json()['version']['id'].startswith('v3')\n"
    )
    (tmp_path / "ci.sh").write_text("set -e\n" + block(3, "bash"))
    done = run(["bash", "ci.sh"], tmp_path, PORT=str(free_port()))
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"status":"ok"' in done.stdout.replace(" ", "")
    assert "1 passed" in done.stdout
    log = (tmp_path / "emulator.log").read_text()
    assert "listening on http://127.0.0.1:" in log
    assert log.rstrip().endswith("emulator stopped")  # the trap stopped it cleanly


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_control_plane_curl_examples(tmp_path: Path) -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("<!-- BEGIN control -->", 1)[1].split("<!-- END control -->", 1)[0]
    (script,) = re.findall(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    with EmulatorServer() as cloud:
        done = run(["bash", "-c", script.replace("http://127.0.0.1:8774", cloud.url)], tmp_path)
        assert done.returncode == 0, done.stderr
        answers = [json.loads(line) for line in done.stdout.splitlines()]
        assert [next(iter(answer)) for answer in answers] == [
            "fault", "fault", "timing", "server", "server", "clock", "requests", "status",
        ]  # fmt: skip
        assert answers[4]["server"]["status"] == "SHUTOFF"
        assert answers[-1] == {"status": "reset"}
