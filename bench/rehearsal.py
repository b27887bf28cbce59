"""``pytest runbook`` (the rehearsal against the bundled emulator) vs a trivial one-test pytest run:
the pre-work page alone (``--page 1``) and the whole export chain (pages 1–5, the default).

All with this interpreter and ``-p no:cacheprovider``: ``pytest -q runbook`` in the repository,
as ``make rehearse`` runs it (its state file in a temporary directory, so no earlier run is
resumed), and ``pytest -q test_trivial.py`` in a temporary directory, the least any pytest-based
rehearsal can cost. Other installed plugins (pytest-httpserver of the bench extra) are off in
all. One untimed run of each first; then 5 interleaved rounds; the fastest of each compared
(other load on a shared machine only adds time).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.core import (
    REPO,
    BenchError,
    Log,
    Row,
    at_most,
    fastest,
    plugins_off,
    pytest_args,
    pytest_plugins,
    ratio,
    timed,
)

TRIVIAL = "def test_trivial() -> None:\n    assert 1 + 1 == 2\n"
# name: (figure, target, extra arguments of `pytest runbook`)
RUNS = {
    "page 1": (
        "`pytest runbook --page 1` (the pre-work) vs a trivial pytest run",
        1.5,
        ["--page", "1"],
    ),
    "chain": (
        "`pytest runbook` (the whole export chain, pages 1–5) vs a trivial pytest run",
        2.0,
        [],
    ),
}


def measure(quick: bool, log: Log) -> list[Row]:
    off = plugins_off(pytest_plugins()[1])
    walls: dict[str, list[float]] = {"trivial": [], **{name: [] for name in RUNS}}
    with tempfile.TemporaryDirectory(prefix="bench-rehearsal-") as tmp:
        (Path(tmp) / "test_trivial.py").write_text(TRIVIAL, encoding="utf-8")
        state = Path(tmp) / "state.json"
        commands = {"trivial": (pytest_args(*off, "test_trivial.py"), Path(tmp))}
        for name, (_, _, extra) in RUNS.items():
            args = pytest_args(*off, "runbook", "--state-file", str(state), *extra)
            commands[name] = (args, REPO)
        for i in range(-1, 1 if quick else 5):
            for name, (args, cwd) in commands.items():
                state.unlink(missing_ok=True)
                run = timed(args, cwd)
                if run.code != 0:
                    raise BenchError(f"{' '.join(args[2:])} exited with code {run.code}")
                if i >= 0:
                    walls[name].append(run.wall)
                    log(f"  {i + 1} {name}: {run.wall:.2f} s (CPU {run.cpu:.2f} s)")
    floor = fastest(walls["trivial"])
    rows = []
    for name, (figure, target, _) in RUNS.items():
        ours = fastest(walls[name])
        rows.append(
            at_most(figure, target, ratio(ours, floor), f"{ours:.2f} vs {floor:.2f} s", "×")
        )
    return rows
