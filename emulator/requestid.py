"""Request ids and status lines, applied by a WSGI middleware around the Flask app.

Every response carries ``x-openstack-request-id`` (oslo.middleware request_id, which Keystone and
Nova both run) and a webob-style reason phrase. Doing this in one WSGI wrapper instead of Flask
``before_request``/``after_request`` hooks sees every response (404s and error pages included)
and costs one call per request rather than a hook dispatch plus context-local lookups.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.http import HTTP_STATUS_CODES

from emulator.services import request_id_headers

REQUEST_ID_KEY = "emulator.request_id"
REQUEST_ID_HEADER = "x-openstack-request-id"
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# "202 Accepted" for every status werkzeug knows a phrase for.
_STATUS_LINES = {code: f"{code} {phrase}" for code, phrase in HTTP_STATUS_CODES.items() if phrase}


# Request ids are labels, not secrets: drawn from a generator of our own (seeded from the OS)
# rather than uuid.uuid4()'s os.urandom, which releases the GIL on every call — under load,
# each release is a hand-off to another thread and a wait to get the GIL back, on every request.
_IDS = random.Random()  # noqa: S311 - request ids identify, they protect nothing
if hasattr(os, "register_at_fork"):  # a forked child must not repeat its parent's ids
    os.register_at_fork(after_in_child=_IDS.seed)


def new_request_id() -> str:
    """``req-<uuid4>``, as oslo.middleware's request_id sends (a random version-4 UUID)."""
    return f"req-{uuid.UUID(int=_IDS.getrandbits(128), version=4)}"


def finish_headers(status: str, headers: list[tuple[str, str]], request_id: str, path: str) -> str:
    """Add the request id headers unless present; return ``status`` with webob's reason phrase.

    The one place request ids are set: ``x-openstack-request-id`` on every response, and the
    service's own (``x-compute-request-id`` under compute) on every response of that service,
    routed, error page or fault rule alike.
    """
    present = {name.lower() for name, _ in headers}
    for name in (REQUEST_ID_HEADER, *request_id_headers(path)):
        if name not in present:
            headers.append((name, request_id))
    # werkzeug upper-cases reason phrases ("202 ACCEPTED"); Nova and Keystone (webob) send
    # "202 Accepted", which is what the seed document tells the operator to look for.
    code = status[:3]
    line = _STATUS_LINES.get(int(code)) if code.isdigit() else None
    return line or status


class RequestIdMiddleware:
    """WSGI wrapper: a request id in the environ, and ``finish_headers`` on the response."""

    def __init__(self, wsgi_app: WSGIApp) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request_id = environ[REQUEST_ID_KEY] = new_request_id()
        path = environ.get("PATH_INFO", "")

        def finishing(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status = finish_headers(status, headers, request_id, path)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, finishing)
