"""Run ``pytest runbook`` the way an operator does: a subprocess in the repository, real HTTP.

``--target live`` runs point at the session's ``EmulatorServer`` (the ``fjcloud_emulator`` fixture,
reset per test) through ``OS_*`` variables, exactly as at production. The environment is built
from scratch, so the developer's own ``OS_*`` variables or clouds.yaml never leak in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emulator import EmulatorServer

REPO = Path(__file__).resolve().parents[2]
# Tiny timings: the emulator stops a server in 0.2 s by default; we never wait longer than needed.
POLL = ["--poll-interval", "0.05", "--poll-timeout", "20", "--http-retries", "3",
        "--image-poll-interval", "0.05", "--export-poll-interval", "0.05"]  # fmt: skip
# Page 1 only: these tests are about 移行前の作業 (pages 2–5 have theirs, in test_chain*.py).
FAST = [*POLL, "--page", "1"]
PASSWORD = "demo-password"  # the default seed's demo password
ADMIN_PASS = "Password0"  # the seed document's metadata.admin_pass


@dataclass
class Result:
    """A finished runbook run."""

    returncode: int
    output: str

    def step_line(self, number: int) -> str:
        """The report's line for step ``number`` (outcome + title)."""
        section = self.output.split("移行前の作業 — export pre-work", 1)[-1]
        for line in section.splitlines():
            if f" {number}. " in line and line.split()[0] in (
                "PASSED",
                "FAILED",
                "ERROR",
                "NOT",
                "SKIPPED",
                "DRY",
            ):
                return line
        raise AssertionError(f"no report line for step {number} in:\n{self.output}")


def base_env(home: Path) -> dict[str, str]:
    """A clean environment: no OS_*, HOME in a temporary folder (no stray clouds.yaml)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def live_env(server: EmulatorServer, home: Path, **overrides: str | None) -> dict[str, str]:
    """The emulator's OS_* variables (as an operator exports them), with ``overrides`` (None: unset)."""
    env = {**base_env(home), **server.credentials, "SERVER_ID": server.server_ids[0]}
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def runbook_command(args: list[str], cwd: Path = REPO) -> list[str]:
    """The command line of ``python -m pytest runbook ARGS`` run from ``cwd``."""
    return _command(args, cwd)


def _command(args: list[str], cwd: Path = REPO) -> list[str]:
    where = (
        ["runbook"]
        if cwd == REPO
        else [str(REPO / "runbook"), "-c", str(REPO / "pyproject.toml"), "--rootdir", str(REPO)]
    )
    # hypothesis is not used by the runbook and its plugin takes a second to import.
    plugins = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest"]
    return [sys.executable, "-m", "pytest", *where, *plugins, *args]


def run_runbook(
    args: list[str], env: dict[str, str], *, stdin: Any = subprocess.DEVNULL, cwd: Path = REPO
) -> Result:
    """``python -m pytest runbook ARGS`` (from the repository unless ``cwd``); stdin is no terminal."""
    done = subprocess.run(
        _command(args, cwd),
        cwd=cwd,
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Result(done.returncode, done.stdout + done.stderr)


class Background:
    """A runbook run in the background, so a test can act on the emulator while it waits."""

    def __init__(self, args: list[str], env: dict[str, str], server: EmulatorServer) -> None:
        self.server = server
        self.process = subprocess.Popen(
            _command(args), cwd=REPO, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip

    def wait_for(self, predicate: Callable[[list[dict[str, Any]]], bool], what: str) -> None:
        """Poll the emulator's request log until ``predicate`` holds (or the run ended)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if predicate(self.server.requests_log()):
                return
            if self.process.poll() is not None:
                raise AssertionError(f"the run ended before {what}:\n{self.finish().output}")
            time.sleep(0.02)
        self.process.kill()
        raise AssertionError(f"timed out waiting for {what}")

    def finish(self) -> Result:
        """Wait for the run to end."""
        output, _ = self.process.communicate(timeout=60)
        return Result(self.process.returncode, output)


def requests_to(log: list[dict[str, Any]], method: str, suffix: str) -> list[dict[str, Any]]:
    """The logged requests with ``method`` whose path ends with ``suffix``."""
    return [e for e in log if e["method"] == method and e["path"].endswith(suffix)]


def polling_started(server_id: str) -> Callable[[list[dict[str, Any]]], bool]:
    """True once the runbook has sent (or tried) its stop and read the server after it."""

    def started(log: list[dict[str, Any]]) -> bool:
        posts = [
            i for i, e in enumerate(log) if e["method"] == "POST" and e["path"].endswith("/action")
        ]
        return bool(posts) and any(
            e["method"] == "GET" and e["path"].endswith(server_id) for e in log[posts[-1] + 1 :]
        )

    return started


@pytest.fixture
def live_args(tmp_path: Path) -> list[str]:
    """Options every live run of these tests uses: its own state file and evidence folder."""
    return [
        "--target",
        "live",
        "--state-file",
        str(tmp_path / "state.json"),
        "--evidence",
        str(tmp_path / "evidence"),
        *FAST,
    ]


@pytest.fixture
def chain_live_args(tmp_path: Path) -> list[str]:
    """``live_args`` for every page of the export (pages 1–5)."""
    return ["--target", "live", "--state-file", str(tmp_path / "state.json"),
            "--evidence", str(tmp_path / "evidence"), *POLL]  # fmt: skip
