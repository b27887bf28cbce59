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
from werkzeug.exceptions import ClientDisconnected
from werkzeug.wsgi import get_content_length, get_input_stream

from emulator.control.errors import ConnectionDropped
from emulator.control.faults import Fault
from emulator.control.requestlog import Exchange, environ_headers
from emulator.current import STATE_KEY
from emulator.requestid import (
    REQUEST_ID_KEY,
    StartResponse,
    WSGIApp,
    finish_headers,
    new_request_id,
)
from emulator.services import CONTROL_PREFIX, is_control_path, service_of

__all__ = ["URL_PREFIX", "ControlLayer", "install"]

URL_PREFIX = CONTROL_PREFIX


def install(app: Flask) -> None:
    """Put the fault layer and the request log in front of every route of ``app``."""
    app.wsgi_app = ControlLayer(app.wsgi_app, app)  # type: ignore[method-assign]


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
                    finish_headers(status, headers, request_id, path), headers, exc_info
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
            captured[:] = [finish_headers(status, headers, request_id, path), headers, exc_info]
            return chunks.append  # WSGI's write(): Flask never uses it, but keep what it writes

        if dropped == "before":
            # The route never runs and nothing is answered; the log shows the request only.
            status_line, headers = None, None
        else:
            if fault is not None and fault.action == "respond":
                app_iter = _fault_response(fault)(environ, capture)
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
                at=state.clock.time(),  # the log's ISO time is made when read
                method=method,
                path=path,
                query=environ.get("QUERY_STRING", ""),
                service=_service_name(path),
                # drop_after: the route ran and answered; the client just never saw it.
                status=None if status_line is None else int(status_line[:3]),
                request_headers=environ_headers(environ),
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

    werkzeug decides what the body is (``get_input_stream``: ``Content-Length``, a chunked body
    the server de-chunked, else none), and the bytes read are put back as an in-memory stream,
    so the route reads them as usual. At most one byte past ``limit`` is read, so the route
    still sees that a chunked body is too large; a body over ``limit`` is neither matched nor
    logged (the service answers 413), one announced over it is not read at all.
    """
    length = get_content_length(environ)
    if length is not None and length > limit:
        return b""
    try:
        body = get_input_stream(environ).read(limit + 1)
    except ClientDisconnected:
        body = b""  # shorter than announced: the route's read fails the same way (400)
    environ["wsgi.input"] = io.BytesIO(body)
    return body if len(body) <= limit else b""


def _fault_response(fault: Fault) -> Response:
    if isinstance(fault.body, str):
        response = Response(fault.body, mimetype="text/plain")
    elif fault.body is None:
        response = Response(b"")
    else:
        response = Response(json.dumps(fault.body), mimetype="application/json")
    response.status_code = fault.status or 500
    for name, value in fault.headers.items():
        response.headers[name] = value
    return response


def _service_name(path: str) -> str | None:
    owner = service_of(path)
    return None if owner is None else owner.name
