"""Warm in-process GET: ``requests.get`` of the seed's server inside ``emulator.mock()``, vs a static
``responses`` mock serving a body of the same bytes at the same URL.

One fresh interpreter: a token first, 20 untimed GETs of each, then batches of 50 GETs taking
turns (the emulator's mock started for its batch, the static mock for its own), 20 rounds; each
one's fastest batch is compared.
"""

from __future__ import annotations

from typing import Any

from bench.core import Log, Row, at_most, emit, interleaved, ratio, run_child

FIGURE = "warm in-process GET vs a static `responses` mock (same body size)"
TARGET = 1.5


def child(rounds: str) -> None:
    import requests
    import responses

    import emulator

    cloud = emulator.mock()
    with cloud:
        url = f"{cloud.compute_url}/v2/{cloud.project_id}/servers/{cloud.server_ids[0]}"
        headers = {"X-Auth-Token": cloud.token()}
        body = requests.get(url, headers=headers, timeout=30).content

    def static() -> Any:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.add(responses.GET, url, body=body, content_type="application/json")
        return mock

    def get() -> None:
        assert requests.get(url, headers=headers, timeout=30).status_code == 200

    contenders = {"emulator": (lambda: cloud, get), "static": (static, get)}
    interleaved(contenders, 1, 20)
    emit(size=len(body), **interleaved(contenders, int(rounds), 50))


def measure(quick: bool, log: Log) -> list[Row]:
    out = run_child("warm_get", "child", 3 if quick else 20)
    emu, static = out["emulator"], out["static"]
    log(f"  emulator {emu:.3f} ms, static {static:.3f} ms per GET ({out['size']} bytes)")
    detail = f"{emu:.3f} vs {static:.3f} ms per GET, {out['size']:,} bytes"
    return [at_most(FIGURE, TARGET, ratio(emu, static), detail, "×")]
