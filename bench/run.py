"""``make bench``: run every benchmark of issue 7 and write ``docs/BENCHMARKS.md`` + the plot.

    .venv/bin/python bench/run.py                 # full run (~3 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick         # smoke run: short, one round, small sizes
    .venv/bin/python bench/run.py --only scale    # one part (throughput mock startup scale); temp file

Every figure is a ratio against a baseline measured in this same run on this same machine.
A part that fails is reported as NOT RUN (and the exit code is 1); the others still run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

# Run as a script (bench/run.py): make the repository importable as the ``bench`` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import appcost, mockbench, scale, startup, throughput
from bench.checks import Report, all_checks
from bench.common import REPO, BenchError
from bench.profiling import profile
from bench.readme import readme_block, update_readme
from bench.report import render

PARTS = ("throughput", "mock", "startup", "scale")
METHOD = [
    "- Every target is a ratio against a baseline measured by the same script in the same run on "
    "the same machine; absolute numbers are for orientation only.",
    "- **Throughput**: each server runs in its own process (`python -m emulator serve`; "
    "`bench/flask_baseline.py`: a minimal Flask app returning the same JSON bodies, captured from "
    "the emulator, on waitress with the same thread count; `python -m moto.server` with one EC2 "
    "instance; and, as a diagnostic without a target, the emulator with `--no-control-plane`). "
    "The load generator `bench/loadgen.py` runs in 2 separate processes × 4 keep-alive "
    "connections (8 in all), pre-built requests, minimal response parsing; only requests that "
    "complete inside the measured window count. The targets are interleaved round by round and "
    "the median round is reported. The generator shares the 2 cores with the server under test, "
    "the same for every target, so ratios are fair but absolute req/s are lower than with wrk.",
    "- **In-process mock**: every sample is a fresh interpreter (`bench/inproc.py`); a cold start "
    "is timed from before the first import to the first answer (interpreter start-up excluded, "
    "the same for all), after one untimed start of each that writes the bytecode caches (as a "
    "pip install does); samples of the three contenders are interleaved; medians are reported. "
    "Warm calls are the median of single timed calls after 20 untimed ones (moto: 5).",
    "- **Start-up / rehearsal**: wall time of `python -m pytest -q runbook --state-file <temp>` "
    "(the default target, the bundled emulator; the state file in a temp dir so that no other "
    "run's state file is resumed) in the repository vs "
    "`python -m pytest -q -p no:cacheprovider test_trivial.py` (one test) in a temp dir, same "
    "interpreter and environment, interleaved. `EmulatorServer()` → `start()` → first 200 from "
    "`/_emulator/health` over a new connection, repeated in one fresh process (first and median).",
    "- **Scale**: one fresh process per size; servers built with `server_seed_from_dict` and "
    "added to the default seed; memory is `tracemalloc` around building the `ServerSeed`s (seed) "
    "and around `create_app` minus an app with the default seed (backend); RSS delta is the "
    "cross-check. Requests go through Flask's test client (whole WSGI stack, no sockets) with "
    "a working set of 100 random ids (all of them below 100 servers), each warmed first because the emulator caches a server's rendered body; 2,000 timed GETs; `servers/detail` median of 7 calls (3 at 10,000).",
]


def _loadavg() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "emulator", "runbook"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    """Parse options, run the parts, write the report; 1 when a part failed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short smoke run (numbers are rough)")
    parser.add_argument("--only", action="append", choices=PARTS, help="run only this part")
    parser.add_argument(
        "--out",
        type=Path,
        help="report path (default: docs/BENCHMARKS.md; with --quick or --only: a temp file)",
    )
    args = parser.parse_args(argv)
    parts = args.only or list(PARTS)
    # Only a full run replaces the committed document; smoke and partial runs go to a temp file.
    complete = not args.quick and set(parts) == set(PARTS)
    default_out = REPO / "docs" / "BENCHMARKS.md"
    if not complete:
        default_out = (
            Path(tempfile.gettempdir()) / f"BENCHMARKS-{'quick' if args.quick else 'partial'}.md"
        )
    out: Path = args.out or default_out
    plot_path = out.parent / (out.stem.lower().replace("benchmarks", "bench") + "-scale.png")
    if out == REPO / "docs" / "BENCHMARKS.md":
        plot_path = REPO / "docs" / "bench-scale.png"
    started = time.perf_counter()
    header = [
        f"Generated by `make bench` (`bench/run.py{' --quick' if args.quick else ''}`) on "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, commit {_git_commit()}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}.",
    ]
    report = Report(header=header, plot_name=plot_path.name)
    for part in parts:
        print(f"[{part}] load average {_loadavg()}", flush=True)
        part_started = time.perf_counter()
        load_before = _loadavg()
        try:
            if part == "throughput":
                try:
                    report.throughput = throughput.measure(args.quick)
                except BenchError as exc:
                    # A server that died mid-run (e.g. killed from outside on a shared machine)
                    # gets one more try; the first failure stays in the report.
                    report.noise.append(f"- throughput: first attempt failed ({exc}); re-run once.")
                    report.throughput = throughput.measure(args.quick)
                report.app_cost_us = appcost.measure(args.quick)
            elif part == "mock":
                report.mock = mockbench.measure(args.quick)
            elif part == "startup":
                report.startup = startup.measure(args.quick)
            elif part == "scale":
                report.scale = scale.measure(args.quick)
                scale.plot(report.scale, plot_path)
        except Exception as exc:
            traceback.print_exc()
            report.failures[part] = f"{type(exc).__name__}: {exc}".replace("|", "/")[:300]
        report.noise.append(
            f"- {part}: {time.perf_counter() - part_started:.0f} s, load average (1/5 min) "
            f"{load_before} before, {_loadavg()} after."
        )
    unmet_keys = {c.key for c in all_checks(report) if c.met is False}
    wanted = {
        "GET server through the Flask test client": ("get", {"throughput-flask-get"}),
        "POST auth/tokens through the Flask test client": ("post", {"throughput-flask-post"}),
        "GET server through requests in emulator.mock": ("mock-get", {"warm-static", "warm-moto"}),
    }
    for title, (kind, keys) in wanted.items():
        if keys & unmet_keys:
            try:
                report.profiles[title] = profile(kind, 100 if args.quick else 500)
            except Exception as exc:
                report.profiles[title] = f"profiling failed: {exc}"
    elapsed = time.perf_counter() - started
    report.noise.append(
        f"- Whole run: {elapsed:.0f} s. The machine is shared (other engineers' test runs); the "
        "load average above shows how busy it was. Repeat `make bench` to see the spread."
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(report, METHOD), encoding="utf-8")
    print(f"wrote {out}" + (f" and {plot_path}" if report.scale else "") + f" in {elapsed:.0f} s")
    if out == REPO / "docs" / "BENCHMARKS.md" and complete:
        # Only a full run into the committed document refreshes the README's headline figures.
        readme = REPO / "README.md"
        readme.write_text(
            update_readme(readme.read_text(encoding="utf-8"), readme_block(report)),
            encoding="utf-8",
        )
        print(f"updated the headline figures in {readme}")
    for check in all_checks(report):
        verdict = {None: "report", True: "met", False: "UNMET"}[check.met]
        print(f"  {verdict:<6} {check.figure}: {check.measured} (target {check.target})")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
