"""Warm in-process GET: ``requests.get`` of the seed's server inside ``emulator.mock()``, vs a static
``responses`` mock serving a body of the same bytes at the same URL.

Each side runs in a fresh interpreter: a token first (the emulator), 20 untimed GETs, then the
CPU time of 500 GETs per GET (in-process calls never wait on I/O, so on an idle machine that is
their wall time; CPU time is what other load on a shared machine leaves alone). Three rounds,
interleaved; the least of each compared.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.core import Log, Row, at_most, emit, fastest, ratio, run_child

FIGURE = "warm in-process GET vs a static `responses` mock (same body size)"
TARGET = 1.5


def cpu_ms(call: Callable[[], object], count: int) -> float:
    """CPU milliseconds per call, after 20 untimed calls."""
    for _ in range(20):
        call()
    started = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - started) * 1000 / count


def emulator_child(count: str, body_path: str = "") -> None:
    import requests

    import emulator

    with emulator.mock() as cloud:
        url = f"{cloud.compute_url}/v2/{cloud.project_id}/servers/{cloud.server_ids[0]}"
        headers = {"X-Auth-Token": cloud.token()}
        body = requests.get(url, headers=headers, timeout=30).content
        if body_path:
            Path(body_path).write_bytes(body)
            Path(body_path + ".url").write_text(url, encoding="utf-8")

        def call() -> None:
            assert requests.get(url, headers=headers, timeout=30).status_code == 200

        emit(ms=cpu_ms(call, int(count)), size=len(body))


def static_child(count: str, body_path: str) -> None:
    import requests
    import responses

    body = Path(body_path).read_bytes()
    url = Path(body_path + ".url").read_text(encoding="utf-8")
    with responses.RequestsMock() as static:
        static.add(responses.GET, url, body=body, content_type="application/json")

        def call() -> None:
            assert requests.get(url, headers={"X-Auth-Token": "x"}, timeout=30).status_code == 200

        emit(ms=cpu_ms(call, int(count)), size=len(body))


def measure(quick: bool, log: Log) -> list[Row]:
    count = 50 if quick else 500
    ms: dict[str, list[float]] = {"emulator": [], "static": []}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as tmp:
        body = str(Path(tmp) / "server.json")
        run_child("warm_get", "emulator_child", 1, body)
        for i in range(1 if quick else 3):
            for name in ms:
                out = run_child("warm_get", f"{name}_child", count, body)
                ms[name].append(out["ms"])
                sizes[name] = out["size"]
                log(f"  {i + 1} {name}: {out['ms']:.3f} ms per GET ({out['size']} bytes)")
    emu, static = fastest(ms["emulator"]), fastest(ms["static"])
    detail = f"{emu:.3f} vs {static:.3f} ms CPU per GET, {sizes['emulator']:,} bytes"
    return [at_most(FIGURE, TARGET, ratio(emu, static), detail, "×")]
