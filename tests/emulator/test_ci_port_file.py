"""Issue 12, problem 10: ``serve --port 0 --port-file FILE``, and the CI guide's job on one machine
twice at once. Before, the job used a fixed port: the second job failed to bind, its health check
passed against the first job's emulator, and its tests ran on foreign state.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

DOCS = Path(__file__).resolve().parents[2] / "docs" / "CI.md"
VENV_BIN = str(Path(sys.executable).parent)
pytestmark = pytest.mark.slow


def environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("OS_")}
    env["PATH"] = f"{VENV_BIN}:{os.environ.get('PATH', '')}"
    return env


def wait_for(path: Path, process: subprocess.Popen[str]) -> str:
    for _ in range(200):
        if path.exists() and path.read_text():
            return path.read_text()
        if process.poll() is not None:
            raise AssertionError(f"serve ended with {process.returncode}: {process.stderr}")
        time.sleep(0.05)
    raise AssertionError("no port file after 10 s")


def test_port_file_names_the_real_port_and_goes_away_on_stop(tmp_path: Path) -> None:
    port_file = tmp_path / "emulator.port"
    command = [sys.executable, "-m", "emulator", "serve", "--port", "0"]
    with subprocess.Popen(
        [*command, "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    ) as process:
        try:
            text = wait_for(port_file, process)
            assert re.fullmatch(r"[1-9][0-9]*\n", text)
            health = requests.get(f"http://127.0.0.1:{int(text)}/_emulator/health", timeout=5)
            assert health.json()["status"] == "ok"
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
    assert not port_file.exists()


def ci_job() -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("<!-- BEGIN ci -->", 1)[1].split("<!-- END ci -->", 1)[0]
    (script,) = re.findall(r"^```bash\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    return script


JOB_TEST = """
import os

import requests


def test_runs_on_this_jobs_own_emulator():
    base = os.environ["OS_AUTH_URL"].removesuffix("/identity/v3")
    body = {"name": os.environ["JOB_NAME"]}
    assert requests.post(base + "/_emulator/servers", json=body, timeout=5).status_code == 201
    names = [s["name"] for s in requests.get(base + "/_emulator/state", timeout=5).json()["compute"]["servers"]]
    assert names == ["Win2012R2SE", os.environ["JOB_NAME"]]
"""


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_two_jobs_of_the_ci_guide_at_once_each_get_their_own_emulator(tmp_path: Path) -> None:
    jobs = []
    for name in ("job-a", "job-b"):
        job = tmp_path / name
        (job / "tests").mkdir(parents=True)
        (job / "tests" / "test_job.py").write_text(JOB_TEST)
        (job / "ci.sh").write_text("set -e\n" + ci_job())
        env = {**environment(), "JOB_NAME": name}
        jobs.append(
            subprocess.Popen(
                ["bash", "ci.sh"], cwd=job, env=env, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True,
            )
        )  # fmt: skip
    for job in jobs:
        out, _ = job.communicate(timeout=180)
        assert job.returncode == 0, out
        assert "1 passed" in out
