"""``wrk``, the load generator of the throughput figures (Debian/Ubuntu: ``apt-get install wrk``).

A Lua script sets the request and, in ``done()``, prints the summary as one JSON line, so nothing
parses wrk's human-readable output. Loopback targets only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.core import BenchError

MISSING = (
    "wrk is not installed, so the throughput rows are skipped: install it "
    "(Debian/Ubuntu: `apt-get install wrk`; macOS: `brew install wrk`) and run `make bench` again"
)

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\n{"requests": %d, "seconds": %f, "errors": %d, "non2xx": %d, "p50_ms": %f, "p99_ms": %f}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def executable() -> str | None:
    """The wrk to run (``$WRK`` or ``wrk`` on ``PATH``), or None when there is none."""
    return shutil.which(os.environ.get("WRK", "wrk"))


@dataclass(frozen=True)
class Load:
    """One wrk run: completed requests per second, failures, latency percentiles."""

    rps: float
    errors: int
    non2xx: int
    p50_ms: float
    p99_ms: float


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here (ASCII)


def script(method: str, body: str = "", headers: dict[str, str] | None = None) -> str:
    """The Lua script that sends this request."""
    lines = [f"wrk.method = {_lua_string(method)}"]
    if body:
        lines.append(f"wrk.body = {_lua_string(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}")
    return "\n".join(lines) + "\n" + _DONE


def run(
    url: str,
    method: str = "GET",
    body: str = "",
    headers: dict[str, str] | None = None,
    seconds: float = 3.0,
    connections: int = 8,
) -> Load:
    """Drive ``url`` with one wrk thread and ``connections`` keep-alive connections."""
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"the benchmarks only load loopback, not {url}")
    wrk = executable()
    if wrk is None:
        raise BenchError(MISSING)
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        lua = Path(tmp) / "request.lua"
        lua.write_text(script(method, body, headers), encoding="ascii")
        duration = f"{max(1, round(seconds))}s"
        args = [wrk, "-t1", f"-c{connections}", f"-d{duration}", "-s", str(lua), url]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise BenchError(f"wrk failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    good = result["requests"] - result["non2xx"]
    return Load(
        rps=good / result["seconds"],
        errors=result["errors"],
        non2xx=result["non2xx"],
        p50_ms=result["p50_ms"],
        p99_ms=result["p99_ms"],
    )
