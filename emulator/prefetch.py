"""The request body the control layer has already read, so a route need not read it again.

``ControlLayer`` reads every body once (fault matching and the request log need it) and puts the
bytes under ``BODY_KEY`` when they are complete and within ``max_body_bytes``; a route then skips
werkzeug's input-stream wrapping. Without the control plane (or for a body it did not keep) the
key is absent and the route reads ``request.get_data`` as before.
"""

from __future__ import annotations

from flask import request

BODY_KEY = "emulator.request_body"


def prefetched_body() -> bytes | None:
    """The whole request body if the control layer kept it, else None (read it yourself)."""
    body: bytes | None = request.environ.get(BODY_KEY)
    return body
