"""``create_app``: the Flask app that serves every service of ``emulator.services`` and the control plane.

This is where route modules are imported (no package ``__init__`` imports them): each service's
blueprint and fault renderer are named in ``emulator.services.SERVICES`` and imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.utils import import_string

from emulator.config import EmulatorConfig
from emulator.control import chain_routes as control_chain_routes
from emulator.control import layer as control_layer
from emulator.control import render as control_render
from emulator.control import routes as control_routes
from emulator.identity.errors import IdentityError
from emulator.identity.render import render_identity_error
from emulator.requestid import RequestIdMiddleware
from emulator.services import DEFAULT_SERVICE, SERVICES, is_control_path, service_of
from emulator.state import STATE_KEY, EmulatorState

HTTPExceptionRenderer = Callable[[HTTPException], Response]


def create_app(config: EmulatorConfig | dict[str, Any] | None = None) -> Flask:
    """Build an emulator app. ``config`` may be an ``EmulatorConfig``, a dict of its fields or None."""
    cfg = EmulatorConfig.from_value(config)
    app = Flask("emulator")
    # Nova answers "//" in a path with its own 404; werkzeug's default would 308-redirect.
    app.url_map.merge_slashes = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    state = EmulatorState(cfg)
    app.extensions[STATE_KEY] = state

    renderers: dict[str, HTTPExceptionRenderer] = {}
    for service in SERVICES:
        blueprint = import_string(service.blueprint)
        if not isinstance(blueprint, Blueprint):
            raise TypeError(f"{service.name}: {service.blueprint} is not a Flask Blueprint")
        app.register_blueprint(blueprint, url_prefix=service.prefix)
        renderers[service.name] = import_string(service.fault_renderer)
    app.extensions[_RENDERERS_KEY] = renderers
    # A 401 from any service's token check is keystonemiddleware's, in Keystone's format.
    app.register_error_handler(IdentityError, render_identity_error)
    # One WSGI middleware sees every request (404s and error pages too): the request id and
    # reason phrase always; with the control plane also fault injection and the request log.
    if cfg.control_plane:
        app.register_blueprint(control_routes.bp)
        app.register_blueprint(control_chain_routes.bp)
        control_layer.install(app)
    else:
        app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    app.register_error_handler(HTTPException, _render_http_exception)
    app.register_error_handler(Exception, _render_unhandled)
    return app


_RENDERERS_KEY = "emulator.fault_renderers"


def _service_renderer(path: str) -> HTTPExceptionRenderer:
    """The fault renderer for ``path``: unmatched paths (no blueprint) still get the format of
    the service whose prefix they carry, the control plane's own under ``/_emulator``."""
    if is_control_path(path):
        return control_render.render_http_exception
    renderers: dict[str, HTTPExceptionRenderer] = current_app.extensions[_RENDERERS_KEY]
    owner = service_of(path)
    return renderers[DEFAULT_SERVICE if owner is None else owner.name]


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
    return _service_renderer(request.path)(exc)


def _render_unhandled(exc: Exception) -> Response:
    # Never expected: no client input may produce a 500. Answer in the service's own format.
    return _render_http_exception(InternalServerError(original_exception=exc))
