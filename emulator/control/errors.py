"""Errors of the control plane: exception classes carrying data, one JSON renderer.

The control plane answers ``{"error": {"code": 400, "message": "..."}}``; it is the emulator's own
API, so it does not imitate Keystone or Nova.
"""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException


class ControlError(Exception):
    """A request to ``/_emulator/…`` that cannot be served; ``code`` is the HTTP status."""

    code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(ControlError):
    """Malformed JSON or a field with a wrong value; the message names the field."""

    code = 400


class NotFound(ControlError):
    """An unknown server or fault id."""

    code = 404


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
