"""The pre-work for a fleet: 200 servers in one procedure vs one server, on the standalone emulator.

``python -m emulator serve --transition-seconds 2`` in its own process; before each run it is
reset (``POST /_emulator/reset``) and, for the fleet, 199 servers are added
(``POST /_emulator/servers``). The run is ``pytest runbook --target live --page 1`` with the demo
login in ``OS_*``, ``--yes --confirm-manual --no-evidence --poll-interval 0.5``, its state file in
a temporary directory; one server by ``--server-id``, the fleet by ``--servers FILE``. The
``os-stop`` requests are counted in the emulator's request log (``GET /_emulator/requests``) and
the run's peak RSS is read in one untimed pair first, through a small launcher (``bench.core.
peak_rss_kb``: a child of the bench would count the bench's own memory); then 2 interleaved pairs;
the fastest of each compared (other load on a shared machine only adds time).
"""

from __future__ import annotations

import json
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from bench.core import (
    REPO,
    BenchError,
    Log,
    Row,
    at_most,
    fastest,
    free_port,
    peak_rss_kb,
    plugins_off,
    pytest_args,
    pytest_plugins,
    ratio,
    reported,
    server_process,
    timed,
)

TARGET = 1.5


def _call(url: str, body: Any = None, method: str = "GET") -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else None


def _stops(base: str) -> int:
    log = _call(f"{base}/_emulator/requests")["requests"]
    return sum(
        1
        for entry in log
        if entry["method"] == "POST" and "os-stop" in json.dumps(entry.get("request_body"))
    )


def measure(quick: bool, log: Log) -> list[Row]:
    import emulator

    count, seconds = (5, 0.5) if quick else (200, 2.0)
    demo = emulator.mock()  # the default seed's handle: the demo login and its server
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [sys.executable, "-m", "emulator", "serve", "--port", str(port)]
    serve += ["--transition-seconds", str(seconds)]
    env = {**demo.credentials, "OS_AUTH_URL": f"{base}/identity/v3"}
    off = plugins_off(pytest_plugins()[1])
    walls: dict[int, list[float]] = {1: [], count: []}
    rss: dict[int, int] = {}
    stops: dict[int, int] = {}
    with (
        tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp,
        server_process(serve, f"{base}/_emulator/health"),
    ):
        state, servers = Path(tmp) / "state.json", Path(tmp) / "servers.txt"
        for i in range(-1, 1 if quick else 2):
            for size in walls:
                _call(f"{base}/_emulator/reset", {}, "POST")
                ids = [demo.server_ids[0]] + [
                    _call(f"{base}/_emulator/servers", {"name": f"fleet-{n:03d}"}, "POST")[
                        "server"
                    ]["id"]
                    for n in range(size - 1)
                ]
                servers.write_text("\n".join(ids) + "\n", encoding="utf-8")
                chosen = ["--server-id", ids[0]] if size == 1 else ["--servers", str(servers)]
                args = pytest_args(*off, "runbook", "--target", "live", "--page", "1", *chosen)
                args += ["--yes", "--confirm-manual", "--no-evidence", "--poll-interval", "0.5"]
                args += ["--state-file", str(state)]
                state.unlink(missing_ok=True)
                if i < 0:  # the untimed pair: the runs' memory (through a small launcher)
                    rss[size] = peak_rss_kb(args, REPO, env=env)
                    stops[size] = _stops(base)
                    continue
                run = timed(args, REPO, env=env)
                if run.code != 0:
                    raise BenchError(f"the runbook for {size} server(s) exited with {run.code}")
                stops[size] = _stops(base)
                walls[size].append(run.wall)
                log(f"  {i + 1} {size} server(s): {run.wall:.2f} s, {stops[size]} os-stop")
    one, many = fastest(walls[1]), fastest(walls[count])
    value = ratio(many, one)
    figure = f"fleet: pre-work for {count} servers vs 1 server, {seconds:g} s transitions"
    row = at_most(figure, TARGET, value, f"{many:.2f} vs {one:.2f} s; os-stop {stops[count]}", "×")
    if stops[count] > count:  # the bound: at most one os-stop per server
        row = Row(row.figure, row.target, row.measured + f" > {count} os-stop", "unmet")
    memory = f"{rss[count] / 1024:.0f} MB peak RSS of the run ({rss[1] / 1024:.0f} MB for 1 server)"
    return [row, reported(f"fleet: memory of the run at {count} servers", memory)]
