"""What the installed pytest plugin costs a run that uses none of it.

A one-test pytest run in a temporary directory with this venv, where the package (and so its
``pytest11`` entry point) is installed, vs the same run with ``-p no:<entry point>``; any other
plugin installed in the venv is disabled in both (``-p no:…``). One untimed
pair first, then 10 interleaved pairs; the fastest of each compared (other load on a shared
machine only adds time; CPU time shown beside).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.core import (
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

FIGURE = "pytest plugin cost: one-test run with the plugin vs `-p no:` it"
TARGET = 1.05
ONE_TEST = "def test_one() -> None:\n    assert True\n"


def measure(quick: bool, log: Log) -> list[Row]:
    name, others = pytest_plugins()
    off = plugins_off(others)
    runs = {
        "with plugin": pytest_args(*off, "test_one.py"),
        "without": pytest_args(*off, "-p", f"no:{name}", "test_one.py"),
    }
    walls: dict[str, list[float]] = {k: [] for k in runs}
    cpus: dict[str, list[float]] = {k: [] for k in runs}
    with tempfile.TemporaryDirectory(prefix="bench-plugin-") as tmp:
        (Path(tmp) / "test_one.py").write_text(ONE_TEST, encoding="utf-8")
        for i in range(-1, 2 if quick else 10):
            for label, args in runs.items():
                run = timed(args, Path(tmp))
                if run.code != 0:
                    raise BenchError(f"pytest {' '.join(args[5:])} exited with code {run.code}")
                if i >= 0:
                    walls[label].append(run.wall)
                    cpus[label].append(run.cpu)
            if i >= 0:
                log(
                    f"  {i + 1}: with {walls['with plugin'][-1]:.2f} s, without {walls['without'][-1]:.2f} s"
                )
    ours, bare = fastest(walls["with plugin"]), fastest(walls["without"])
    cpu = ratio(fastest(cpus["with plugin"]), fastest(cpus["without"]))
    detail = f"{ours:.2f} vs {bare:.2f} s; CPU time {cpu:.2f}×"
    return [
        at_most(
            FIGURE.replace("`-p no:` it", f"`-p no:{name}`"), TARGET, ratio(ours, bare), detail, "×"
        )
    ]
