"""GET by id as the emulator grows from 10 to 10,000 servers, and the memory each server costs.

One fresh interpreter per size: ``emulator.mock()``, servers added through the public
``add_server`` until the emulator holds N, under ``tracemalloc`` (bytes still held after the adds,
divided by the servers added; the process's RSS growth is shown beside it). Then GET by id through
``requests`` over a working set of the same 100 ids at every size (all of them below 100 servers),
each fetched twice first, then 2,000 GETs: their CPU time per GET (in-process calls never wait
on I/O; CPU time is what other load on a shared machine leaves alone). The figure is the time at
10,000 over the time at 10.
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc

from bench.core import Log, Row, at_most, emit, ratio, run_child

SIZES, QUICK_SIZES = (10, 100, 1_000, 10_000), (10, 100)
TIME_TARGET, KB_TARGET = 1.2, 10.0


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096


def child(size: str, count: str) -> None:
    import requests

    import emulator

    with emulator.mock() as cloud:
        ids = list(cloud.server_ids)
        headers = {"X-Auth-Token": cloud.token()}
        base = f"{cloud.compute_url}/v2/{cloud.project_id}/servers"
        gc.collect()
        rss = _rss()
        tracemalloc.start()
        added = int(size) - len(ids)
        ids += [cloud.add_server(name=f"bench-{i:05d}")["id"] for i in range(added)]
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        rss = _rss() - rss
        working = random.Random(7).sample(ids, min(100, len(ids)))
        for server_id in working * 2:
            requests.get(f"{base}/{server_id}", headers=headers, timeout=30)
        picks = random.Random(11).choices(working, k=int(count))
        started = time.process_time()
        for server_id in picks:
            response = requests.get(f"{base}/{server_id}", headers=headers, timeout=30)
            assert response.status_code == 200, response.text
        ms = (time.process_time() - started) * 1000 / len(picks)
    emit(ms=ms, bytes=held / max(added, 1), rss=rss / max(added, 1))


def measure(quick: bool, log: Log) -> list[Row]:
    sizes = QUICK_SIZES if quick else SIZES
    points = {}
    for size in sizes:
        points[size] = out = run_child("scale", "child", size, 200 if quick else 2000)
        log(
            f"  {size:>6,} servers: GET by id {out['ms']:.3f} ms, "
            f"{out['bytes'] / 1024:.2f} KB per server (RSS {out['rss'] / 1024:.2f} KB)"
        )
    small, large = points[sizes[0]], points[sizes[-1]]
    span = f"{sizes[0]:,} → {sizes[-1]:,} servers"
    growth = " → ".join(f"{points[s]['ms']:.3f}" for s in sizes)
    return [
        at_most(
            f"GET by id, {span}",
            TIME_TARGET,
            ratio(large["ms"], small["ms"]),
            f"{growth} ms CPU per GET",
            "×",
        ),
        at_most(
            f"memory per server at {sizes[-1]:,} servers",
            KB_TARGET,
            large["bytes"] / 1024,
            f"tracemalloc; RSS growth {large['rss'] / 1024:.2f} KB per server",
            " KB",
        ),
    ]
