"""Benchmark 5: 10 → 10,000 seeded servers — GET by id, ``servers/detail`` and memory per server.

Each size runs in a fresh interpreter (``python -c "from bench.scale import child; child(N)"``):
memory is measured with ``tracemalloc`` around building the seed's servers and around
``create_app`` (minus an app with the default seed, so the app's fixed cost cancels out), and
requests go through Flask's test client, i.e. the whole WSGI stack without sockets, which keeps
the per-call noise low enough to see whether a lookup grows with the number of servers.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import run_python
from bench.demo import AUTH_BODY, PROJECT_ID

SIZES = (10, 100, 1_000, 10_000)
QUICK_SIZES = (10, 100)


@dataclass
class ScalePoint:
    """What one size measured (times in milliseconds, memory in bytes per server)."""

    servers: int
    get_median_ms: float
    get_p90_ms: float
    detail_ms: float
    detail_returned: int
    backend_bytes_per_server: float
    seed_bytes_per_server: float
    rss_bytes_per_server: float


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096


def _traced(build: Any) -> tuple[Any, int]:
    """Build something under tracemalloc; return it and the bytes it still holds."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    built = build()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return built, after - before


def child(count: int) -> None:
    """Measure one size; print one JSON line (a ``ScalePoint``)."""
    from emulator.app import create_app
    from emulator.config import EmulatorConfig
    from emulator.seed import load_default_seed, server_seed_from_dict

    base = load_default_seed()
    create_app(EmulatorConfig(seed=base))  # warm every import and lazy cache first
    _, base_app_bytes = _traced(lambda: create_app(EmulatorConfig(seed=base)))
    ids = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-server-{i}")) for i in range(count)]

    def build_servers() -> Any:
        return tuple(
            server_seed_from_dict({"id": sid, "name": f"bench-{i:05d}"}, base, f"servers[{i}]")
            for i, sid in enumerate(ids)
        )

    servers, seed_bytes = _traced(build_servers)
    seed = base.with_servers(*servers)
    rss_before = _rss_bytes()
    app, app_bytes = _traced(lambda: create_app(EmulatorConfig(seed=seed)))
    rss_after = _rss_bytes()

    client = app.test_client()
    auth = client.post("/identity/v3/auth/tokens", json=AUTH_BODY)
    assert auth.status_code == 201, auth.get_data(as_text=True)
    headers = {"X-Auth-Token": auth.headers["X-Subject-Token"]}
    base_url = f"/compute/v2/{PROJECT_ID}/servers"
    rng = random.Random(7)

    # The same working set at every size (100 ids, or all of them when fewer), each warmed first:
    # the emulator caches a server's rendered body, so a random pick among 10,000 ids would
    # compare uncached renders with cached ones at 10 servers instead of the lookup's scaling.
    working_set = rng.sample(ids, min(100, count))

    def get_one() -> float:
        url = f"{base_url}/{rng.choice(working_set)}"
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.get_data(as_text=True)
        return elapsed * 1000.0

    for sid in working_set * 2:
        client.get(f"{base_url}/{sid}", headers=headers)
    for _ in range(100):
        get_one()
    times = sorted(get_one() for _ in range(2000))
    detail_times = []
    returned = 0
    for _ in range(3 if count >= 10_000 else 7):
        started = time.perf_counter()
        response = client.get(f"{base_url}/detail", headers=headers)
        detail_times.append((time.perf_counter() - started) * 1000.0)
        assert response.status_code == 200, response.get_data(as_text=True)
        returned = len(response.get_json()["servers"])
    point = ScalePoint(
        servers=count,
        get_median_ms=statistics.median(times),
        get_p90_ms=times[int(len(times) * 0.9) - 1],
        detail_ms=statistics.median(detail_times),
        detail_returned=returned,
        backend_bytes_per_server=(app_bytes - base_app_bytes) / count,
        seed_bytes_per_server=seed_bytes / count,
        rss_bytes_per_server=(rss_after - rss_before) / count,
    )
    print(json.dumps(point.__dict__))


def measure(quick: bool = False, log: Any = print) -> list[ScalePoint]:
    """One fresh process per size."""
    points = []
    for count in QUICK_SIZES if quick else SIZES:
        out = run_python(f"from bench.scale import child; child({count})", timeout=600)
        point = ScalePoint(**out)
        points.append(point)
        log(
            f"  {count:>6} servers: GET by id {point.get_median_ms:.3f} ms, detail "
            f"{point.detail_ms:.1f} ms ({point.detail_returned} returned), "
            f"{(point.backend_bytes_per_server + point.seed_bytes_per_server) / 1024:.1f} KB/server"
        )
    return points


def plot(points: list[ScalePoint], path: Path) -> None:
    """One small PNG with the three series against the number of servers (log x)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [p.servers for p in points]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), dpi=80)
    axes[0].plot(xs, [p.get_median_ms for p in points], "o-", label="median")
    axes[0].plot(xs, [p.get_p90_ms for p in points], "s--", label="p90")
    axes[0].set_title("GET server by id (ms)")
    axes[0].set_ylim(bottom=0)
    axes[0].legend()
    axes[1].plot(xs, [p.detail_ms for p in points], "o-")
    axes[1].set_title("GET servers/detail (ms)")
    axes[1].set_yscale("log")
    kb = [(p.backend_bytes_per_server + p.seed_bytes_per_server) / 1024 for p in points]
    axes[2].plot(xs, kb, "o-", label="backend + seed")
    axes[2].plot(xs, [p.backend_bytes_per_server / 1024 for p in points], "s--", label="backend")
    axes[2].axhline(10, color="red", linestyle=":", label="target 10 KB")
    axes[2].set_title("memory per server (KB, tracemalloc)")
    axes[2].set_ylim(bottom=0)
    axes[2].legend()
    for axis in axes:
        axis.set_xscale("log")
        axis.set_xlabel("seeded servers")
        axis.grid(True, alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
