"""Benchmark 1: the standalone server's throughput against Flask-on-waitress and moto's server.

Three servers run side by side, each in its own process: the emulator (``python -m emulator
serve``), the baseline Flask app on waitress with the same thread count and the same JSON bodies,
and moto's server with one EC2 instance. The load generator (``bench/loadgen.py``, 2 processes ×
4 keep-alive connections) drives one target at a time; rounds interleave the targets so that
background noise hits all of them alike, and the median round is reported.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH,
    BenchError,
    child_process,
    free_port,
    median,
    wait_for_http,
)
from bench.demo import AUTH_BODY, PROJECT_ID, SERVER_ID
from bench.loadgen import LoadResult, run_load

JSON_HEADERS = {"Content-Type": "application/json"}
EMU_GET_BARE = "emulator GET server, --no-control-plane (diagnostic)"


@dataclass(frozen=True)
class Target:
    """One request against one server."""

    name: str
    url: str
    method: str = "GET"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    pid: int = 0  # the server process, to read its CPU time


@dataclass
class ThroughputResult:
    """Median rps / p50 / p99 per target over the rounds, plus what was measured."""

    rounds: dict[str, list[LoadResult]]
    sizes: dict[str, int]
    threads: int
    # Server CPU seconds per round, read from /proc (robust to other load on the machine).
    server_cpu_s: dict[str, list[float]] = field(default_factory=dict)

    def rps(self, name: str) -> float:
        return median([r.rps for r in self.rounds[name]])

    def p50(self, name: str) -> float:
        return median([r.p50_ms for r in self.rounds[name]])

    def p99(self, name: str) -> float:
        return median([r.p99_ms for r in self.rounds[name]])

    def server_cpu_us(self, name: str) -> float:
        """Median server CPU microseconds per completed request."""
        cpu = self.server_cpu_s.get(name, [])
        per = [
            c / r.completed * 1e6
            for c, r in zip(cpu, self.rounds[name], strict=False)
            if r.completed
        ]
        return median(per)

    def generator_cpu_us(self, name: str) -> float:
        """Median load-generator CPU microseconds per completed request."""
        per = [r.generator_cpu_s / r.completed * 1e6 for r in self.rounds[name] if r.completed]
        return median(per)

    def errors(self, name: str) -> int:
        return sum(r.errors for r in self.rounds[name])

    def statuses(self, name: str) -> dict[str, int]:
        merged: dict[str, int] = {}
        for result in self.rounds[name]:
            for code, count in result.statuses.items():
                merged[code] = merged.get(code, 0) + count
        return merged


def emulator_threads() -> int:
    """The waitress thread count of ``python -m emulator serve`` (the baseline gets the same)."""
    from emulator.__main__ import ServeOptions

    return ServeOptions().threads


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After "pid (comm)": field 14 (utime) and 15 (stime) of proc(5) are indexes 11 and 12.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


# The servers of the current run by pid: checked after every load run, so that a server that
# died mid-run fails the benchmark with its exit code and last log lines instead of 0 req/s.
_RUNNING: dict[int, tuple[str, subprocess.Popen[bytes], Path]] = {}


@contextlib.contextmanager
def watched_server(name: str, args: list[str], workdir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process whose output goes to a log in ``workdir``; ``check_alive`` knows it."""
    log = workdir / f"{name.split()[0].lower()}-{len(_RUNNING)}.log"
    with log.open("wb") as sink, child_process(args, stdout=sink, stderr=sink) as proc:
        _RUNNING[proc.pid] = (name, proc, log)
        try:
            yield proc
        finally:
            _RUNNING.pop(proc.pid, None)


def check_alive(pid: int) -> None:
    """Raise ``BenchError`` when the server with this pid has exited."""
    name, proc, log = _RUNNING[pid]
    if proc.poll() is None:
        return
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
    # Never echo the banner: it carries the demo password. Only the last lines (errors).
    tail = [line for line in tail if "password" not in line.lower()]
    raise BenchError(
        f"{name} (pid {pid}) exited with code {proc.returncode} during the run"
        + (f"; its last output: {' / '.join(tail)}" if tail else "")
    )


@contextlib.contextmanager
def emulator_server(workdir: Path, *extra: str) -> Iterator[tuple[str, int]]:
    """``python -m emulator serve`` on a free port; yields its base URL and pid."""
    port = free_port()
    args = [sys.executable, "-m", "emulator", "serve", "--port", str(port), *extra]
    with watched_server("emulator" + "".join(f" {e}" for e in extra), args, workdir) as proc:
        base = f"http://127.0.0.1:{port}"
        ready = "/identity/v3" if "--no-control-plane" in extra else "/_emulator/health"
        wait_for_http(base + ready, proc=proc)
        yield base, proc.pid


@contextlib.contextmanager
def baseline_server(
    bodies: dict[str, Any], threads: int, workdir: Path
) -> Iterator[tuple[str, int]]:
    """The Flask baseline on waitress, serving ``bodies``; yields its base URL and pid."""
    path = workdir / "bodies.json"
    path.write_text(json.dumps(bodies), encoding="utf-8")
    port = free_port()
    args = [sys.executable, str(BENCH / "flask_baseline.py"), str(port), str(threads), str(path)]
    with watched_server("Flask baseline", args, workdir) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/health", proc=proc)
        yield base, proc.pid


