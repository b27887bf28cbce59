"""Smoke tests that keep ``make bench`` from rotting: one cheap piece, and the report's verdicts.

Nothing here asserts a time: the load generator must count well-formed answers from the Flask
baseline, and the report must mark a missed target UNMET with its number.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.checks import EMU_GET, EMU_POST, FLASK_GET, FLASK_POST, MOTO, Report
from bench.common import BenchError
from bench.loadgen import LoadResult, build_request, run_load
from bench.readme import README_BEGIN, readme_block, update_readme
from bench.report import render
from bench.scale import ScalePoint
from bench.throughput import ThroughputResult, baseline_server, check_alive, watched_server

BODIES = {"get": {"server": {"id": "x" * 36}}, "post": {"token": {"methods": []}}, "token": "0"}


def test_load_generator_counts_answers_from_the_flask_baseline(tmp_path: Path) -> None:
    with baseline_server(BODIES, threads=2, workdir=tmp_path) as (base, _pid):
        get = run_load(f"{base}/get", processes=1, connections=2, warmup=0.1, duration=0.3)
        post = run_load(
            f"{base}/post",
            method="POST",
            body=b'{"auth": {}}',
            headers={"Content-Type": "application/json"},
            processes=1,
            connections=2,
            warmup=0.1,
            duration=0.3,
        )
    assert get.requests > 0
    assert get.statuses == {"200": get.requests}
    assert get.errors == 0
    assert 0 < get.p50_ms <= get.p99_ms
    assert post.statuses == {"201": post.requests}
    assert post.requests > 0
    assert post.completed >= post.requests
    assert post.generator_cpu_s > 0


def test_load_generator_refuses_anything_but_loopback() -> None:
    with pytest.raises(ValueError, match="only targets loopback"):
        build_request("http://192.0.2.1:80/")
    host, port, raw = build_request("http://127.0.0.1:8080/a?b=1", "POST", b"{}")
    assert (host, port) == ("127.0.0.1", 8080)
    assert raw.startswith(b"POST /a?b=1 HTTP/1.1\r\n")
    assert raw.endswith(b"Content-Length: 2\r\n\r\n{}")


def _load(rps: float) -> LoadResult:
    return LoadResult(int(rps), 0, 1.0, {"200": int(rps)}, 1.0, 2.0)


def test_report_marks_a_missed_target_unmet_with_its_number() -> None:
    throughput = ThroughputResult(
        rounds={
            EMU_GET: [_load(500)],
            FLASK_GET: [_load(1000)],
            EMU_POST: [_load(900)],
            FLASK_POST: [_load(1000)],
            MOTO: [_load(100)],
        },
        sizes={},
        threads=8,
    )
    scale = [
        ScalePoint(10, 0.3, 0.4, 1.0, 10, 800.0, 700.0, 900.0),
        ScalePoint(10_000, 0.3, 0.4, 900.0, 10_000, 800.0, 700.0, 900.0),
    ]
    cost = {"emulator GET": 275.0, "flask baseline GET": 55.0}
    report = Report(header=["test"], throughput=throughput, scale=scale, app_cost_us=cost)
    text = render(report, ["method"])
    assert (
        "| 1. GET server req/s vs Flask on waitress | ≥ 0.8 | 0.50 (500 vs 1,000 req/s) | **UNMET** |"
        in text
    )
    assert (
        "| 1. POST token req/s vs Flask on waitress | ≥ 0.8 | 0.90 (900 vs 1,000 req/s) | met |"
        in text
    )
    assert (
        "| 1. GET server req/s vs moto server | ≥ 10× | 5.00× (500 vs 100 req/s) | **UNMET** |"
        in text
    )
    assert (
        "| 5. memory per server at 10,000 | ≤ 10 KB | 1.46 KB (backend 0.78 + seed 0.68) | met |"
        in text
    )
    assert "## Unmet targets: causes and fixes" in text
    # ratio 0.5 = (W + 55) / (W + 275) gives W = 165 µs outside the app; 0.8 allows 110 µs.
    assert "outside the app at ~165 µs per request" in text
    assert "in-app cost ≤ ~110 µs" in text


def test_readme_block_is_replaced_in_place_and_leaves_the_rest_of_the_section() -> None:
    readme = (
        "intro\n<!-- BEGIN figures -->\n- [Reliability](docs/RELIABILITY.md)\n"
        "<!-- END figures -->\nafter\n"
    )
    scale = [
        ScalePoint(10, 0.3, 0.4, 1.0, 10, 800.0, 700.0, 900.0),
        ScalePoint(10_000, 0.33, 0.4, 900.0, 10_000, 800.0, 700.0, 900.0),
    ]
    block = readme_block(Report(header=[], scale=scale))
    once = update_readme(readme, block)
    twice = update_readme(once, block)
    assert once == twice
    assert once.count(README_BEGIN) == 1
    assert "- [Reliability](docs/RELIABILITY.md)\n<!-- END figures -->\nafter\n" in once
    assert "| 5. GET by id, 10 → 10,000 servers | ≤ 1.2× | 1.10× — met |" in once
    assert "2 of 2 targets met" in once


def test_a_server_that_died_mid_run_fails_with_its_exit_code_and_last_output(
    tmp_path: Path,
) -> None:
    command = [sys.executable, "-c", "print('port already taken'); raise SystemExit(3)"]
    with watched_server("fake server", command, tmp_path) as proc:
        proc.wait(timeout=30)
        with pytest.raises(BenchError, match=r"exited with code 3 .*port already taken"):
            check_alive(proc.pid)
