"""Run the benchmarks and write ``docs/BENCHMARKS.md``.

    python -m bench                      # every figure (a few minutes); writes docs/BENCHMARKS.md
    python -m bench --quick              # smoke run: short and rough; writes a temporary file
    python -m bench --only scale         # some figures; writes a temporary file

A figure module that fails is reported as "not run" and the exit code is 1; the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import platform
import string
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from bench import FIGURES
from bench.core import MET, NOT_RUN, REPO, REPORTED, Row

TEMPLATE = Path(__file__).with_name("BENCHMARKS.md.in")
DOCUMENT = REPO / "docs" / "BENCHMARKS.md"


def render(rows: Sequence[Row], methods: dict[str, str], context: dict[str, str]) -> str:
    """The document: the table, a list of the rows not met, and each module's method."""
    table = "\n".join(
        f"| {r.figure} | {r.target} | {r.measured} | {_bold_unless_fine(r.verdict)} |" for r in rows
    )
    missed = [r for r in rows if r.verdict not in (MET, REPORTED)]
    unmet = f"All {len(rows)} rows met or reported."
    if missed:
        unmet = f"{len(missed)} of {len(rows)} rows not met, skipped or not run:\n\n" + "\n".join(
            f"- **{r.figure}** — {r.verdict}; target {r.target}; measured {r.measured}"
            for r in missed
        )
    method_text = "\n\n".join(f"**`bench/{name}.py`** — {text}" for name, text in methods.items())
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        context, rows=table, unmet=unmet, methods=method_text
    )


def _bold_unless_fine(verdict: str) -> str:
    return verdict if verdict in (MET, REPORTED) else f"**{verdict}**"


def method(module: ModuleType) -> str:
    """A module's docstring on one paragraph per blank line."""
    doc = inspect.getdoc(module) or ""
    return "\n\n".join(" ".join(part.split()) for part in doc.split("\n\n"))


def _commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "emulator", "runbook", "bench"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return (out.stdout.strip() or "unknown") + (
        " + uncommitted changes" if dirty.stdout.strip() else ""
    )


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def run(names: Sequence[str], quick: bool, out: Path) -> int:
    """Measure ``names``, print the rows, write ``out``; 1 when a module failed."""
    started, load_before = time.perf_counter(), _load()
    rows: list[Row] = []
    methods: dict[str, str] = {}
    failed = False
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        methods[name] = method(module)
        print(f"[{name}] load average {_load()}", flush=True)
        try:
            rows += module.measure(quick, lambda line: print(line, flush=True))
        except Exception as exc:
            traceback.print_exc()
            failed = True
            rows.append(
                Row(
                    f"`bench/{name}.py`",
                    "—",
                    f"{type(exc).__name__}: {exc}".replace("|", "/")[:300],
                    NOT_RUN,
                )
            )
    context = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": _commit(),
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"
        + (", `--quick` (rough numbers)" if quick else ""),
        "load_before": load_before,
        "load_after": _load(),
        "seconds": f"{time.perf_counter() - started:.0f}",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(rows, methods, context), encoding="utf-8")
    for row in rows:
        print(f"  {row.verdict:<8} {row.figure}: {row.measured} (target {row.target})")
    print(f"wrote {out}")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="short smoke run; numbers are rough")
    parser.add_argument(
        "--only",
        action="append",
        choices=FIGURES,
        metavar="NAME",
        help=f"only this figure module (repeatable): {', '.join(FIGURES)}",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="where to write the document (default: docs/BENCHMARKS.md for a full run, else a temporary file)",
    )
    args = parser.parse_args(argv)
    names = args.only or list(FIGURES)
    complete = not args.quick and set(names) == set(FIGURES)
    # Only a full run replaces the committed document.
    default = DOCUMENT if complete else Path(tempfile.gettempdir()) / "BENCHMARKS-partial.md"
    return run(names, args.quick, args.out or default)


if __name__ == "__main__":
    sys.exit(main())
