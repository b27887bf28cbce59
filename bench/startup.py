"""Benchmarks 3 and 4: thread server start-up and the rehearsal's wall time, against pytest itself.

The reference is a trivial one-test ``pytest`` run (``-p no:cacheprovider``, in a temp dir, same
interpreter and environment): the least any pytest-based rehearsal can cost here.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import REPO, median, run_python, wall_time

TRIVIAL_TEST = "def test_trivial() -> None:\n    assert 1 + 1 == 2\n"


@dataclass
class StartupResult:
    """Samples in seconds; ``rehearsal_exit`` is the exit code of each ``pytest runbook``."""

    trivial_pytest: list[float]
    rehearsal: list[float]
    rehearsal_exit: list[int]
    server_import: list[float]
    server_first: list[float]
    server_median: list[float]
    trivial_pytest_cpu: list[float] = field(default_factory=list)
    rehearsal_cpu: list[float] = field(default_factory=list)


def trivial_pytest_time(workdir: Path) -> tuple[float, float]:
    """Wall and CPU seconds of a one-test pytest run in ``workdir``."""
    test = workdir / "test_trivial.py"
    test.write_text(TRIVIAL_TEST, encoding="utf-8")
    seconds, code, cpu = wall_time(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)], workdir
    )
    if code != 0:
        raise RuntimeError(f"the trivial pytest run failed with exit code {code}")
    return seconds, cpu


def rehearsal_time(workdir: Path) -> tuple[float, int, float]:
    """Wall time of ``pytest runbook`` (the default target: the bundled emulator) in the repo.

    The state file goes to ``workdir`` so that a state file left in the repository by someone
    else's run can neither make this run resume half-way nor be overwritten by it.
    """
    state = workdir / "runbook-state.json"
    state.unlink(missing_ok=True)
    args = [sys.executable, "-m", "pytest", "-q", "runbook", "--state-file", str(state)]
    return wall_time(args, REPO)


def measure(quick: bool = False, log: Any = print, rehearse: bool = True) -> StartupResult:
    """Interleave trivial pytest and ``pytest runbook`` runs; start the thread server repeatedly."""
    repeats = 1 if quick else 5
    result = StartupResult([], [], [], [], [], [])
    with tempfile.TemporaryDirectory(prefix="bench-pytest-") as tmp:
        # Untimed first pair: bytecode caches written, files in the OS cache.
        trivial_pytest_time(Path(tmp))
        if rehearse:
            rehearsal_time(Path(tmp))
        for i in range(repeats):
            seconds, cpu = trivial_pytest_time(Path(tmp))
            result.trivial_pytest.append(seconds)
            result.trivial_pytest_cpu.append(cpu)
            log(f"  {i + 1}/{repeats} trivial pytest: {result.trivial_pytest[-1]:.2f} s")
            if rehearse:
                seconds, code, cpu = rehearsal_time(Path(tmp))
                result.rehearsal.append(seconds)
                result.rehearsal_exit.append(code)
                result.rehearsal_cpu.append(cpu)
                log(f"  {i + 1}/{repeats} pytest runbook: {seconds:.2f} s (exit {code})")
            out = run_python(
                f"from bench.inproc import thread_server_start; thread_server_start({5 if quick else 20})"
            )
            result.server_import.append(float(out["import_seconds"]))
            result.server_first.append(float(out["first"]))
            result.server_median.append(float(out["median"]))
            log(
                f"  {i + 1}/{repeats} EmulatorServer start → health 200: first "
                f"{out['first'] * 1000:.1f} ms, median {out['median'] * 1000:.1f} ms "
                f"(import {out['import_seconds'] * 1000:.0f} ms)"
            )
    return result


def summary(result: StartupResult) -> dict[str, float]:
    """Medians of each series."""
    return {
        "trivial_pytest": median(result.trivial_pytest),
        "rehearsal": median(result.rehearsal),
        "trivial_pytest_cpu": median(result.trivial_pytest_cpu),
        "rehearsal_cpu": median(result.rehearsal_cpu),
        "server_import": median(result.server_import),
        "server_first": median(result.server_first),
        "server_median": median(result.server_median),
    }