@contextlib.contextmanager
def moto_server(workdir: Path) -> Iterator[Target]:
    """moto's server with one EC2 instance; yields a signed DescribeInstances target."""
    import boto3  # type: ignore[import-untyped]
    from botocore.auth import SigV4Auth  # type: ignore[import-untyped]
    from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
    from botocore.credentials import Credentials  # type: ignore[import-untyped]

    port = free_port()
    args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with watched_server("moto server", args, workdir) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/moto-api/data.json", proc=proc)
        ec2 = boto3.client(
            "ec2",
            region_name="us-east-1",
            endpoint_url=base,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's dummy value
        )
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")
        body = b"Action=DescribeInstances&Version=2016-11-15"
        request = AWSRequest(
            method="POST",
            url=f"{base}/",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        SigV4Auth(Credentials("testing", "testing"), "ec2", "us-east-1").add_auth(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        yield Target("moto DescribeInstances", f"{base}/", "POST", body, headers, proc.pid)


def measure(quick: bool = False, log: Any = print) -> ThroughputResult:
    """Run every target for ``rounds`` interleaved rounds; return the medians and sizes."""
    rounds, duration, warmup = (1, 1.0, 0.3) if quick else (3, 3.0, 0.5)
    threads = emulator_threads()
    auth = json.dumps(AUTH_BODY).encode()
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        emu, emu_pid = stack.enter_context(emulator_server(workdir))
        _, token_headers, token_body = _fetch(f"{emu}/identity/v3/auth/tokens", auth, JSON_HEADERS)
        token = token_headers["X-Subject-Token"]
        server_url = f"{emu}/compute/v2/{PROJECT_ID}/servers/{SERVER_ID}"
        _, _, server_body = _fetch(server_url, headers={"X-Auth-Token": token})
        bodies = {
            "get": json.loads(server_body),
            "post": json.loads(token_body),
            "token": "0" * len(token),
        }
        flask, flask_pid = stack.enter_context(baseline_server(bodies, threads, workdir))
        _, _, flask_get = _fetch(f"{flask}/get")
        _, _, flask_post = _fetch(f"{flask}/post", auth, JSON_HEADERS)
        # Diagnostic: the same server without the control plane (faults + request log).
        bare, bare_pid = stack.enter_context(emulator_server(workdir, "--no-control-plane"))
        _, bare_headers, _ = _fetch(f"{bare}/identity/v3/auth/tokens", auth, JSON_HEADERS)
        bare_token = bare_headers["X-Subject-Token"]
        bare_url = f"{bare}/compute/v2/{PROJECT_ID}/servers/{SERVER_ID}"
        _, _, bare_body = _fetch(bare_url, headers={"X-Auth-Token": bare_token})
        moto = stack.enter_context(moto_server(workdir))
        _, _, moto_body = _fetch(moto.url, moto.body, moto.headers)
        targets = [
            Target("emulator GET server", server_url, "GET", b"", {"X-Auth-Token": token}, emu_pid),
            Target("flask GET (same JSON)", f"{flask}/get", pid=flask_pid),
            Target(
                "emulator POST auth/tokens",
                f"{emu}/identity/v3/auth/tokens",
                "POST",
                auth,
                JSON_HEADERS,
                emu_pid,
            ),
            Target(
                "flask POST (same JSON)", f"{flask}/post", "POST", auth, JSON_HEADERS, flask_pid
            ),
            moto,
            Target(
                EMU_GET_BARE,
                bare_url,
                "GET",
                b"",
                {"X-Auth-Token": bare_token},
                bare_pid,
            ),
        ]
        sizes = {
            targets[0].name: len(server_body),
            targets[1].name: len(flask_get),
            targets[2].name: len(token_body),
            targets[3].name: len(flask_post),
            moto.name: len(moto_body),
            EMU_GET_BARE: len(bare_body),
        }
        results: dict[str, list[LoadResult]] = {t.name: [] for t in targets}
        server_cpu: dict[str, list[float]] = {t.name: [] for t in targets}
        for round_no in range(rounds):
            for target in targets:
                cpu_before = process_cpu_seconds(target.pid)
                result = run_load(
                    target.url,
                    method=target.method,
                    body=target.body,
                    headers=target.headers,
                    warmup=warmup,
                    duration=duration,
                )
                check_alive(target.pid)
                results[target.name].append(result)
                server_cpu[target.name].append(process_cpu_seconds(target.pid) - cpu_before)
                log(
                    f"  round {round_no + 1}/{rounds} {target.name}: {result.rps:,.0f} req/s "
                    f"p50 {result.p50_ms:.2f} ms p99 {result.p99_ms:.2f} ms "
                    f"statuses {result.statuses} errors {result.errors}"
                )
    return ThroughputResult(results, sizes, threads, server_cpu)
