"""A small HTTP/1.1 keep-alive load generator that runs in its own processes.

``run_load`` starts ``processes`` worker processes (this file run as a script), each with
``connections`` threads holding one keep-alive connection apiece, all aimed at one request.
Every worker sends for ``warmup + duration`` seconds from a common start time and counts only the
requests that complete inside the measured window, so slow starters do not skew the rate.

Why not ``http.client``: it parses headers with the email package, which costs more CPU per
request than a small Python server spends answering one; on a 2-core machine the generator would
then be the bottleneck. Here a request is a pre-built byte string and a response is read with one
``readline`` per header and one ``read`` for the body (Content-Length or chunked).
"""

from __future__ import annotations

import argparse
import base64
import json
import resource
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

# Safety bounds: a run never lasts longer than this, whatever the arguments say.
MAX_SECONDS = 60.0
MAX_REQUESTS_PER_CONNECTION = 2_000_000


@dataclass(frozen=True)
class LoadResult:
    """Merged outcome of all workers for one request."""

    requests: int
    errors: int
    seconds: float
    statuses: dict[str, int]
    p50_ms: float
    p99_ms: float
    # Every response received, warm-up and tail included (to divide CPU deltas by).
    completed: int = 0
    # CPU seconds (user + system) the generator's worker processes used.
    generator_cpu_s: float = 0.0

    @property
    def rps(self) -> float:
        """Completed requests per second in the measured window."""
        return self.requests / self.seconds if self.seconds else 0.0


def build_request(
    url: str, method: str = "GET", body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[str, int, bytes]:
    """(host, port, raw request bytes) for one keep-alive request to ``url``."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise ValueError(f"only plain http URLs are supported, not {url!r}")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        # Load is only ever sent to this machine's loopback.
        raise ValueError(f"the load generator only targets loopback, not {parts.hostname!r}")
    port = parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.hostname}:{port}"]
    merged = {"Connection": "keep-alive", "Accept": "*/*", **(headers or {})}
    if body or method in ("POST", "PUT", "PATCH"):
        merged["Content-Length"] = str(len(body))
    lines += [f"{name}: {value}" for name, value in merged.items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return parts.hostname, port, head + body


class ConnectionClosed(Exception):
    """The server closed the connection (we reconnect and go on)."""


def read_response(stream: IO[bytes]) -> tuple[int, bool]:
    """Read one response; return (status, server wants the connection closed)."""
    status_line = stream.readline()
    if not status_line:
        raise ConnectionClosed
    status = int(status_line.split(b" ", 2)[1])
    length = -1
    chunked = close = False
    while True:
        line = stream.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key == b"content-length":
            length = int(value)
        elif key == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif key == b"connection" and b"close" in value.lower():
            close = True
    if chunked:
        while True:
            size = int(stream.readline().split(b";")[0], 16)
            stream.read(size + 2)  # chunk + CRLF
            if size == 0:
                break
    elif length >= 0:
        stream.read(length)
    else:
        stream.read()  # no length: the body ends with the connection
        close = True
    return status, close


def _connection_loop(
    host: str,
    port: int,
    request: bytes,
    window: tuple[float, float],
    out: dict[str, Any],
) -> None:
    begin, end = window
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    sock: socket.socket | None = None
    stream: IO[bytes] | None = None
    sent = completed = 0
    while sent < MAX_REQUESTS_PER_CONNECTION:
        now = time.perf_counter()
        if now >= end:
            break
        try:
            if sock is None:
                sock = socket.create_connection((host, port), timeout=10)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                stream = sock.makefile("rb")
            assert stream is not None
            started = time.perf_counter()
            sock.sendall(request)
            sent += 1
            status, close = read_response(stream)
            finished = time.perf_counter()
            completed += 1
            if begin <= finished <= end:
                latencies.append(finished - started)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            if close:
                sock.close()
                sock = None
        except (OSError, ConnectionClosed, ValueError, IndexError):
            if begin <= time.perf_counter() <= end:
                errors += 1
            if sock is not None:
                sock.close()
            sock = None
    if sock is not None:
        sock.close()
    out["latencies"] = latencies
    out["statuses"] = statuses
    out["errors"] = errors
    out["completed"] = completed


def worker(
    url: str,
    method: str,
    body: bytes,
    headers: dict[str, str],
    connections: int,
    start_at: float,
    warmup: float,
    duration: float,
) -> dict[str, Any]:
    """Run ``connections`` threads from wall-clock ``start_at``; return their merged counts."""
    host, port, request = build_request(url, method, body, headers)
    # Convert the shared wall-clock start into this process's perf_counter.
    offset = max(0.0, start_at - time.time())
    begin = time.perf_counter() + offset + warmup
    window = (begin, begin + min(duration, MAX_SECONDS))
    time.sleep(offset)
    results: list[dict[str, Any]] = [{} for _ in range(connections)]
    threads = [
        threading.Thread(target=_connection_loop, args=(host, port, request, window, results[i]))
        for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses: dict[str, int] = {}
    for result in results:
        for code, count in result["statuses"].items():
            statuses[code] = statuses.get(code, 0) + count
    return {
        "latencies_us": [round(v * 1e6) for r in results for v in r["latencies"]],
        "statuses": statuses,
        "errors": sum(r["errors"] for r in results),
        "completed": sum(r["completed"] for r in results),
    }


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values)) - 1))
    return sorted_values[rank]


def run_load(
    url: str,
    *,
    method: str = "GET",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    processes: int = 2,
    connections: int = 4,
    warmup: float = 0.5,
    duration: float = 3.0,
) -> LoadResult:
    """Drive ``url`` with ``processes`` × ``connections`` keep-alive connections; merge the results."""
    spec = {
        "url": url,
        "method": method,
        "body_b64": base64.b64encode(body).decode(),
        "headers": headers or {},
        "connections": connections,
        # Leave the workers time to import and connect before the clock starts.
        "start_at": time.time() + 0.3,
        "warmup": warmup,
        "duration": duration,
    }
    cpu_before = _children_cpu()
    procs = [
        subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), json.dumps(spec)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    outputs = []
    for proc in procs:
        stdout, _ = proc.communicate(timeout=MAX_SECONDS + warmup + 30)
        if proc.returncode != 0:
            raise RuntimeError(f"load generator worker failed with exit code {proc.returncode}")
        outputs.append(json.loads(stdout))
    generator_cpu = _children_cpu() - cpu_before
    latencies = sorted(v / 1000.0 for out in outputs for v in out["latencies_us"])
    statuses: dict[str, int] = {}
    for out in outputs:
        for code, count in out["statuses"].items():
            statuses[code] = statuses.get(code, 0) + count
    return LoadResult(
        requests=len(latencies),
        errors=sum(out["errors"] for out in outputs),
        seconds=min(duration, MAX_SECONDS),
        statuses=statuses,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        completed=sum(out["completed"] for out in outputs),
        generator_cpu_s=generator_cpu,
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="load generator worker (used by bench/run.py)")
    parser.add_argument("spec", help="JSON: url, method, body_b64, headers, connections, ...")
    spec = json.loads(parser.parse_args(argv).spec)
    result = worker(
        spec["url"],
        spec["method"],
        base64.b64decode(spec["body_b64"]),
        spec["headers"],
        int(spec["connections"]),
        float(spec["start_at"]),
        float(spec["warmup"]),
        float(spec["duration"]),
    )
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
