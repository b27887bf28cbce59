"""Render the measured results as ``docs/BENCHMARKS.md``: a summary of targets, then details."""

from __future__ import annotations

from bench.checks import (
    EMU_GET,
    EMU_POST,
    FLASK_GET,
    FLASK_POST,
    Report,
    all_checks,
    times,
    verdict_text,
)
from bench.common import median, ratio
from bench.findings import FINDINGS, NOTES
from bench.mockbench import MINIMAL_FLASK, NO_CONTROL, MockResult
from bench.scale import ScalePoint
from bench.throughput import ThroughputResult


def _spread(values: list[float], fmt: str = ",.0f") -> str:
    if len(values) < 2:
        return ""
    return f" ({min(values):{fmt}}–{max(values):{fmt}})"


def _throughput_section(t: ThroughputResult) -> list[str]:
    rows = [
        f"{len(next(iter(t.rounds.values())))} rounds; waitress threads: {t.threads} (emulator "
        "and baseline). CPU columns: CPU time of the server process (from /proc) and of the "
        "generator's processes, divided by the responses they handled — less sensitive to other "
        "load on the machine than req/s.",
        "",
        "| target | req/s: median (range) | p50 ms | p99 ms | server CPU µs/req "
        "| generator CPU µs/req | body bytes | statuses | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for name in t.rounds:
        spread = _spread([r.rps for r in t.rounds[name]])
        rows.append(
            f"| {name} | {t.rps(name):,.0f}{spread} | {t.p50(name):.2f} | {t.p99(name):.2f} "
            f"| {t.server_cpu_us(name):,.0f} | {t.generator_cpu_us(name):,.0f} "
            f"| {t.sizes.get(name, 0):,} | {t.statuses(name)} | {t.errors(name)} |"
        )
    shares = [
        ratio(t.generator_cpu_us(name), t.server_cpu_us(name))
        for name in t.rounds
        if t.server_cpu_us(name)
    ]
    if shares:
        rows += [
            "",
            f"The load generator used {min(shares):.0%}–{max(shares):.0%} of the server's CPU per "
            "request. A Python server process runs its Python code on one core at a time (the "
            "GIL); the generator's processes run beside it on the 2 cores, the same for every "
            "target.",
        ]
    return rows


def _app_cost_section(cost: dict[str, float]) -> list[str]:
    rows = [
        "CPU per request inside the WSGI app (prebuilt environ, no socket, no waitress; "
        "median µs) — the work our code adds on top of Flask:",
        "",
        "| request | emulator | emulator, control_plane=False | Flask baseline | emulator / baseline |",
        "|---|---:|---:|---:|---:|",
    ]
    for verb in ("GET", "POST"):
        emu, bare, base = (
            cost.get(f"{label} {verb}", 0.0)
            for label in ("emulator", "emulator, control_plane=False", "flask baseline")
        )
        rows.append(f"| {verb} | {emu:.0f} | {bare:.0f} | {base:.0f} | {times(ratio(emu, base))} |")
    return rows


def _mock_section(m: MockResult) -> list[str]:
    rows = [
        "| cold start (fresh process) | median wall ms | median CPU ms | wall samples ms |",
        "|---|---:|---:|---|",
    ]
    for name, values in m.cold.items():
        samples = ", ".join(f"{v * 1000:.0f}" for v in values)
        rows.append(
            f"| {name} | {m.cold_median(name) * 1000:.0f} | {m.cold_cpu_median(name) * 1000:.0f} "
            f"| {samples} |"
        )
    rows += ["", "| warm call | median ms per call | per-round medians |", "|---|---:|---|"]
    for name, values in m.warm_ms.items():
        rows.append(
            f"| {name} | {m.warm_median(name):.3f} | {', '.join(f'{v:.3f}' for v in values)} |"
        )
    return rows


def _scale_section(points: list[ScalePoint], plot_name: str) -> list[str]:
    rows = [
        "| servers | GET by id median ms | p90 ms | servers/detail ms | returned | "
        "backend B/server | seed B/server | RSS B/server |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        rows.append(
            f"| {p.servers:,} | {p.get_median_ms:.3f} | {p.get_p90_ms:.3f} | {p.detail_ms:,.1f} "
            f"| {p.detail_returned:,} | {p.backend_bytes_per_server:,.0f} "
            f"| {p.seed_bytes_per_server:,.0f} | {p.rss_bytes_per_server:,.0f} |"
        )
    return [*rows, "", f"![scaling]({plot_name})"]


def _budget(key: str, report: Report) -> str:
    """For a missed Flask ratio: the in-app CPU the emulator may spend to reach 0.8, this run."""
    verbs = {"throughput-flask-get": "GET", "throughput-flask-post": "POST"}
    if key not in verbs or report.throughput is None or not report.app_cost_us:
        return ""
    verb = verbs[key]
    emu_name, base_name = (EMU_GET, FLASK_GET) if verb == "GET" else (EMU_POST, FLASK_POST)
    r = ratio(report.throughput.rps(emu_name), report.throughput.rps(base_name))
    emu = report.app_cost_us.get(f"emulator {verb}", 0.0)
    bare = report.app_cost_us.get(f"emulator, control_plane=False {verb}", 0.0)
    base = report.app_cost_us.get(f"flask baseline {verb}", 0.0)
    if not 0 < r < 1 or not emu:
        return ""
    # ratio = (W + base) / (W + emu), W being the per-request cost outside the app.
    outside = (r * emu - base) / (1 - r)
    allowed = (outside + base) / 0.8 - outside
    control = ""
    if bare:
        # Noise can put the run without the control plane above the one with it: then say so.
        share = ratio(emu - bare, emu)
        control = (
            f", {emu - bare:.0f} µs ({share:.0%}) of it in the control plane's hooks"
            if emu - bare >= 1
            else ", none of it measurably in the control plane's hooks"
        )
    return (
        f" This run: {verb} costs {emu:.0f} µs inside the app vs the baseline's {base:.0f} µs"
        f"{control}; with the measured ratio that puts the cost outside the app at "
        f"~{outside:.0f} µs per request, so ≥ 0.8 needs the emulator's in-app cost "
        f"≤ ~{allowed:.0f} µs."
    )


def _warm_floor(key: str, report: Report) -> str:
    """For a missed warm-call ratio: this run's diagnostic rows as ratios to the same baseline."""
    if key not in ("warm-static", "warm-moto") or report.mock is None:
        return ""
    m = report.mock
    base = m.warm_median("responses static" if key == "warm-static" else "moto mock_aws")
    parts = [
        f"{label} {ratio(m.warm_median(name), base):.2f}×"
        for label, name in (
            ("`control_plane=False`", NO_CONTROL),
            ("a minimal Flask route behind `responses`", MINIMAL_FLASK),
        )
        if m.warm_ms.get(name)
    ]
    return f" This run, against the same baseline: {'; '.join(parts)}." if parts else ""


def render(report: Report, method: list[str]) -> str:
    """The whole Markdown document."""
    checks = all_checks(report)
    lines = ["# Benchmarks", "", *report.header, "", "## Summary", ""]
    lines += ["| figure | target | measured | verdict |", "|---|---|---|---|"]
    lines += [f"| {c.figure} | {c.target} | {c.measured} | {verdict_text(c.met)} |" for c in checks]
    for part, error in report.failures.items():
        lines.append(f"| {part} | — | **NOT RUN**: {error} | **UNMET** |")
    unmet = [c for c in checks if c.met is False]
    if unmet or report.failures:
        lines += ["", "## Unmet targets: causes and fixes", ""]
        for c in unmet:
            finding = FINDINGS.get(c.key, "cause not analysed in this run.")
            finding += _budget(c.key, report) + _warm_floor(c.key, report)
            lines += [f"- **{c.figure}** — {c.measured}. {finding}"]
        for part, error in report.failures.items():
            lines += [f"- **{part}** did not run: {error}"]
    notes = [c for c in checks if c.key in NOTES]
    if notes:
        lines += ["", "## Observations", ""]
        lines += [f"- **{c.figure}** — {c.measured}. {NOTES[c.key]}" for c in notes]
    if report.profiles:
        lines += ["", "## Profiles (cProfile, this run)", ""]
        for title, text in report.profiles.items():
            lines += [f"{title}:", "", "```", text.rstrip(), "```", ""]
    if report.throughput:
        lines += [
            "",
            "## 1. Standalone server throughput",
            "",
            *_throughput_section(report.throughput),
        ]
    if report.app_cost_us:
        lines += ["", *_app_cost_section(report.app_cost_us)]
    if report.mock:
        lines += ["", "## 2. In-process mock", "", *_mock_section(report.mock)]
    if report.startup:
        s = report.startup
        lines += [
            "",
            "## 3–4. Start-up and rehearsal",
            "",
            "| series | median s | samples s |",
            "|---|---:|---|",
        ]
        for name, values in (
            ("trivial one-test pytest (wall)", s.trivial_pytest),
            ("pytest runbook (wall)", s.rehearsal),
            ("trivial one-test pytest (CPU)", s.trivial_pytest_cpu),
            ("pytest runbook (CPU)", s.rehearsal_cpu),
            ("import emulator.server", s.server_import),
            ("EmulatorServer start → health 200, first in process", s.server_first),
            ("EmulatorServer start → health 200, median of repeats", s.server_median),
        ):
            if values:
                samples = ", ".join(f"{v:.4f}" for v in values)
                lines.append(f"| {name} | {median(values):.4f} | {samples} |")
    if report.scale:
        lines += ["", "## 5. Scale", "", *_scale_section(report.scale, report.plot_name)]
    lines += ["", "## Method and noise", "", *method, *report.noise, ""]
    return "\n".join(lines)
