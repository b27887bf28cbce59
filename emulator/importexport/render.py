"""How the import-export service's errors look: ``{"error_code", "error_message"}`` [A9][A11]."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from emulator.importexport.errors import UNDOCUMENTED, ExportError


def render_error(exc: ExportError) -> Response:
    response = jsonify({"error_code": exc.error_code, "error_message": exc.error_message})
    response.status_code = exc.status
    return response


def render_http_exception(exc: HTTPException) -> Response:
    """Unknown paths and methods: the service's error form; these codes are not documented."""
    code = exc.code or 500
    message = {404: "The resource could not be found.", 405: "Method not allowed."}.get(
        code, exc.description or exc.name
    )
    return render_error(ExportError(code, UNDOCUMENTED, message))
