"""``make bench`` keeps working: each figure module runs in ``--quick`` mode, and the document says
what was missed. Nothing here asserts a time (tests never fail on wall-clock time).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import FIGURES, throughput, wrk
from bench.__main__ import render
from bench.core import (
    MET,
    NOT_RUN,
    REPO,
    REPORTED,
    SKIPPED,
    UNMET,
    Row,
    at_least,
    at_most,
    installed,
)

VERDICTS = (MET, UNMET, REPORTED, SKIPPED)
# What a figure module needs beyond the test extra; without it, its rows must say "skipped".
NEEDS = {"cold_start": "moto", "throughput": "moto", "fixture_overhead": "pytest_httpserver"}


def _rows(document: str) -> list[list[str]]:
    lines = [line for line in document.splitlines() if line.startswith("| ") and "---" not in line]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]


@pytest.mark.slow
@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_module_runs_quick_and_fills_its_rows(name: str, tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", name, "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = _rows(out.read_text(encoding="utf-8"))
    assert rows
    for figure, target, measured, verdict in rows:
        assert all((figure, target, measured)), (figure, target, measured)
        assert verdict.strip("*") in VERDICTS, (figure, verdict)
    needed = NEEDS.get(name)
    can_measure = (needed is None or installed(needed)) and (
        name != "throughput" or wrk.executable() is not None
    )
    verdicts = {verdict.strip("*") for *_, verdict in rows}
    assert (SKIPPED not in verdicts) if can_measure else (verdicts == {SKIPPED})


def test_without_wrk_the_throughput_rows_are_skipped_and_say_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WRK", "/nonexistent/wrk")
    logged: list[str] = []
    rows = throughput.measure(quick=True, log=logged.append)
    assert len(rows) == len(throughput.FIGURES)
    assert {row.verdict for row in rows} == {SKIPPED}
    assert all("apt-get install wrk" in row.measured for row in rows)
    assert any("wrk is not installed" in line for line in logged)


def test_the_load_generator_refuses_anything_but_loopback() -> None:
    with pytest.raises(ValueError, match="only load loopback"):
        wrk.run("http://192.0.2.1:8080/")


def test_the_document_marks_missed_rows_and_lists_each_with_its_figure() -> None:
    rows = [
        at_most("cold start vs moto", 0.2, 0.14, "140 vs 1,000 ms"),
        at_least("GET vs moto_server", 10, 9.4, "2,000 vs 213 req/s", "×"),
        Row("`bench/scale.py`", "—", "BenchError: child failed", NOT_RUN),
    ]
    context = {
        k: "x" for k in ("when", "commit", "machine", "load_before", "load_after", "seconds")
    }
    text = render(rows, {"scale": "How it measures."}, context)
    assert "| cold start vs moto | ≤ 0.2 | 0.14 (140 vs 1,000 ms) | met |" in text
    assert "| GET vs moto_server | ≥ 10× | 9.40× (2,000 vs 213 req/s) | **unmet** |" in text
    assert "2 of 3 rows not met, skipped or not run" in text
    assert (
        "- **GET vs moto_server** — unmet; target ≥ 10×; measured 9.40× (2,000 vs 213 req/s)"
        in text
    )
    assert "- **`bench/scale.py`** — not run;" in text
    assert "- **cold start vs moto**" not in text
    assert "**`bench/scale.py`** — How it measures." in text
