"""``create_app``: the Flask app that serves identity, compute and the control plane."""

from __future__ import annotations

import inspect
import random
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from emulator import compute, control, identity
from emulator.config import EmulatorConfig
from emulator.state import STATE_KEY, EmulatorState

# Path prefix -> the module that renders that service's fault bodies. Unmatched paths (no
# blueprint) still get the fault format of the service whose prefix they carry.
_SERVICES = (
    (identity.URL_PREFIX, identity.render_http_exception),
    (compute.URL_PREFIX, compute.render_http_exception),
    (control.URL_PREFIX, control.render_http_exception),
)
_REQUEST_IDS = random.Random()  # noqa: S311 - seeded from os.urandom; ids only, not secrets
# "202 Accepted" for every status werkzeug knows a phrase for.
_STATUS_LINES = {code: f"{code} {phrase}" for code, phrase in HTTP_STATUS_CODES.items() if phrase}


class _EmulatorFlask(Flask):
    """Flask, minus a per-hook ``inspect`` check: the emulator has no async views or hooks."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` itself for a plain function; Flask's own wrapping for a coroutine function."""
        # Flask asks inspect.iscoroutinefunction for every hook and view on every request.
        known = _IS_COROUTINE.get(func)
        if known is None:
            known = _IS_COROUTINE[func] = inspect.iscoroutinefunction(func)
        return super().ensure_sync(func) if known else func


_IS_COROUTINE: dict[Callable[..., Any], bool] = {}


def create_app(config: EmulatorConfig | dict[str, Any] | None = None) -> Flask:
    """Build an emulator app. ``config`` may be an ``EmulatorConfig``, a dict of its fields or None."""
    cfg = EmulatorConfig.from_value(config)
    app = _EmulatorFlask("emulator")
    # Nova answers "//" in a path with its own 404; werkzeug's default would 308-redirect.
    app.url_map.merge_slashes = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    state = EmulatorState(cfg)
    app.extensions[STATE_KEY] = state

    app.before_request(_assign_request_id)
    if cfg.control_plane:
        control.install(app)  # fault injection + request log sit in front of every cloud route
    app.register_blueprint(identity.bp)
    app.register_blueprint(compute.bp)
    if cfg.control_plane:
        app.register_blueprint(control.bp)
    app.after_request(_finish_response)
    app.register_error_handler(HTTPException, _render_http_exception)
    app.register_error_handler(Exception, _render_unhandled)
    return app


def _new_request_id() -> str:
    """``req-<uuid4>``, as oslo.middleware's request_id sends."""
    # A correlation id, not a secret: drawn from a seeded PRNG rather than uuid4's os.urandom,
    # a syscall that releases the GIL, after which a busy waitress thread waits to get it back
    # (measured: the largest single cost per request under load).
    return f"req-{uuid.UUID(int=_REQUEST_IDS.getrandbits(128), version=4)}"


def _assign_request_id() -> None:
    g.request_id = _new_request_id()


def _finish_response(response: Response) -> Response:
    """Request id header and reason phrase (one hook: each hook costs a call per request)."""
    # Keystone and Nova both send x-openstack-request-id (oslo.middleware request_id).
    request_id = getattr(g, "request_id", None) or _new_request_id()
    response.headers.setdefault("x-openstack-request-id", request_id)
    # werkzeug upper-cases reason phrases ("202 ACCEPTED"); Nova and Keystone (webob) send
    # "202 Accepted", which is what the seed document tells the operator to look for.
    status_line = _STATUS_LINES.get(response.status_code)
    if status_line:
        response.status = status_line
    return response


def _service_renderer(path: str) -> Any:
    for prefix, render in _SERVICES:
        if path == prefix or path.startswith(prefix + "/"):
            return render
    return compute.render_http_exception


def _render_http_exception(exc: HTTPException) -> Response:
    if isinstance(exc, InternalServerError) and exc.original_exception is not None:
        # Reached both from _render_unhandled (a route raised) and from Flask's handle_exception
        # (an after_request hook raised): record it once, for the test that caused it.
        current_app.extensions[STATE_KEY].record_unhandled(exc.original_exception)
        current_app.logger.error(
            "unhandled error in %s %s",
            request.method,
            request.path,
            exc_info=exc.original_exception,
        )
    response: Response = _service_renderer(request.path)(exc)
    return response


def _render_unhandled(exc: Exception) -> Response:
    # Never expected: no client input may produce a 500. Answer in the service's own format.
    return _render_http_exception(InternalServerError(original_exception=exc))
