"""The fault of OpenStack's ``wsgi`` layer, shared by Nova and Cinder: code, message, body key.

Both render an error as ``{"<name>": {"code": N, "message": "..."}}``, the name taken from the
same ``Fault._fault_names`` map (``nova/api/openstack/wsgi.py``; Cinder's
``cinder/api/openstack/wsgi.py`` is a copy of it), and ``computeFault`` for a code missing from
it (Cinder too). Each service subclasses ``WsgiFault`` in its own ``errors.py``.
"""

from __future__ import annotations

from typing import ClassVar

# nova/api/openstack/wsgi.py and cinder/api/openstack/wsgi.py: Fault._fault_names
FAULT_NAMES: dict[int, str] = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}


def fault_name(code: int) -> str:
    """The top-level key of the fault body for ``code``, e.g. ``itemNotFound``."""
    return FAULT_NAMES.get(code, "computeFault")


class WsgiFault(Exception):
    """A fault: HTTP ``code``, a ``message`` and extra headers (``Retry-After``)."""

    code: ClassVar[int] = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})

    @property
    def key(self) -> str:
        """The top-level key of the fault body, e.g. ``itemNotFound``."""
        return fault_name(self.code)
