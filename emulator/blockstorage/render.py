"""How the block-storage service's errors look: Cinder's ``{"<name>": {"code", "message"}}``.

cinder/api/openstack/wsgi.py ``Fault``: the key from ``Fault._fault_names`` by status, and for
a 413/429 with ``Retry-After`` also ``retryAfter``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from emulator.blockstorage.errors import VolumeFault
from emulator.wsgi_fault import fault_name

# -- faults --------------------------------------------------------------------------------
# webob's explanations, which Cinder's Fault wraps when a route raised nothing of its own.
_WEBOB_EXPLANATIONS = {
    404: "The resource could not be found.",
    405: "The method is not allowed for this resource.",
    413: "Request is too large.",
}


def render_fault(exc: VolumeFault) -> Response:
    """``{"<name>": {"code", "message"}}``; a 413 carries ``retryAfter`` too (Cinder's Fault)."""
    fault: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.code in (413, 429) and "Retry-After" in exc.headers:
        fault["retryAfter"] = exc.headers["Retry-After"]
    return _response(exc.code, exc.key, fault, exc.headers)


def render_http_exception(exc: HTTPException) -> Response:
    code = exc.code or 500
    message = _WEBOB_EXPLANATIONS.get(code, exc.description or exc.name)
    key = fault_name(code)
    return _response(code, key, {"code": code, "message": message}, {})


def _response(code: int, key: str, fault: dict[str, Any], headers: dict[str, str]) -> Response:
    response = jsonify({key: fault})
    response.status_code = code
    for name, value in headers.items():
        response.headers[name] = value
    return response
