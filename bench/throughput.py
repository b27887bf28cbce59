"""Throughput over loopback: GET server and POST token, req/s measured by ``wrk``.

Each server runs in its own process: the emulator (``python -m emulator serve``), a minimal Flask
app on the same waitress with the same 8 threads answering with the emulator's own bodies
(``bench/flask_app.py``), and ``moto_server`` (EC2 ``DescribeInstances`` of one instance, the
baseline of both targeted moto rows as when that target was set; STS ``GetSessionToken``, moto's
token-issuing request, is reported beside them; requests signed once with SigV4 and replayed).
wrk runs one thread with 8 keep-alive connections for 3 s per target; the targets take turns for
3 rounds and each target's best round is compared (other load on a shared machine only
ever lowers req/s). Only 2xx answers count. The load generator shares the
machine's cores with the server under test, the same for every target.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import wrk
from bench.core import (
    Log,
    Row,
    at_least,
    free_port,
    installed,
    ratio,
    reported,
    server_process,
    skipped,
)

THREADS = 8  # waitress threads of `python -m emulator serve`; the baseline gets the same
MOTO = "vs `moto_server`"
FLASK = "vs minimal Flask on the same waitress"
# (figure, ours, theirs, target or None for reported only, unit). moto's DescribeInstances is
# the baseline of both targeted moto rows, as when the ≥ 10× target was set; its token-issuing
# request (STS GetSessionToken) is shown beside them, reported only.
FIGURES: tuple[tuple[str, str, str, float | None, str], ...] = (
    (f"GET server throughput {MOTO} (`DescribeInstances`)", "emulator GET", "moto GET", 10.0, "×"),
    (f"POST token throughput {MOTO} (`DescribeInstances`)", "emulator POST", "moto GET", 10.0, "×"),
    (
        f"POST token throughput {MOTO} (STS `GetSessionToken`)",
        "emulator POST",
        "moto POST",
        None,
        "×",
    ),
    (f"GET server throughput {FLASK}", "emulator GET", "flask GET", 0.6, ""),
    (f"POST token throughput {FLASK}", "emulator POST", "flask POST", 0.6, ""),
)


@dataclass(frozen=True)
class Target:
    url: str
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def _fetch(url: str, body: str = "", headers: dict[str, str] | None = None) -> tuple[Any, bytes]:
    request = urllib.request.Request(url, data=body.encode() or None, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers, response.read()


@contextlib.contextmanager
def emulator(tmp: Path) -> Iterator[tuple[Target, Target, dict[str, Any]]]:
    """The standalone emulator; its GET-server and token-POST targets, and the bodies it sent."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "emulator", "serve", "--port", str(port)]
    # The standalone server's default seed is the package's; its handle knows the demo login.
    import emulator

    demo = emulator.mock()
    with server_process(args, f"{base}/_emulator/health"):
        auth = json.dumps(demo.auth_body())
        json_type = {"Content-Type": "application/json"}
        headers, token_body = _fetch(f"{base}/identity/v3/auth/tokens", auth, json_type)
        token = headers["X-Subject-Token"]
        project, server = demo.project_id, demo.server_ids[0]
        get = Target(
            f"{base}/compute/v2/{project}/servers/{server}", headers={"X-Auth-Token": token}
        )
        _, server_body = _fetch(get.url, headers=get.headers)
        post = Target(f"{base}/identity/v3/auth/tokens", "POST", auth, json_type)
        bodies = {"get": json.loads(server_body), "post": json.loads(token_body), "token": token}
        yield get, post, bodies


@contextlib.contextmanager
def flask(tmp: Path, bodies: dict[str, Any], post_body: str) -> Iterator[tuple[Target, Target]]:
    path = tmp / "bodies.json"
    path.write_text(json.dumps(bodies), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "bench.flask_app", str(port), str(THREADS), str(path)]
    with server_process(args, f"{base}/health"):
        json_type = {"Content-Type": "application/json"}
        yield Target(f"{base}/get"), Target(f"{base}/post", "POST", post_body, json_type)


@contextlib.contextmanager
def moto() -> Iterator[tuple[Target, Target]]:
    import boto3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with server_process(args, f"{base}/moto-api/data.json"):
        ec2 = boto3.client(
            "ec2",
            region_name="us-east-1",
            endpoint_url=base,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's documented dummy value
        )
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")

        def signed(service: str, body: str) -> Target:
            form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
            request = AWSRequest(method="POST", url=f"{base}/", data=body, headers=form)
            SigV4Auth(Credentials("testing", "testing"), service, "us-east-1").add_auth(request)
            headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
            return Target(f"{base}/", "POST", body, headers)

        yield (
            signed("ec2", "Action=DescribeInstances&Version=2016-11-15"),
            signed("sts", "Action=GetSessionToken&Version=2011-06-15"),
        )


def measure(quick: bool, log: Log) -> list[Row]:
    reason = wrk.MISSING if wrk.executable() is None else "moto is not installed"
    rows_if_skipped = [skipped(f, _target(limit, unit), reason) for f, _, _, limit, unit in FIGURES]
    if wrk.executable() is None:
        log(f"  {wrk.MISSING}")
        return rows_if_skipped
    if not installed("moto"):
        return rows_if_skipped
    rounds, seconds = (1, 1.0) if quick else (3, 3.0)
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-rps-")))
        emu_get, emu_post, bodies = stack.enter_context(emulator(tmp))
        flask_get, flask_post = stack.enter_context(flask(tmp, bodies, emu_post.body))
        moto_get, moto_post = stack.enter_context(moto())
        targets = {
            "emulator GET": emu_get,
            "flask GET": flask_get,
            "moto GET": moto_get,
            "emulator POST": emu_post,
            "flask POST": flask_post,
            "moto POST": moto_post,
        }
        for target in targets.values():  # warm-up, untimed
            wrk.run(target.url, target.method, target.body, target.headers, seconds=1)
        rps: dict[str, list[float]] = {name: [] for name in targets}
        for i in range(rounds):
            for name, t in targets.items():
                load = wrk.run(t.url, t.method, t.body, t.headers, seconds=seconds)
                rps[name].append(load.rps)
                log(
                    f"  {i + 1} {name}: {load.rps:,.0f} req/s, p50 {load.p50_ms:.2f} ms, "
                    f"p99 {load.p99_ms:.2f} ms, non-2xx {load.non2xx}, errors {load.errors}"
                )
    rows = []
    for figure, ours, theirs, limit, unit in FIGURES:
        best_ours, best_theirs = max(rps[ours]), max(rps[theirs])
        value = ratio(best_ours, best_theirs)
        detail = f"{best_ours:,.0f} vs {best_theirs:,.0f} req/s"
        if limit is None:
            rows.append(reported(figure, f"{value:.2f}{unit} ({detail})"))
        else:
            rows.append(at_least(figure, limit, value, detail, unit))
    return rows


def _target(limit: float | None, unit: str) -> str:
    return "reported" if limit is None else f"≥ {limit:g}{unit}"
