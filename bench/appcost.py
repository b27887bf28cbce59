"""Diagnostic for benchmark 1: CPU per request inside the WSGI app, without sockets or waitress.

The same prebuilt WSGI environ is handed straight to each app (what waitress does after parsing),
so the difference between the emulator and the Flask baseline is exactly the work our code adds.
``control_plane=False`` shows what the control plane's hooks (faults + request log) cost.
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.common import run_python
from bench.demo import AUTH_BODY, PROJECT_ID, SERVER_ID

App = Callable[[dict[str, Any], Callable[..., Any]], Any]
AUTH = json.dumps(AUTH_BODY).encode()
SERVER_PATH = f"/compute/v2/{PROJECT_ID}/servers/{SERVER_ID}"


def _environ(method: str, path: str, body: bytes = b"", token: str = "") -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8774",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8774",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["CONTENT_TYPE"] = "application/json"
    if token:
        environ["HTTP_X_AUTH_TOKEN"] = token
    return environ


def _call(app: App, environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    iterable = app(environ, start_response)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return seen["status"], seen["headers"], body


def _per_call_us(call: Callable[[], Any], count: int) -> float:
    for _ in range(count // 10):
        call()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def _requester(
    app: App, method: str, path: str, token: str = "", body: bytes = b""
) -> Callable[[], Any]:
    def request() -> Any:
        return _call(app, _environ(method, path, body, token))

    return request


def child(count: int) -> None:
    """Print median microseconds per GET server / POST token for each app, as JSON."""
    from bench.flask_baseline import create_baseline_app
    from emulator.app import create_app
    from emulator.config import EmulatorConfig

    results: dict[str, float] = {}
    bodies: dict[str, Any] = {}
    for label, control_plane in (("emulator", True), ("emulator, control_plane=False", False)):
        app = create_app(EmulatorConfig(control_plane=control_plane))
        status, headers, token_body = _call(app, _environ("POST", "/identity/v3/auth/tokens", AUTH))
        assert status.startswith("201"), token_body
        token = headers["X-Subject-Token"]
        status, _, server_body = _call(app, _environ("GET", SERVER_PATH, token=token))
        assert status.startswith("200"), server_body
        bodies = {"get": json.loads(server_body), "post": json.loads(token_body), "token": token}
        results[f"{label} GET"] = _per_call_us(_requester(app, "GET", SERVER_PATH, token), count)
        results[f"{label} POST"] = _per_call_us(
            _requester(app, "POST", "/identity/v3/auth/tokens", "", AUTH), count // 2
        )
    baseline = create_baseline_app(bodies)
    results["flask baseline GET"] = _per_call_us(_requester(baseline, "GET", "/get"), count)
    results["flask baseline POST"] = _per_call_us(
        _requester(baseline, "POST", "/post", "", AUTH), count // 2
    )
    print(json.dumps(results))


def measure(quick: bool = False) -> dict[str, float]:
    """Median µs per request inside each app, measured in a fresh interpreter."""
    return {
        name: float(value)
        for name, value in run_python(
            f"from bench.appcost import child; child({300 if quick else 2000})"
        ).items()
    }
