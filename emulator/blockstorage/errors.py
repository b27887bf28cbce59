"""Errors of the block-storage service (Cinder v2): exception classes carrying code and message.

Cinder renders them as ``{"<name>": {"code": N, "message": "..."}}`` (cinder/api/openstack/wsgi.py
``Fault``; names from ``Fault._fault_names``); messages are cinder/exception.py's and
cinder/volume/api.py's, quoted where each is raised. Rendering is in ``emulator.blockstorage.views``.
"""

from __future__ import annotations

from typing import ClassVar

# cinder/api/openstack/wsgi.py Fault._fault_names
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


class VolumeFault(Exception):
    """A Cinder fault: HTTP ``code``, ``message`` and extra headers (``Retry-After``)."""

    code: ClassVar[int] = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})

    @property
    def key(self) -> str:
        return FAULT_NAMES.get(self.code, "computeFault")


class BadRequest(VolumeFault):
    code = 400

    @classmethod
    def invalid_volume(cls, reason: str) -> BadRequest:
        """cinder/exception.py InvalidVolume: "Invalid volume: %(reason)s"."""
        return cls(f"Invalid volume: {reason}")


class Forbidden(VolumeFault):
    code = 403

    @classmethod
    def policy(cls, action: str) -> Forbidden:
        """cinder/exception.py PolicyNotAuthorized."""
        return cls(f"Policy doesn't allow {action} to be performed.")


class VolumeNotFound(VolumeFault):
    """404 ``itemNotFound``; cinder/exception.py VolumeNotFound."""

    code = 404

    def __init__(self, volume_id: str) -> None:
        super().__init__(f"Volume {volume_id} could not be found.")
        self.volume_id = volume_id


class UploadLimitExceeded(VolumeFault):
    """413 ``overLimit``: FJcloud-O's 4 uploads per hour per project [P7] were used.

    FJcloud-O documents the limit but NOT the error it answers when the limit is exceeded
    (export-chain.md §5 item 13). The emulator answers like Cinder's rate limiter
    (cinder/api/openstack/wsgi.py ``Fault`` for a 413 with ``Retry-After``: ``overLimit`` with
    ``retryAfter``), and its message says that this answer is the emulator's choice.
    """

    code = 413

    def __init__(self, limit: int, window_seconds: float, retry_after: int) -> None:
        super().__init__(
            f"This request was rate-limited: Upload volume to image is limited to {limit} "
            f"requests per project per {window_seconds / 3600:g} hour(s); retry after "
            f"{retry_after} s. (emulator: FJcloud-O documents the limit but not this error; "
            "its status and body here follow Cinder's overLimit fault.)",
            headers={"Retry-After": str(retry_after)},
        )
        self.limit = limit
        self.retry_after = retry_after
