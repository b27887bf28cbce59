"""The layer the control plane puts in front of every cloud route: faults and the request log.

``install(app)`` adds a ``before_request`` hook (faults), an ``after_request`` hook (request log)
and a thin WSGI wrapper that turns a "drop" fault into a closed connection: it raises
``ConnectionDropped`` instead of starting the response. The waitress servers
(``emulator.server.waitress_app``) translate it into waitress's ``ClientDisconnected``, which
waitress answers by closing the socket without writing a byte; the in-process mock turns it into
``requests.exceptions.ConnectionError``. (Not a subclass of waitress's exception: the mock, which
serves no socket, must not pay for importing waitress.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, json, request

# A module import, not ``from … import``: emulator.state imports this package while it loads.
import emulator.state as emulator_state
from emulator.control.faults import Fault, service_of
from emulator.control.requestlog import Exchange, logged_environ_headers

URL_PREFIX = "/_emulator"
_DROP_KEY = "emulator.drop_connection"
_FAULT_KEY = "emulator.fault"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class ConnectionDropped(Exception):
    """A drop fault fired: the connection must close without a response."""

    def __init__(self, fault_id: str, method: str, path: str, when: str) -> None:
        super().__init__(f"fault {fault_id} dropped the connection {when} {method} {path}")
        self.fault_id = fault_id
        self.method = method
        self.path = path
        self.when = when


def install(app: Flask) -> None:
    """Put the fault layer and the request log in front of every route of ``app``."""
    app.before_request(_apply_fault)
    app.after_request(_log_request)
    app.wsgi_app = _ConnectionDropper(app.wsgi_app)  # type: ignore[method-assign]


def is_control_path(path: str) -> bool:
    return path == URL_PREFIX or path.startswith(URL_PREFIX + "/")


def _request_body() -> bytes:
    environ = request.environ
    if (
        not environ.get("CONTENT_LENGTH", "0").strip("0")
        and "HTTP_TRANSFER_ENCODING" not in environ
    ):
        # No length and not chunked: HTTP framing says there is no body (most GETs); skip
        # building werkzeug's input stream just to read nothing.
        return b""
    limit = emulator_state.current_state().config.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        return b""  # the service answers 413; a huge body is neither matched nor logged
    return request.get_data(cache=True)


def _apply_fault() -> Response | None:
    if is_control_path(request.path):
        return None
    control = emulator_state.current_state().control
    if control.faults.empty:
        return None
    fault = control.faults.take(request.method, request.path, _request_body())
    if fault is None:
        return None
    request.environ[_FAULT_KEY] = fault
    if fault.delay_seconds:
        control.sleep(fault.delay_seconds)
    if fault.action == "respond":
        return _fault_response(fault)
    if fault.action == "drop_before":
        request.environ[_DROP_KEY] = "before"
        return Response(status=204)  # never sent: the wrapper drops the connection instead
    if fault.action == "drop_after":
        request.environ[_DROP_KEY] = "after"
    return None


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


def _log_request(response: Response) -> Response:
    environ = request.environ
    path: str = request.path
    if is_control_path(path):
        return response
    state = emulator_state.current_state()
    fault: Fault | None = environ.get(_FAULT_KEY)
    dropped = environ.get(_DROP_KEY)
    # Raw parts only: the log masks them when it is read (see requestlog.Exchange).
    state.control.requests.append(
        Exchange(
            at=state.clock.now(),
            method=environ["REQUEST_METHOD"],
            path=path,
            # What request.query_string.decode("latin-1") gives, without the round trip.
            query=environ.get("QUERY_STRING", ""),
            service=service_of(path),
            # drop_after: the route ran and answered; the client just never saw it.
            status=None if dropped == "before" else response.status_code,
            request_headers=logged_environ_headers(environ),
            request_body=_request_body(),
            response_headers=None if dropped == "before" else response.headers.to_wsgi_list(),
            response_body=(
                b"" if response.is_streamed or dropped == "before" else response.get_data()
            ),
            fault=None if fault is None else {"id": fault.id, "action": fault.action},
            dropped=dropped is not None,
            users=state.config.seed.users,
        )
    )
    return response


class _ConnectionDropper:
    """WSGI wrapper: refuse to start the response of a request a drop fault has marked."""

    def __init__(self, wsgi_app: WSGIApp) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def start_or_drop(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            when = environ.get(_DROP_KEY)
            if when is not None:
                fault: Fault = environ[_FAULT_KEY]
                method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
                raise ConnectionDropped(fault.id, method, path, when)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_or_drop)
