"""``pytest runbook`` (the rehearsal against the bundled emulator) vs a trivial one-test pytest run.

Both with this interpreter and ``-p no:cacheprovider``: ``pytest -q runbook`` in the repository,
as ``make rehearse`` runs it (its state file in a temporary directory, so no earlier run is
resumed), and ``pytest -q test_trivial.py`` in a temporary directory, the least any pytest-based
rehearsal can cost. Other installed plugins (pytest-httpserver of the bench extra) are off in
both. One untimed run of each first; then 5 interleaved pairs; the fastest of each compared
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

FIGURE = "`pytest runbook` vs a trivial pytest run"
TARGET = 1.5
TRIVIAL = "def test_trivial() -> None:\n    assert 1 + 1 == 2\n"


def measure(quick: bool, log: Log) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-rehearsal-") as tmp:
        (Path(tmp) / "test_trivial.py").write_text(TRIVIAL, encoding="utf-8")
        state = str(Path(tmp) / "state.json")
        off = plugins_off(pytest_plugins()[1])
        runs = {
            "trivial": (pytest_args(*off, "test_trivial.py"), Path(tmp)),
            "runbook": (pytest_args(*off, "runbook", "--state-file", state), REPO),
        }
        walls: dict[str, list[float]] = {name: [] for name in runs}
        for i in range(-1, 1 if quick else 5):
            for name, (args, cwd) in runs.items():
                Path(state).unlink(missing_ok=True)
                run = timed(args, cwd)
                if run.code != 0:
                    raise BenchError(f"{' '.join(args[2:])} exited with code {run.code}")
                if i >= 0:
                    walls[name].append(run.wall)
                    log(f"  {i + 1} {name}: {run.wall:.2f} s (CPU {run.cpu:.2f} s)")
    ours, floor = fastest(walls["runbook"]), fastest(walls["trivial"])
    return [at_most(FIGURE, TARGET, ratio(ours, floor), f"{ours:.2f} vs {floor:.2f} s", "×")]
