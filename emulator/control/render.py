"""The control plane's error responses: ``{"error": {"code", "message"}}``."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from emulator.control.errors import ControlError


def render_control_error(exc: ControlError) -> Response:
    """``{"error": {"code", "message"}}`` with the error's status."""
    return _error_response(exc.code, exc.message)


def render_http_exception(exc: HTTPException) -> Response:
    """Werkzeug's 404/405/415… under ``/_emulator`` in the control plane's format."""
    return _error_response(exc.code or 500, exc.description or exc.name)


def _error_response(code: int, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = code
    return response
