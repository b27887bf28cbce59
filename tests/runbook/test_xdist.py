"""``pytest runbook -n N`` is refused: the steps run in order in one process.

``make test`` runs the test suite under pytest-xdist. Spread over workers, the runbook's steps
would each have their own emulator, journal and variables (observed: page 2's step 2 in worker
gw0 found the server ACTIVE, page 1 having stopped it in gw1), so the plugin stops before any.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.runbook.conftest import REPO, base_env


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-p", "no:cacheprovider"],
        cwd=REPO,
        env=base_env(tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("runbook", "-n", "2"),
        ("runbook/test_export_preparation.py::test_step1_initialise_some_settings", "-n", "auto"),
        ("runbook", "--dist", "loadfile", "-n", "2"),
        (".", "-n", "2"),  # the whole repository holds the runbook too
    ],
)
def test_distributing_the_runbook_is_a_usage_error_before_any_step(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    done = _pytest(tmp_path, *args)
    output = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "the runbook's steps run in order in one process" in output
    assert "without -n/--dist" in output
    assert "test session starts" not in output  # nothing collected, no step announced


def test_one_process_is_accepted(tmp_path: Path) -> None:
    # -n 0 is xdist's "no workers": the runbook collects as without xdist.
    done = _pytest(tmp_path, "runbook", "-n", "0", "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test_step1_initialise_some_settings" in done.stdout
