"""Keystone's error responses: ``{"error": {code, title, message}}`` and ``WWW-Authenticate``.

``render_identity_error`` is the app-level handler of ``IdentityError`` (``create_app``), so a 401
from any service's token check comes out in Keystone's format, as keystonemiddleware sends it in
front of Nova and the other services.
"""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from emulator.identity.errors import IdentityError
from emulator.urls import service_base


def render_identity_error(exc: IdentityError) -> Response:
    """Keystone's error body; a 401 also carries ``WWW-Authenticate: Keystone uri=...``."""
    error = {"code": exc.code, "title": exc.title, "message": exc.message, **exc.extra}
    response = jsonify({"error": error})
    response.status_code = exc.code
    if exc.code == 401:
        _add_www_authenticate(response)
    return response


def render_http_exception(exc: HTTPException) -> Response:
    """404/405/… raised by routing, in Keystone's body shape (Allow header kept for 405)."""
    code = exc.code or 500
    response = jsonify(
        {"error": {"code": code, "title": exc.name, "message": _http_message(exc, code)}}
    )
    response.status_code = code
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    if code == 401:
        _add_www_authenticate(response)
    return response


def _http_message(exc: HTTPException, code: int) -> str:
    if code == 404:
        return "The resource could not be found."
    if code == 405:
        return "The method is not allowed for the requested URL."
    return (exc.description or exc.name).strip()


def _add_www_authenticate(response: Response) -> None:
    # keystone/server/flask/application.py: Keystone uri="<public identity endpoint>"
    response.headers["WWW-Authenticate"] = f'Keystone uri="{service_base("identity")}"'
