"""Where a request's time goes: cProfile over in-process requests, grouped by package.

Used by ``bench/run.py`` when a throughput or warm-call target is unmet, so the report says how
much of a request is spent in our code versus Flask/werkzeug/responses/requests, and which of our
functions cost the most.
"""

from __future__ import annotations

import cProfile
import json
import pstats
from typing import Any

from bench.common import run_python
from bench.demo import AUTH_BODY, PROJECT_ID, SERVER_ID

GROUPS = ("emulator", "flask", "werkzeug", "responses", "requests", "urllib3", "json", "logging")


def _group(filename: str) -> str:
    for group in GROUPS:
        if f"/{group}/" in filename or filename.endswith(f"/{group}.py"):
            return group
    return "other (stdlib, builtins)"


def _summarise(profile: cProfile.Profile, calls: int, top: int = 12) -> str:
    stats = pstats.Stats(profile)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1e-9
    by_group: dict[str, float] = {}
    ours = []
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in raw.items():
        group = _group(filename)
        by_group[group] = by_group.get(group, 0.0) + tottime
        if group == "emulator":
            short = filename.split("/emulator/", 1)[-1]
            ours.append((tottime, cumtime, ncalls, f"emulator/{short}:{line}({name})"))
    lines = [f"{calls} requests, {total / calls * 1000:.3f} ms of profiled CPU per request"]
    lines += ["self time by package:"]
    for group, seconds in sorted(by_group.items(), key=lambda item: -item[1]):
        lines.append(f"  {group:<26} {seconds / total * 100:5.1f} %")
    lines += ["our functions by cumulative time (per request: self ms, cumulative ms, calls):"]
    for tottime, cumtime, ncalls, where in sorted(ours, key=lambda row: -row[1])[:top]:
        lines.append(
            f"  {tottime / calls * 1000:7.4f} {cumtime / calls * 1000:7.4f} "
            f"{ncalls / calls:5.1f}  {where}"
        )
    return "\n".join(lines)


def child(kind: str, calls: int) -> None:
    """Profile ``calls`` requests of ``kind`` ("get", "post" or "mock-get"); print JSON text."""
    from emulator.app import create_app

    auth = AUTH_BODY
    profile = cProfile.Profile()
    if kind == "mock-get":
        import requests

        import emulator

        base = "https://{}.jp-east-1.cloud.global.fujitsu.com"
        with emulator.mock(region="jp-east-1"):
            issued = requests.post(
                base.format("identity") + "/v3/auth/tokens", json=auth, timeout=10
            )
            headers = {"X-Auth-Token": issued.headers["X-Subject-Token"]}
            url = base.format("compute") + f"/v2/{PROJECT_ID}/servers/{SERVER_ID}"
            for _ in range(20):
                requests.get(url, headers=headers, timeout=10)
            profile.enable()
            for _ in range(calls):
                requests.get(url, headers=headers, timeout=10)
            profile.disable()
    else:
        client = create_app().test_client()
        token = client.post("/identity/v3/auth/tokens", json=auth).headers["X-Subject-Token"]
        url = f"/compute/v2/{PROJECT_ID}/servers/{SERVER_ID}"
        for _ in range(20):
            client.get(url, headers={"X-Auth-Token": token})
        profile.enable()
        for _ in range(calls):
            if kind == "get":
                client.get(url, headers={"X-Auth-Token": token})
            else:
                client.post("/identity/v3/auth/tokens", json=auth)
        profile.disable()
    print(json.dumps({"text": _summarise(profile, calls)}))


def profile(kind: str, calls: int = 500) -> str:
    """Run ``child`` in a fresh interpreter; return its summary."""
    return str(run_python(f"from bench.profiling import child; child({kind!r}, {calls})")["text"])
