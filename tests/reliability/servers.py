"""The two real-socket emulators the reliability runs talk to: the standalone process and the
thread server. Both expose a base URL; everything else goes through HTTP (cloud + control plane).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from emulator.server import EmulatorServer
from tests.reliability.harness import reliability_seed

LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Standalone:
    """A ``python -m emulator serve`` subprocess; its stdout/stderr go to files (scanned later)."""

    url: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path


@contextmanager
def standalone(log_dir: Path, *extra_args: str) -> Iterator[Standalone]:
    """Start the standalone emulator on 127.0.0.1, a free port; stop it with SIGTERM at the end."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout, stderr = log_dir / "emulator.stdout", log_dir / "emulator.stderr"
    command = [sys.executable, "-m", "emulator", "serve", "--port", "0", *extra_args]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(  # our own module, fixed arguments
            command, stdout=out, stderr=err, cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        try:
            url = _wait_for_url(stdout, process)
            yield Standalone(url, process, stdout, stderr)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_for_url(stdout: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = LISTENING.search(stdout.read_text(encoding="utf-8", errors="replace"))
        if match:
            return match.group(1)
        if process.poll() is not None:
            raise RuntimeError(f"the standalone emulator exited with {process.returncode}")
        time.sleep(0.05)
    raise RuntimeError("the standalone emulator printed no URL within 30 s")


@contextmanager
def thread_server(**config: Any) -> Iterator[EmulatorServer]:
    """``EmulatorServer`` with the reliability seed (a second project, locked/ERROR servers)."""
    with EmulatorServer(seed=reliability_seed(), **config) as server:
        yield server


def control(base: str, method: str, path: str, body: Any = None) -> Any:
    """A control-plane call; raises on anything but 2xx."""
    response = requests.request(method, f"{base}/_emulator{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.json() if response.content else None
