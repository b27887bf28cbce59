"""Shared helpers: ports, child processes, readiness polling, medians and fresh-process timings."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"


class BenchError(RuntimeError):
    """A benchmark could not run (a server did not start, a child process failed...)."""


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def child_env(**extra: str) -> dict[str, str]:
    """Environment for child processes: the repo importable, no proxies, fake AWS credentials."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(key, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    # moto needs credentials to sign with; these never leave the machine.
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's documented dummy value
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    # Measure as an installed package runs: with bytecode caches (pip compiles them on install;
    # an editable install writes them on first import). Without this, a session that exports
    # PYTHONDONTWRITEBYTECODE would recompile every module of ours, and only ours, on each start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def wait_for_http(
    url: str, timeout: float = 30.0, proc: subprocess.Popen[Any] | None = None
) -> None:
    """Poll ``url`` until it answers 2xx; fail early when ``proc`` has exited."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise BenchError(f"server process exited with code {proc.returncode} before {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if 200 <= response.status < 300:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.05)
    raise BenchError(f"{url} did not answer within {timeout} s: {last}")


@contextlib.contextmanager
def child_process(args: Sequence[str], **popen: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Start a child process; terminate it (then kill it) on exit."""
    proc = subprocess.Popen(
        list(args),
        env=popen.pop("env", child_env()),
        stdout=popen.pop("stdout", subprocess.DEVNULL),
        stderr=popen.pop("stderr", subprocess.DEVNULL),
        **popen,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def median(values: Sequence[float]) -> float:
    """The median (0.0 for no values)."""
    return statistics.median(values) if values else 0.0


def run_python(code: str, timeout: float = 180.0, cwd: Path | None = None) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; it must print one JSON object as its last line."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=child_env(),
        cwd=str(cwd or REPO),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-5:]
        raise BenchError(f"child process failed ({proc.returncode}): " + " | ".join(tail))
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def wall_time(args: Sequence[str], cwd: Path, timeout: float = 300.0) -> tuple[float, int, float]:
    """Wall-clock seconds, exit code and CPU seconds (user + system) of one command."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        list(args),
        env=child_env(),
        cwd=str(cwd),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
    return time.perf_counter() - started, proc.returncode, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or infinity when the denominator is 0."""
    return numerator / denominator if denominator else float("inf")
