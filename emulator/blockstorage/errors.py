"""Errors of the block-storage service (Cinder v2): exception classes carrying code and message.

Cinder renders them as ``{"<name>": {"code": N, "message": "..."}}`` (cinder/api/openstack/wsgi.py
``Fault``; names from ``Fault._fault_names``); messages are cinder/exception.py's and
cinder/volume/api.py's, quoted where each is raised. Rendering is in ``emulator.blockstorage.views``.
"""

from __future__ import annotations

from emulator.wsgi_fault import WsgiFault


class VolumeFault(WsgiFault):
    """A Cinder fault: HTTP ``code`` and a ``message``; the body key follows from the code."""


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
