"""How the image service's errors look: webob's rendering of Glance's ``webob.exc`` errors.

Glance v2 raises ``webob.exc.HTTPNotFound(explanation=msg)`` and friends; webob picks the body
form from the request's ``Accept`` (webob/exc.py ``WSGIHTTPException.generate_response``): JSON
``{"message", "code": "404 Not Found", "title"}`` when the client asks for JSON (openstacksdk
does), else its HTML page (``html_template_obj``).
"""

from __future__ import annotations

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

from emulator.image.errors import ImageFault

# -- faults --------------------------------------------------------------------------------
# webob/exc.py titles and the explanations of the errors werkzeug raises before a route runs.
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
}
_EXPLANATIONS = {
    404: "The resource could not be found.",
    405: "The method is not allowed for this resource.",
    413: "The request is too large.",
    500: "The server has either erred or is incapable of performing the requested operation.",
}


def render_fault(exc: ImageFault) -> Response:
    return _webob_response(exc.code, exc.explanation)


def render_http_exception(exc: HTTPException) -> Response:
    """A werkzeug error (unknown path, wrong method) under the image prefix, as webob sends it."""
    code = exc.code or 500
    return _webob_response(code, _EXPLANATIONS.get(code, exc.description or ""))


def _webob_response(code: int, explanation: str) -> Response:
    """webob/exc.py ``generate_response``: JSON when the client asks for it, else HTML."""
    title = _TITLES.get(code, "Error")
    status = f"{code} {title}"
    if "json" in request.headers.get("Accept", ""):
        body = json.dumps({"message": explanation, "code": status, "title": title})
        response = Response(body, status=code, mimetype="application/json")
    else:
        html = (
            f"<html>\n <head>\n  <title>{status}</title>\n </head>\n <body>\n"
            f"  <h1>{status}</h1>\n  {explanation}<br /><br />\n\n\n\n </body>\n</html>"
        )
        response = Response(html, status=code, content_type="text/html; charset=UTF-8")
    return response
