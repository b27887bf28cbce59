"""The control plane's WSGI middleware (emulator/control/layer.py) sees every request.

Request ids follow oslo.middleware's request_id (x-openstack-request-id on every response, Nova's
x-compute-request-id too: nova/api/compute_req_id.py); reason phrases follow webob.
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from emulator import create_app
from emulator.state import EmulatorState
from tests.emulator.control.conftest import DEMO_AUTH
from tests.emulator.control.test_faults import add_fault
from tests.emulator.control.test_requestlog import log

SERVER_PATH = (
    "/compute/v2.1/790f1c092038413a8dd6771a033b17f5/servers/dbf93607-f105-4e86-842c-02ae504efe36"
)


def call(app: Flask, method: str, path: str, **extra: Any) -> tuple[str, dict[str, str], bytes]:
    """One direct WSGI call: the raw status line, headers and body."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **extra,
    }
    seen: list[Any] = []
    body = b"".join(
        app(environ, lambda status, headers, exc_info=None: seen.extend([status, headers]))
    )
    return seen[0], dict(seen[1]), body


def test_unrouted_404_and_405_are_logged_with_the_request_id(client: FlaskClient) -> None:
    missing = client.get("/compute/v9/x/y/z")
    wrong_method = client.put("/identity/v3/auth/tokens")
    assert missing.status_code == 404
    assert missing.json == {
        "itemNotFound": {"code": 404, "message": "The resource could not be found."}
    }
    assert wrong_method.status_code == 405
    first, second = log(client)
    assert (first["path"], first["status"], second["status"]) == ("/compute/v9/x/y/z", 404, 405)
    assert first["response_body"] == missing.json
    for entry, response in ((first, missing), (second, wrong_method)):
        request_id = response.headers["x-openstack-request-id"]
        assert request_id.startswith("req-")
        assert entry["response_headers"]["x-openstack-request-id"] == request_id


def test_unhandled_route_error_is_a_logged_500_and_recorded(
    app: Flask, state: EmulatorState
) -> None:
    def explode() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/compute/explode", "explode", explode)
    status, headers, body = call(app, "GET", "/compute/explode")
    assert status == "500 Internal Server Error"
    assert json.loads(body)["computeFault"]["code"] == 500
    assert headers["x-openstack-request-id"].startswith("req-")
    [error] = state.take_unhandled()
    assert isinstance(error, RuntimeError)
    [entry] = log(app.test_client())
    assert (entry["path"], entry["status"]) == ("/compute/explode", 500)


def test_respond_fault_on_compute_carries_both_request_ids_and_webob_phrase(app: Flask) -> None:
    add_fault(app.test_client(), method="GET", path="/compute/*", status=503, body="down")
    status, headers, body = call(app, "GET", SERVER_PATH)
    assert (status, body) == ("503 Service Unavailable", b"down")
    assert headers["x-compute-request-id"] == headers["x-openstack-request-id"]


def test_each_request_gets_its_own_id_and_compute_sends_it_twice(client: FlaskClient) -> None:
    first = client.get("/compute/v9/x/y/z")
    second = client.get("/compute/v9/x/y/z")
    assert first.headers["x-openstack-request-id"] != second.headers["x-openstack-request-id"]
    assert first.headers["x-compute-request-id"] == first.headers["x-openstack-request-id"]


def test_chunked_body_reaches_the_route_and_the_log(app: Flask) -> None:
    raw = json.dumps(DEMO_AUTH).encode()
    chunked = {
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input_terminated": True,
        "CONTENT_TYPE": "application/json",
    }
    status, _, _ = call(
        app, "POST", "/identity/v3/auth/tokens", **chunked, **{"wsgi.input": io.BytesIO(raw)}
    )
    assert status == "201 Created"
    [entry] = log(app.test_client())
    assert entry["request_body"]["auth"]["identity"]["password"]["user"]["password"] == "***"


def test_chunked_body_over_the_limit_is_413_and_not_logged() -> None:
    app = create_app({"max_body_bytes": 64})
    raw = json.dumps(DEMO_AUTH).encode()
    status, _, body = call(
        app,
        "POST",
        "/identity/v3/auth/tokens",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_TYPE="application/json",
        **{"wsgi.input_terminated": True, "wsgi.input": io.BytesIO(raw)},
    )
    assert status.startswith("413"), body
    [entry] = log(app.test_client())
    assert (entry["status"], entry["request_body"]) == (413, None)


def test_without_control_plane_every_response_still_has_id_and_phrase() -> None:
    app = create_app({"control_plane": False})
    status, headers, body = call(app, "GET", "/identity/nowhere")
    assert status == "404 Not Found"
    assert headers["x-openstack-request-id"].startswith("req-")
    assert json.loads(body)["error"]["code"] == 404
    assert call(app, "GET", "/_emulator/requests")[0] == "404 Not Found"


def test_route_sees_the_same_body_with_and_without_the_layer() -> None:
    """A body the layer read for faults and the log reaches the route unchanged, whatever its framing."""
    raw = json.dumps(DEMO_AUTH).encode()
    cases: list[dict[str, Any]] = [
        {"CONTENT_LENGTH": str(len(raw))},  # whole
        {"CONTENT_LENGTH": str(len(raw) + 50)},  # the client sent less than it announced
        {"CONTENT_LENGTH": "-3"},
        {"CONTENT_LENGTH": "x"},
        {"CONTENT_LENGTH": "100000000"},  # over max_body_bytes
    ]
    for environ in cases:
        answers = []
        for control_plane in (True, False):
            app = create_app({"control_plane": control_plane})
            status, _, body = call(
                app,
                "POST",
                "/identity/v3/auth/tokens",
                CONTENT_TYPE="application/json",
                **environ,
                **{"wsgi.input": io.BytesIO(raw)},
            )
            answers.append((status, json.loads(body).get("error")))
        assert answers[0] == answers[1], environ
        if environ["CONTENT_LENGTH"] == str(len(raw)):
            assert answers[0][0] == "201 Created"
