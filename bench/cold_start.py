"""In-process cold start: from the first import to the first authenticated GET, vs moto's ``mock_aws``.

Each sample is a fresh interpreter (interpreter start-up itself is excluded, the same for both):
``import requests, emulator``; ``emulator.mock()``; ``cloud.token()``; GET the seed's server —
against ``import boto3, moto``; ``mock_aws()``; the first ``describe_instances``. One untimed
start of each first writes the bytecode caches (as ``pip install`` does); the samples of the two
are interleaved and the fastest of each compared (other load on a shared machine only adds
time). CPU time is shown beside the wall time.
"""

from __future__ import annotations

import time

from bench.core import Log, Row, at_most, emit, fastest, installed, ratio, run_child, skipped

FIGURE = "in-process cold start (import + first authenticated GET) vs moto `mock_aws`"
TARGET = 0.2


def emulator_child() -> None:
    started, cpu = time.perf_counter(), time.process_time()
    import requests

    import emulator

    with emulator.mock() as cloud:
        url = f"{cloud.compute_url}/v2/{cloud.project_id}/servers/{cloud.server_ids[0]}"
        response = requests.get(url, headers={"X-Auth-Token": cloud.token()}, timeout=30)
        assert response.status_code == 200, response.text
    emit(wall=time.perf_counter() - started, cpu=time.process_time() - cpu)


def moto_child() -> None:
    started, cpu = time.perf_counter(), time.process_time()
    import boto3
    from moto import mock_aws

    with mock_aws():
        boto3.client("ec2", region_name="us-east-1").describe_instances()
    emit(wall=time.perf_counter() - started, cpu=time.process_time() - cpu)


def measure(quick: bool, log: Log) -> list[Row]:
    if not installed("moto"):
        return [
            skipped(FIGURE, f"≤ {TARGET:g}", "moto is not installed (`make bench` installs it)")
        ]
    samples: dict[str, list[dict[str, float]]] = {"emulator": [], "moto": []}
    run_child("cold_start", "emulator_child")
    run_child("cold_start", "moto_child")
    for i in range(1 if quick else 7):
        for name in samples:
            out = run_child("cold_start", f"{name}_child")
            samples[name].append(out)
            log(f"  {i + 1} {name}: {out['wall'] * 1000:.0f} ms (CPU {out['cpu'] * 1000:.0f} ms)")
    wall = {name: fastest([s["wall"] for s in runs]) for name, runs in samples.items()}
    cpu = {name: fastest([s["cpu"] for s in runs]) for name, runs in samples.items()}
    detail = (
        f"{wall['emulator'] * 1000:.0f} vs {wall['moto'] * 1000:.0f} ms; "
        f"CPU time {ratio(cpu['emulator'], cpu['moto']):.2f}"
    )
    return [at_most(FIGURE, TARGET, ratio(wall["emulator"], wall["moto"]), detail)]
