"""``create_app``: the Flask app that serves identity, compute and the control plane."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, InternalServerError

from emulator import compute, control, identity
from emulator.config import EmulatorConfig
from emulator.requestid import RequestIdMiddleware
from emulator.state import STATE_KEY, EmulatorState

# Path prefix -> the module that renders that service's fault bodies. Unmatched paths (no
# blueprint) still get the fault format of the service whose prefix they carry.
_SERVICES = (
    (identity.URL_PREFIX, identity.render_http_exception),
    (compute.URL_PREFIX, compute.render_http_exception),
    (control.URL_PREFIX, control.render_http_exception),
)


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

    app.register_blueprint(identity.bp)
    app.register_blueprint(compute.bp)
    # One WSGI middleware sees every request (404s and error pages too): the request id and
    # reason phrase always; with the control plane also fault injection and the request log.
    if cfg.control_plane:
        app.register_blueprint(control.bp)
        control.install(app)
    else:
        app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    app.register_error_handler(HTTPException, _render_http_exception)
    app.register_error_handler(Exception, _render_unhandled)
    return app


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
