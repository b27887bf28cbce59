"""What every figure module shares: the ``Row`` it reports, and fresh processes to measure in.

Standard library only: child processes import ``bench.<figure>`` before their clock starts, and
nothing here may load what a cold start is meant to time.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
Log = Callable[[str], None]

MET, UNMET, REPORTED, SKIPPED, NOT_RUN = "met", "unmet", "reported", "skipped", "not run"


class BenchError(RuntimeError):
    """A measurement could not be made (a child failed, a server did not answer)."""


@dataclass(frozen=True)
class Row:
    """One line of the table: the figure, its target, what this run measured, the verdict."""

    figure: str
    target: str
    measured: str
    verdict: str


def at_most(figure: str, limit: float, value: float, detail: str, unit: str = "") -> Row:
    """A ratio that must not exceed ``limit`` (``unit`` e.g. ``×``)."""
    return Row(
        figure, f"≤ {limit:g}{unit}", f"{value:.2f}{unit} ({detail})", _verdict(value <= limit)
    )


def at_least(figure: str, limit: float, value: float, detail: str, unit: str = "") -> Row:
    """A ratio that must reach ``limit``."""
    return Row(
        figure, f"≥ {limit:g}{unit}", f"{value:.2f}{unit} ({detail})", _verdict(value >= limit)
    )


def reported(figure: str, measured: str) -> Row:
    """A figure shown without a target."""
    return Row(figure, "reported", measured, REPORTED)


def skipped(figure: str, target: str, reason: str) -> Row:
    """A figure this run could not measure, and why (e.g. a baseline tool is not installed)."""
    return Row(figure, target, reason, SKIPPED)


def _verdict(ok: bool) -> str:
    return MET if ok else UNMET


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator (infinity for a zero denominator)."""
    return numerator / denominator if denominator else float("inf")


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def fastest(values: Sequence[float]) -> float:
    """The least of repeated timings: on a shared machine other load only ever adds time."""
    return min(values) if values else 0.0


def interleaved(
    contenders: dict[str, tuple[Callable[[], Any], Callable[[], object]]], rounds: int, size: int
) -> dict[str, float]:
    """Milliseconds per call of each contender: batches of ``size`` calls in turn, the fastest.

    A contender is (a context-manager factory to run the batch in, the call). Taking turns in
    one process, ``rounds`` times, and keeping each one's fastest batch leaves out what other
    load on a shared machine adds, and any drift over the run hits every contender alike.
    """
    best = {name: float("inf") for name in contenders}
    for _ in range(rounds):
        for name, (context, call) in contenders.items():
            with context():
                started = time.perf_counter()
                for _ in range(size):
                    call()
                elapsed = (time.perf_counter() - started) * 1000 / size
            best[name] = min(best[name], elapsed)
    return best


def installed(module: str) -> bool:
    """Whether ``module`` can be imported here (the bench extra may be missing)."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    # A leftover directory of an uninstalled package is a namespace package without an origin.
    return spec is not None and spec.origin is not None


def child_env() -> dict[str, str]:
    """The environment of child processes: loopback without proxies, dummy AWS credentials."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(key, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    # Measure as an installed package runs: with bytecode caches (pip writes them on install).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # moto signs with credentials; these dummies never leave the machine.
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's documented dummy value
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def run_child(module: str, function: str, *args: Any, timeout: float = 600.0) -> dict[str, Any]:
    """Call ``bench.<module>.<function>(*args)`` in a fresh interpreter; its last line is JSON."""
    code = f"import sys; from bench.{module} import {function}; {function}(*sys.argv[1:])"
    proc = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        env=child_env(),
        cwd=str(REPO),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-4:])
        raise BenchError(f"{module}.{function} failed (exit {proc.returncode}): {tail}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def emit(**values: Any) -> None:
    """A child's answer to ``run_child``: one JSON line on stdout."""
    print(json.dumps(values), flush=True)


@dataclass(frozen=True)
class Timed:
    """Wall and CPU (user + system) seconds of one command, its exit code and peak RSS (KB)."""

    wall: float
    cpu: float
    code: int
    max_rss_kb: int = 0


def timed(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Timed:
    """Run a command to completion, output discarded, and time it (its own rusage: wait4)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(args),
        env={**child_env(), **(env or {})},
        cwd=str(cwd),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    return Timed(wall, cpu, proc.returncode, usage.ru_maxrss)


# Linux counts in a child's peak RSS the memory of the process that forked it (the copied address
# space is the exec'd image's "old mm"): a child of the bench, grown by the figures before, starts
# at the bench's size. A small launcher (python -I -S, ~10 MB) forks the command instead and
# reports the command's own peak (wait4).
_LAUNCHER = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def peak_rss_kb(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> int:
    """The peak RSS (KB) of one run of a command, not counting the bench's own memory."""
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as folder:
        answer = Path(folder) / "maxrss"
        run = timed([sys.executable, "-I", "-S", "-c", _LAUNCHER, str(answer), *args], cwd, env)
        if run.code != 0:
            raise BenchError(f"{args[0]} … exited with {run.code} (measuring its memory)")
        return int(answer.read_text())


def pytest_args(*args: str) -> list[str]:
    """``python -m pytest -q -p no:cacheprovider …`` with this interpreter."""
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


def pytest_plugins() -> tuple[str, list[str]]:
    """This project's ``pytest11`` entry point, and every other one installed here."""
    from importlib import metadata

    ours, others = [], []
    for ep in metadata.entry_points(group="pytest11"):
        mine = ep.dist is not None and ep.dist.name == "fjcloud-export-prep"
        (ours if mine else others).append(ep.name)
    if not ours:
        raise BenchError("the package's pytest11 entry point is not installed in this venv")
    return ours[0], others


def plugins_off(names: Sequence[str]) -> list[str]:
    """``-p no:NAME`` for each: plugins of the bench extra (pytest-httpserver) stay out of runs
    that compare this project's pytest cost with pytest's own."""
    return [arg for name in names for arg in ("-p", f"no:{name}")]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Poll ``url`` until it answers 2xx; fail at once when ``proc`` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{proc.args!r} exited with code {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if 200 <= response.status < 300:
                return
        time.sleep(0.05)
    raise BenchError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def server_process(args: Sequence[str], ready_url: str) -> Iterator[subprocess.Popen[bytes]]:
    """A server in its own process, ready when ``ready_url`` answers; terminated on exit."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(list(args), env=child_env(), stdout=log, stderr=log)
        try:
            try:
                wait_for(ready_url, proc)
            except BenchError as exc:
                log.seek(0)
                # The last lines only, never the banner: it prints the demo password.
                lines = log.read().decode(errors="replace").strip().splitlines()[-3:]
                tail = " | ".join(line for line in lines if "password" not in line.lower())
                raise BenchError(f"{exc}; its last output: {tail}") from None
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
