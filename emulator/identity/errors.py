"""Fault bodies of the identity service (placeholder until the service is built)."""

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException


def render_http_exception(exc: HTTPException) -> Response:
    response = jsonify({"error": {"code": exc.code, "message": exc.description}})
    response.status_code = exc.code or 500
    return response
