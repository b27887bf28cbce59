"""Benchmark 2 (parent side): cold start and warm call of ``emulator.mock`` vs moto and the floor.

Every measurement runs in a fresh interpreter (``bench/inproc.py``); cold starts are repeated and
interleaved (emulator, moto, floor, emulator, ...) so that noise from the shared machine spreads
over all three, and the median is reported.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import median, run_python


@dataclass
class MockResult:
    """Medians in seconds (cold) and milliseconds per call (warm), and the raw samples."""

    cold: dict[str, list[float]]
    warm_ms: dict[str, list[float]]
    sizes: dict[str, int]
    # CPU seconds of each cold start (user + system): barely moved by other load on the machine.
    cold_cpu: dict[str, list[float]] = field(default_factory=dict)

    def cold_cpu_median(self, name: str) -> float:
        return median(self.cold_cpu.get(name, []))

    def cold_median(self, name: str) -> float:
        return median(self.cold[name])

    def warm_median(self, name: str) -> float:
        return median(self.warm_ms[name])


COLD = {"emulator.mock": "cold_emulator", "moto mock_aws": "cold_moto", "floor": "cold_floor"}


def _call(function: str, *args: Any) -> dict[str, Any]:
    arguments = ", ".join(repr(a) for a in args)
    return run_python(f"from bench.inproc import {function}; {function}({arguments})")


# Diagnostics: not targets, they show where the warm call's time goes.
NO_CONTROL = "emulator.mock, control_plane=False (diagnostic)"
MINIMAL_FLASK = "minimal Flask route behind responses (diagnostic)"


def measure(quick: bool = False, log: Any = print) -> MockResult:
    """Cold starts ``repeats`` times each (median) and warm per-call medians."""
    repeats, warm_rounds, scale = (1, 1, 4) if quick else (7, 3, 1)
    calls = {
        "emulator.mock": 400 // scale,
        "responses static": 400 // scale,
        "moto mock_aws": 100 // scale,
        NO_CONTROL: 400 // scale,
        MINIMAL_FLASK: 400 // scale,
    }
    cold: dict[str, list[float]] = {name: [] for name in COLD}
    cold_cpu: dict[str, list[float]] = {name: [] for name in COLD}
    for function in COLD.values():
        _call(function)  # untimed: writes the bytecode caches, warms the OS file cache
    for i in range(repeats):
        for name, function in COLD.items():
            out = _call(function)
            cold[name].append(float(out["seconds"]))
            cold_cpu[name].append(float(out["cpu"]))
            log(
                f"  cold {i + 1}/{repeats} {name}: {out['seconds'] * 1000:.0f} ms "
                f"(CPU {out['cpu'] * 1000:.0f} ms)"
            )
    warm: dict[str, list[float]] = {name: [] for name in calls}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        body_path = str(Path(tmp) / "server.json")
        sizes["server body"] = int(_call("server_body", body_path)["size"])
        runs: dict[str, tuple[str, tuple[Any, ...]]] = {
            "emulator.mock": ("warm_emulator", ()),
            "responses static": ("warm_static", (body_path,)),
            "moto mock_aws": ("warm_moto", ()),
            NO_CONTROL: ("warm_emulator", (False,)),
            MINIMAL_FLASK: ("warm_flask_callback", (body_path,)),
        }
        for i in range(warm_rounds):
            for name, count in calls.items():
                function, extra = runs[name]
                out = _call(function, count, *extra)
                warm[name].append(float(out["median_ms"]))
                log(f"  warm {i + 1}/{warm_rounds} {name}: {out['median_ms']:.3f} ms per call")
    return MockResult(cold, warm, sizes, cold_cpu)
