"""Nova's fault responses: ``{"<key>": {"code": N, "message": "..."}}``."""

from __future__ import annotations

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from emulator.compute.errors import ComputeFault
from emulator.wsgi_fault import fault_name

# webob's explanations, which Nova's Fault uses when a handler gives none.
_WEBOB_EXPLANATIONS: dict[int, str] = {
    400: "The server could not comply with the request since it is either malformed or otherwise incorrect.",
    404: "The resource could not be found.",
    413: "Request is too large.",
    415: "The request media type is not supported by this server.",
}


def render_fault(exc: ComputeFault) -> Response:
    """Nova's fault body for ``exc``, with the compute request id header."""
    response = jsonify({exc.key: {"code": exc.code, "message": exc.message}})
    response.status_code = exc.code
    for name, value in exc.headers.items():
        response.headers[name] = value
    return response


def render_http_exception(exc: HTTPException) -> Response:
    """Render a werkzeug error (unknown path, wrong method, body too large) as a Nova fault."""
    code = exc.code or 500
    if code == 405:
        # webob's HTTPMethodNotAllowed explanation, which Nova's Fault wraps.
        message = f"The method {request.method} is not allowed for this resource."
    else:
        message = _WEBOB_EXPLANATIONS.get(code, exc.description or exc.name)
    response = jsonify({fault_name(code): {"code": code, "message": message}})
    response.status_code = code
    for name, value in exc.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return response
