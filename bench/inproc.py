"""Benchmark 2 (child side): cold starts and warm calls of in-process mocks, one per fresh process.

Each function here runs as ``python -c "from bench.inproc import X; X()"`` and prints one JSON
line. This module imports nothing heavy at its top, so a cold start's clock starts before the
first import of flask, requests, responses, boto3 or the emulator.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.demo import AUTH_BODY, PROJECT_ID, SERVER_ID

REGION = "jp-east-1"
IDENTITY = f"https://identity.{REGION}.cloud.global.fujitsu.com"
COMPUTE = f"https://compute.{REGION}.cloud.global.fujitsu.com"
SERVER_URL = f"{COMPUTE}/v2/{PROJECT_ID}/servers/{SERVER_ID}"


def _emit(**values: Any) -> None:
    print(json.dumps(values))


def _per_call(call: Callable[[], Any], warmup: int, count: int) -> dict[str, float]:
    """Median and p90 milliseconds per call, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000.0)
    times.sort()
    return {"median_ms": statistics.median(times), "p90_ms": times[int(len(times) * 0.9) - 1]}


def _emulator_token(requests: Any) -> str:
    response = requests.post(f"{IDENTITY}/v3/auth/tokens", json=AUTH_BODY, timeout=10)
    assert response.status_code == 201, response.text
    token: str = response.headers["X-Subject-Token"]
    return token


# -- cold starts: from before the first import to the first answer ---------------------------
def cold_emulator() -> None:
    """Import emulator + requests, start ``emulator.mock``, issue a token, GET the server."""
    started, cpu_started = time.perf_counter(), time.process_time()
    import requests

    import emulator

    with emulator.mock(region=REGION):
        token = _emulator_token(requests)
        response = requests.get(SERVER_URL, headers={"X-Auth-Token": token}, timeout=10)
        assert response.status_code == 200, response.text
        _emit(seconds=time.perf_counter() - started, cpu=time.process_time() - cpu_started)


def cold_moto() -> None:
    """Import boto3 + moto, start ``mock_aws``, first ``describe_instances``."""
    started, cpu_started = time.perf_counter(), time.process_time()
    import boto3  # type: ignore[import-untyped]
    from moto import mock_aws

    with mock_aws():
        boto3.client("ec2", region_name="us-east-1").describe_instances()
        _emit(seconds=time.perf_counter() - started, cpu=time.process_time() - cpu_started)


def cold_floor() -> None:
    """Only import flask, requests and responses: the floor of any mock built on them."""
    started, cpu_started = time.perf_counter(), time.process_time()
    import flask
    import requests
    import responses

    assert flask
    assert requests
    assert responses
    _emit(seconds=time.perf_counter() - started, cpu=time.process_time() - cpu_started)


# -- warm calls: per-call time once everything is loaded -------------------------------------
def warm_emulator(count: int, control_plane: bool = True) -> None:
    """GET server through ``requests`` inside ``emulator.mock``."""
    import requests

    import emulator

    with emulator.mock(region=REGION, control_plane=control_plane):
        headers = {"X-Auth-Token": _emulator_token(requests)}
        body = requests.get(SERVER_URL, headers=headers, timeout=10).content

        def call() -> None:
            response = requests.get(SERVER_URL, headers=headers, timeout=10)
            assert response.status_code == 200

        _emit(size=len(body), **_per_call(call, 20, count))


def warm_static(count: int, body_path: str) -> None:
    """GET the same URL from a static ``responses`` mock returning the emulator's body."""
    import requests
    import responses

    with open(body_path, "rb") as source:
        body = source.read()
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, SERVER_URL, body=body, content_type="application/json")

        def call() -> None:
            response = requests.get(SERVER_URL, headers={"X-Auth-Token": "x"}, timeout=10)
            assert response.status_code == 200

        _emit(size=len(body), **_per_call(call, 20, count))


def warm_flask_callback(count: int, body_path: str) -> None:
    """A minimal Flask route returning the same body, dispatched like ``emulator.mock`` does.

    The route is reached through a ``responses`` callback that builds a WSGI environ with
    werkzeug's ``EnvironBuilder`` and runs the app with ``run_wsgi_app``: the least any Flask app
    behind ``responses`` costs per call (a diagnostic for the warm-call target).
    """
    import requests
    import responses
    from flask import Flask, Response
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    with open(body_path, "rb") as source:
        body = source.read()
    app = Flask("bench-minimal")

    @app.get("/compute/v2/<project_id>/servers/<server_id>")
    def show(project_id: str, server_id: str) -> Response:
        return Response(body, mimetype="application/json")

    def dispatch(request: Any) -> tuple[int, dict[str, str], bytes]:
        environ = EnvironBuilder(
            path="/compute" + request.path_url,
            base_url=COMPUTE,
            method=request.method,
            headers=[(k, v) for k, v in request.headers.items() if k.lower() != "host"],
        ).get_environ()
        app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
        return int(status[:3]), dict(headers), b"".join(app_iter)

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.GET, SERVER_URL, callback=dispatch)

        def call() -> None:
            response = requests.get(SERVER_URL, headers={"X-Auth-Token": "x"}, timeout=10)
            assert response.status_code == 200

        _emit(size=len(body), **_per_call(call, 20, count))


def warm_moto(count: int) -> None:
    """``describe_instances`` for one instance inside ``mock_aws``."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")
        _emit(**_per_call(ec2.describe_instances, 5, count))


def server_body(path: str) -> None:
    """Write the emulator mock's GET server body to ``path`` (input of ``warm_static``)."""
    import requests

    import emulator

    with emulator.mock(region=REGION):
        headers = {"X-Auth-Token": _emulator_token(requests)}
        response = requests.get(SERVER_URL, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
    with open(path, "wb") as target:
        target.write(response.content)
    _emit(size=len(response.content))


# -- benchmark 3: thread server start-up ------------------------------------------------------
def thread_server_start(count: int) -> None:
    """Construct ``EmulatorServer``, start it, first 200 from ``/_emulator/health``; ``count`` times."""
    import http.client

    started = time.perf_counter()
    from emulator.server import EmulatorServer

    import_seconds = time.perf_counter() - started
    times = []
    for _ in range(count):
        started = time.perf_counter()
        server = EmulatorServer()
        server.start()
        try:
            host, port = server.url.rsplit("/", 1)[-1].split(":")
            status = 0
            while status != 200:
                connection = http.client.HTTPConnection(host, int(port), timeout=10)
                connection.request("GET", "/_emulator/health")
                status = connection.getresponse().status
                connection.close()
            times.append(time.perf_counter() - started)
        finally:
            server.stop()
    _emit(import_seconds=import_seconds, first=times[0], median=statistics.median(times))


if __name__ == "__main__":
    sys.exit("run through bench/run.py")
