"""GET by id as the emulator grows from 10 to 10,000 servers, and the memory each server costs.

One fresh interpreter holding one ``emulator.mock()`` per size, each filled through the public
``add_server`` until it holds N servers; the largest is filled under ``tracemalloc`` (bytes still
held after the adds, divided by the servers added; the process's RSS growth is shown beside it).
Then GET by id through ``requests`` over a working set of the same 100 ids at every size (all of
them below 100 servers), each fetched twice first: batches of 100 GETs, the sizes taking turns
(each mock started for its batch), 10 rounds; each size's fastest batch. The figure is the time
at 10,000 over the time at 10.
"""

from __future__ import annotations

import gc
import random
import tracemalloc
from typing import Any

from bench.core import Log, Row, at_most, emit, interleaved, ratio, run_child

SIZES, QUICK_SIZES = (10, 100, 1_000, 10_000), (10, 100)
TIME_TARGET, KB_TARGET = 1.2, 10.0


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096


def child(rounds: str, *sizes: str) -> None:
    import requests

    import emulator

    contenders: dict[str, tuple[Any, Any]] = {}
    memory: dict[str, float] = {}
    for size in sizes:
        cloud = emulator.mock()
        with cloud:
            ids = list(cloud.server_ids)
            headers = {"X-Auth-Token": cloud.token()}
            base = f"{cloud.compute_url}/v2/{cloud.project_id}/servers"
            largest = size == sizes[-1]
            gc.collect()
            rss = _rss()
            if largest:
                tracemalloc.start()
            added = int(size) - len(ids)
            ids += [cloud.add_server(name=f"bench-{i:05d}")["id"] for i in range(added)]
            if largest:
                gc.collect()
                memory["bytes"] = tracemalloc.get_traced_memory()[0] / max(added, 1)
                tracemalloc.stop()
                memory["rss"] = (_rss() - rss) / max(added, 1)
            working = random.Random(7).sample(ids, min(100, len(ids)))
            for server_id in working * 2:
                requests.get(f"{base}/{server_id}", headers=headers, timeout=30)
        contenders[size] = (lambda cloud=cloud: cloud, _getter(base, headers, working))
    emit(ms=interleaved(contenders, int(rounds), 100), **memory)


def _getter(base: str, headers: dict[str, str], working: list[str]) -> Any:
    import requests

    picks = iter(random.Random(11).choices(working, k=1_000_000))

    def get() -> None:
        response = requests.get(f"{base}/{next(picks)}", headers=headers, timeout=30)
        assert response.status_code == 200, response.text

    return get


def measure(quick: bool, log: Log) -> list[Row]:
    sizes = QUICK_SIZES if quick else SIZES
    out = run_child("scale", "child", 2 if quick else 10, *sizes)
    ms = {int(size): value for size, value in out["ms"].items()}
    growth = " → ".join(f"{ms[s]:.3f}" for s in sizes)
    log(f"  GET by id at {', '.join(f'{s:,}' for s in sizes)} servers: {growth} ms")
    log(f"  {out['bytes'] / 1024:.2f} KB per server (RSS {out['rss'] / 1024:.2f} KB)")
    span = f"{sizes[0]:,} → {sizes[-1]:,} servers"
    return [
        at_most(
            f"GET by id, {span}",
            TIME_TARGET,
            ratio(ms[sizes[-1]], ms[sizes[0]]),
            f"{growth} ms",
            "×",
        ),
        at_most(
            f"memory per server at {sizes[-1]:,} servers",
            KB_TARGET,
            out["bytes"] / 1024,
            f"tracemalloc; RSS growth {out['rss'] / 1024:.2f} KB per server",
            " KB",
        ),
    ]
