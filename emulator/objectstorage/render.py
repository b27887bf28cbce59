"""How the object-storage service answers: swob's responses, its error pages included.

Swift answers errors with the status's default HTML page
(``<html><h1>Not Found</h1><p>The resource could not be found.</p></html>``, swift/common/swob.py
``RESPONSE_REASONS``) unless the raiser gave a plain-text body; every response carries a
transaction id as ``X-Trans-Id``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Response
from werkzeug.exceptions import HTTPException

from emulator.objectstorage.errors import SwiftError

# swift/common/swob.py RESPONSE_REASONS: title and default explanation of each status used.
REASONS: dict[int, tuple[str, str]] = {
    202: ("Accepted", "The request is accepted for processing."),
    400: (
        "Bad Request",
        "The server could not comply with the request since it is either malformed or "
        "otherwise incorrect.",
    ),
    401: (
        "Unauthorized",
        "This server could not verify that you are authorized to access the document you "
        "requested.",
    ),
    403: ("Forbidden", "Access was denied to this resource."),
    404: ("Not Found", "The resource could not be found."),
    405: ("Method Not Allowed", "The method is not allowed for this resource."),
    409: ("Conflict", "There was a conflict when trying to complete your request."),
    411: ("Length Required", "Content-Length header required."),
    412: ("Precondition Failed", "A precondition for this request was not met."),
    413: ("Request Entity Too Large", "The body of your request was too large for this server."),
    416: ("Requested Range Not Satisfiable", "The Range requested is not available."),
    422: ("Unprocessable Entity", "Unable to process the contained instructions"),
    500: (
        "Internal Error",
        "The server has either erred or is incapable of performing the requested operation.",
    ),
}
_HTML = "text/html; charset=UTF-8"


def trans_id() -> str:
    """swift/common/utils.py generate_trans_id: ``tx`` + 21 hex + ``-`` + the time in hex."""
    return f"tx{uuid.uuid4().hex[:21]}-{int(datetime.now(timezone.utc).timestamp()):010x}"


def swob(
    status: int,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    content_type: str = _HTML,
) -> Response:
    """A swob-like response; a status with a default explanation gets its HTML page as body."""
    if body is None:
        title, explanation = REASONS.get(status, ("", ""))
        body = f"<html><h1>{title}</h1><p>{explanation}</p></html>" if explanation else b""
    response = Response(body, status=status, content_type=content_type)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    # Swift sends its transaction id as X-Trans-Id and X-Openstack-Request-Id; the emulator
    # keeps its own request id in the latter (the request log is matched by it).
    response.headers["X-Trans-Id"] = trans_id()
    return response


def render_error(exc: SwiftError) -> Response:
    if exc.body is not None:
        return swob(exc.status, exc.body, exc.headers)
    return swob(exc.status, None, exc.headers)


def render_http_exception(exc: HTTPException) -> Response:
    """werkzeug's 404/405 under the object-storage prefix, as swob's pages."""
    return swob(exc.code or 500)
