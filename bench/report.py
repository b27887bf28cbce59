"""Render the measured results as ``docs/BENCHMARKS.md``: a summary of targets, then details."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bench.common import median, ratio
from bench.findings import FINDINGS, NOTES
from bench.mockbench import MINIMAL_FLASK, NO_CONTROL, MockResult
from bench.scale import ScalePoint
from bench.startup import StartupResult, summary
from bench.throughput import ThroughputResult

EMU_GET, FLASK_GET = "emulator GET server", "flask GET (same JSON)"
EMU_POST, FLASK_POST = "emulator POST auth/tokens", "flask POST (same JSON)"
MOTO = "moto DescribeInstances"


@dataclass
class Check:
    """One figure of the issue: what it is, the target, the number, and whether it holds."""

    key: str
    figure: str
    target: str
    measured: str
    met: bool | None  # None: reported only, no target


@dataclass
class Report:
    """Everything ``bench/run.py`` collected in one run."""

    header: list[str]
    throughput: ThroughputResult | None = None
    mock: MockResult | None = None
    startup: StartupResult | None = None
    scale: list[ScalePoint] | None = None
    failures: dict[str, str] = field(default_factory=dict)
    noise: list[str] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)
    app_cost_us: dict[str, float] = field(default_factory=dict)
    plot_name: str = "bench-scale.png"


def _x(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:.2f}×"


def _verdict(met: bool | None) -> str:
    return "report" if met is None else ("met" if met else "**UNMET**")


def _spread(values: list[float], fmt: str = ",.0f") -> str:
    if len(values) < 2:
        return ""
    return f" ({min(values):{fmt}}–{max(values):{fmt}})"


def throughput_checks(t: ThroughputResult) -> list[Check]:
    """Ratios of section 1."""
    checks = []
    pairs = ((EMU_GET, FLASK_GET, "GET server"), (EMU_POST, FLASK_POST, "POST token"))
    for emu, flask, label in pairs:
        r = ratio(t.rps(emu), t.rps(flask))
        checks.append(
            Check(
                f"throughput-flask-{label.split()[0].lower()}",
                f"1. {label} req/s vs Flask on waitress",
                "≥ 0.8",
                f"{r:.2f} ({t.rps(emu):,.0f} vs {t.rps(flask):,.0f} req/s)",
                r >= 0.8,
            )
        )
    for emu, label in ((EMU_GET, "GET server"), (EMU_POST, "POST token")):
        r = ratio(t.rps(emu), t.rps(MOTO))
        checks.append(
            Check(
                f"throughput-moto-{label.split()[0].lower()}",
                f"1. {label} req/s vs moto server",
                "≥ 10×",
                f"{_x(r)} ({t.rps(emu):,.0f} vs {t.rps(MOTO):,.0f} req/s)",
                r >= 10,
            )
        )
    for name in (EMU_GET, EMU_POST):
        checks.append(
            Check(
                f"latency-{name.split()[1].lower()}",
                f"1. {name} p50 / p99",
                "report",
                f"{t.p50(name):.2f} / {t.p99(name):.2f} ms",
                None,
            )
        )
    return checks


def mock_checks(m: MockResult) -> list[Check]:
    """Ratios of section 2."""
    emu, moto, floor = (m.cold_median(n) for n in ("emulator.mock", "moto mock_aws", "floor"))
    cpu_emu, cpu_moto, cpu_floor = (
        m.cold_cpu_median(n) for n in ("emulator.mock", "moto mock_aws", "floor")
    )
    warm_emu, warm_moto, warm_static = (
        m.warm_median(n) for n in ("emulator.mock", "moto mock_aws", "responses static")
    )
    return [
        Check(
            "cold-moto",
            "2. cold start vs moto mock_aws",
            "≤ 0.20",
            f"{ratio(emu, moto):.3f} ({emu * 1000:.0f} vs {moto * 1000:.0f} ms; "
            f"CPU time {ratio(cpu_emu, cpu_moto):.3f})",
            ratio(emu, moto) <= 0.2,
        ),
        Check(
            "cold-floor",
            "2. cold start vs import flask+requests+responses",
            "≤ 1.3×",
            f"{_x(ratio(emu, floor))} ({emu * 1000:.0f} vs {floor * 1000:.0f} ms; "
            f"CPU time {_x(ratio(cpu_emu, cpu_floor))})",
            ratio(emu, floor) <= 1.3,
        ),
        Check(
            "warm-moto",
            "2. warm GET vs moto describe_instances",
            "≤ 0.20",
            f"{ratio(warm_emu, warm_moto):.3f} ({warm_emu:.3f} vs {warm_moto:.3f} ms)",
            ratio(warm_emu, warm_moto) <= 0.2,
        ),
        Check(
            "warm-static",
            "2. warm GET vs static responses mock",
            "≤ 1.5×",
            f"{_x(ratio(warm_emu, warm_static))} ({warm_emu:.3f} vs {warm_static:.3f} ms)",
            ratio(warm_emu, warm_static) <= 1.5,
        ),
    ]


def startup_checks(s: StartupResult) -> list[Check]:
    """Section 3 (reported against pytest) and section 4 (≤ 1.5×)."""
    m = summary(s)
    checks = [
        Check(
            "server-start",
            "3. EmulatorServer start → first health 200",
            "report (≪ pytest start)",
            f"{m['server_first'] * 1000:.1f} ms first, {m['server_median'] * 1000:.1f} ms "
            f"median; {ratio(m['server_first'], m['trivial_pytest']):.3f} of a trivial pytest "
            f"run ({m['trivial_pytest']:.2f} s)",
            None,
        ),
    ]
    if s.rehearsal:
        ok = all(code == 0 for code in s.rehearsal_exit)
        r = ratio(m["rehearsal"], m["trivial_pytest"])
        cpu = _x(ratio(m["rehearsal_cpu"], m["trivial_pytest_cpu"]))
        measured = f"{_x(r)} ({m['rehearsal']:.2f} vs {m['trivial_pytest']:.2f} s; CPU time {cpu})"
        if not ok:
            measured += f"; `pytest runbook` exit codes {s.rehearsal_exit}"
        checks.append(
            Check(
                "rehearsal",
                "4. `pytest runbook` vs trivial pytest",
                "≤ 1.5×",
                measured,
                ok and r <= 1.5,
            )
        )
    return checks


def scale_checks(points: list[ScalePoint]) -> list[Check]:
    """Section 5: flat GET, detail reported, memory per server."""
    first, last = points[0], points[-1]
    growth = ratio(last.get_median_ms, first.get_median_ms)
    kb = (last.backend_bytes_per_server + last.seed_bytes_per_server) / 1024
    return [
        Check(
            "scale-get",
            f"5. GET by id, {first.servers:,} → {last.servers:,} servers",
            "≤ 1.2×",
            f"{_x(growth)} ({first.get_median_ms:.3f} → {last.get_median_ms:.3f} ms)",
            growth <= 1.2,
        ),
        Check(
            "scale-detail",
            f"5. servers/detail at {last.servers:,} servers",
            "report (linear ok)",
            f"{last.detail_ms:,.1f} ms for {last.detail_returned:,} servers returned",
            None,
        ),
        Check(
            "scale-memory",
            f"5. memory per server at {last.servers:,}",
            "≤ 10 KB",
            f"{kb:.2f} KB (backend {last.backend_bytes_per_server / 1024:.2f} + seed "
            f"{last.seed_bytes_per_server / 1024:.2f})",
            kb <= 10,
        ),
    ]


def all_checks(report: Report) -> list[Check]:
    """Every check of the parts that ran."""
    checks: list[Check] = []
    if report.throughput:
        checks += throughput_checks(report.throughput)
    if report.mock:
        checks += mock_checks(report.mock)
    if report.startup:
        checks += startup_checks(report.startup)
    if report.scale:
        checks += scale_checks(report.scale)
    return checks


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
        rows.append(f"| {verb} | {emu:.0f} | {bare:.0f} | {base:.0f} | {_x(ratio(emu, base))} |")
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
    base = report.app_cost_us.get(f"flask baseline {verb}", 0.0)
    if not 0 < r < 1 or not emu:
        return ""
    # ratio = (W + base) / (W + emu), W being the per-request cost outside the app.
    outside = (r * emu - base) / (1 - r)
    allowed = (outside + base) / 0.8 - outside
    return (
        f" This run: {verb} costs {emu:.0f} µs inside the app vs the baseline's {base:.0f} µs; "
        f"with the measured ratio that puts the cost outside the app at ~{outside:.0f} µs per "
        f"request, so ≥ 0.8 needs the emulator's in-app cost ≤ ~{allowed:.0f} µs."
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
    lines += [f"| {c.figure} | {c.target} | {c.measured} | {_verdict(c.met)} |" for c in checks]
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
        lines += ["", "### Profiles (cProfile, this run)", ""]
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


README_BEGIN = "<!-- BEGIN bench-figures -->"
README_END = "<!-- END bench-figures -->"


def readme_block(report: Report, doc_link: str = "docs/BENCHMARKS.md") -> str:
    """The README's headline ratios, between the bench-figures markers."""
    checks = [c for c in all_checks(report) if c.met is not None]
    met = sum(1 for c in checks if c.met)
    lines = [
        README_BEGIN,
        f"**Performance** ([`{doc_link}`]({doc_link}), written by `make bench`; every figure "
        "is a ratio against a baseline measured in the same run on the same 2-core machine; "
        f"{met} of {len(checks)} targets met in the last run):",
        "",
        "| figure | target | last run |",
        "|---|---|---|",
    ]
    for check in checks:
        headline = check.measured.split(" (", 1)[0]
        lines.append(f"| {check.figure} | {check.target} | {headline} — {_verdict(check.met)} |")
    for part in report.failures:
        lines.append(f"| {part} | — | not run |")
    lines.append(README_END)
    return "\n".join(lines)


def update_readme(readme: str, block: str) -> str:
    """Replace the bench-figures block, or add it right after ``<!-- BEGIN figures -->``."""
    if README_BEGIN in readme and README_END in readme:
        head, rest = readme.split(README_BEGIN, 1)
        tail = rest.split(README_END, 1)[1]
        return head + block + tail
    anchor = "<!-- BEGIN figures -->\n"
    if anchor not in readme:
        raise ValueError("README.md has no <!-- BEGIN figures --> marker")
    return readme.replace(anchor, anchor + block + "\n", 1)
