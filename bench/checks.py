"""The issue's figures as checks: what each is, its target, this run's number, met or not."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bench.common import ratio
from bench.mockbench import MockResult
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


def times(value: float) -> str:
    """A ratio as ``1.23×`` (∞ for a zero baseline)."""
    return "∞" if math.isinf(value) else f"{value:.2f}×"


def verdict_text(met: bool | None) -> str:
    """``met``, ``**UNMET**`` or ``report`` (a figure without a target)."""
    return "report" if met is None else ("met" if met else "**UNMET**")


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
                f"{times(r)} ({t.rps(emu):,.0f} vs {t.rps(MOTO):,.0f} req/s)",
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
            f"{times(ratio(emu, floor))} ({emu * 1000:.0f} vs {floor * 1000:.0f} ms; "
            f"CPU time {times(ratio(cpu_emu, cpu_floor))})",
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
            f"{times(ratio(warm_emu, warm_static))} ({warm_emu:.3f} vs {warm_static:.3f} ms)",
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
        cpu = times(ratio(m["rehearsal_cpu"], m["trivial_pytest_cpu"]))
        measured = (
            f"{times(r)} ({m['rehearsal']:.2f} vs {m['trivial_pytest']:.2f} s; CPU time {cpu})"
        )
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
            f"{times(growth)} ({first.get_median_ms:.3f} → {last.get_median_ms:.3f} ms)",
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
