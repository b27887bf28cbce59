"""The layer the control plane puts in front of every cloud route: faults and the request log.

``install(app)`` wraps ``app.wsgi_app`` in ONE WSGI middleware (``ControlLayer``) that, for every
request — routed, 404, 405 or error page alike — assigns the request id, applies a matching fault,
records the exchange in the request log and finishes the headers (``emulator.requestid``). Being
outside Flask, it costs no hook dispatch and no context-local lookups per request.

A "drop" fault turns into a closed connection: the layer raises ``ConnectionDropped`` instead of
starting the response. The waitress servers (``emulator.server.waitress_app``) translate it into
waitress's ``ClientDisconnected``, which waitress answers by closing the socket without writing a
byte; the in-process mock turns it into ``requests.exceptions.ConnectionError``. (Not a subclass
of waitress's exception: the mock, which serves no socket, must not pay for importing waitress.)
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, json

from emulator.control.errors import ConnectionDropped
from emulator.control.faults import Fault
from emulator.control.requestlog import Exchange, logged_environ_headers
from emulator.current import STATE_KEY
from emulator.prefetch import BODY_KEY
from emulator.requestid import (
    REQUEST_ID_KEY,
    StartResponse,
    WSGIApp,
    finish_headers,
    new_request_id,
)
from emulator.services import service_of

__all__ = ["URL_PREFIX", "ControlLayer", "install", "is_control_path"]

URL_PREFIX = "/_emulator"
# Paths whose fault responses carry Nova's old request id header too (nova/api/compute_req_id.py).
_COMPUTE_PREFIX = "/compute/"


def install(app: Flask) -> None:
    """Put the fault layer and the request log in front of every route of ``app``."""
    app.wsgi_app = ControlLayer(app.wsgi_app, app)  # type: ignore[method-assign]


def is_control_path(path: str) -> bool:
    return path == URL_PREFIX or path.startswith(URL_PREFIX + "/")


class ControlLayer:
    """WSGI middleware: request id, faults, request log, finished headers — one call per request."""

    def __init__(self, wsgi_app: WSGIApp, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request_id = environ[REQUEST_ID_KEY] = new_request_id()
        path: str = environ.get("PATH_INFO", "")
        if is_control_path(path):
            # The control plane's own requests are neither faulted nor logged.
            def finishing(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                return start_response(
                    finish_headers(status, headers, request_id), headers, exc_info
                )

            return self.wsgi_app(environ, finishing)
        return self._cloud_request(environ, start_response, request_id, path)

    def _cloud_request(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        request_id: str,
        path: str,
    ) -> Iterable[bytes]:
        # Looked up per request: reset() replaces the control backend (faults, log, clock).
        state = self.app.extensions[STATE_KEY]
        control = state.control
        method: str = environ.get("REQUEST_METHOD", "GET")
        request_body = _take_request_body(environ, state.config.max_body_bytes)
        fault = None if control.faults.empty else control.faults.take(method, path, request_body)
        dropped: str | None = None
        if fault is not None:
            if fault.delay_seconds:
                control.sleep(fault.delay_seconds)
            if fault.action in ("drop_before", "drop_after"):
                dropped = fault.action.removeprefix("drop_")
        captured: list[Any] = []
        chunks: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [finish_headers(status, headers, request_id), headers, exc_info]
            return chunks.append  # WSGI's write(): Flask never uses it, but keep what it writes

        if dropped == "before":
            # The route never runs and nothing is answered; the log shows the request only.
            status_line, headers = None, None
        else:
            if fault is not None and fault.action == "respond":
                app_iter = _fault_response(fault, path, request_id)(environ, capture)
            else:
                app_iter = self.wsgi_app(environ, capture)
            try:
                chunks.extend(app_iter)
            finally:
                close = getattr(app_iter, "close", None)
                if close is not None:
                    close()
            status_line, headers = captured[0], captured[1]
        response_body = b"".join(chunks)
        # Raw parts only: the log masks them when it is read (see requestlog.Exchange).
        control.requests.append(
            Exchange(
                at=state.clock.now(),
                method=method,
                path=path,
                query=environ.get("QUERY_STRING", ""),
                service=_service_name(path),
                # drop_after: the route ran and answered; the client just never saw it.
                status=None if status_line is None else int(status_line[:3]),
                request_headers=logged_environ_headers(environ),
                request_body=request_body,
                response_headers=None if headers is None else list(headers),
                response_body=response_body,
                fault=None if fault is None else {"id": fault.id, "action": fault.action},
                dropped=dropped is not None,
                users=state.config.seed.users,
            )
        )
        if dropped is not None:
            assert fault is not None
            raise ConnectionDropped(fault.id, method, path, dropped)
        start_response(status_line, headers, captured[2])
        return [response_body]


def _take_request_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body for fault matching and the log; the app then reads the same bytes.

    The stream is read here once and replaced by an in-memory copy, so the route still sees the
    whole body. A body over ``limit`` is neither matched nor logged (the service answers 413).
    """
    length_text = environ.get("CONTENT_LENGTH", "")
    chunked = "HTTP_TRANSFER_ENCODING" in environ
    if not length_text.strip("0 ") and not chunked:
        # No length and not chunked: HTTP framing says there is no body (most GETs).
        return b""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    try:
        length = int(length_text) if length_text.strip() else None
    except ValueError:
        return b""  # werkzeug reads no body for a malformed length either
    if length is not None and length <= 0:
        return b""  # werkzeug reads a negative length as 0
    if length is not None and length > limit:
        return b""  # left unread: the service answers 413 without reading it
    if length is not None:
        body: bytes = stream.read(length)
        complete = len(body) == length  # short: werkzeug answers the route's read with a 400
    elif environ.get("wsgi.input_terminated"):
        # Chunked, de-chunked by the server: at most one byte past the limit, so the route
        # still sees that it is too large and answers 413.
        body = stream.read(limit + 1)
        complete = True
    else:
        return b""  # chunked with no terminated stream: werkzeug reads nothing either
    environ["wsgi.input"] = io.BytesIO(body)
    if len(body) > limit:
        return b""
    if complete:
        environ[BODY_KEY] = body  # the route uses these bytes instead of reading the stream
    return body


def _fault_response(fault: Fault, path: str, request_id: str) -> Response:
    if isinstance(fault.body, str):
        response = Response(fault.body, mimetype="text/plain")
    elif fault.body is None:
        response = Response(b"")
    else:
        response = Response(json.dumps(fault.body), mimetype="application/json")
    response.status_code = fault.status or 500
    for name, value in fault.headers.items():
        response.headers[name] = value
    if path.startswith(_COMPUTE_PREFIX):
        response.headers.setdefault("x-compute-request-id", request_id)
    return response


def _service_name(path: str) -> str | None:
    owner = service_of(path)
    return None if owner is None else owner.name
