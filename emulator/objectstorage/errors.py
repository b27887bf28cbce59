"""Errors of the object-storage service (Swift): exception classes carrying status, body, headers.

Swift answers errors with swob responses: the status's default HTML page
(``<html><h1>Not Found</h1><p>The resource could not be found.</p></html>``, swift/common/swob.py
``RESPONSE_REASONS``) unless the raiser gives a plain-text body, as the name checks of
swift/common/constraints.py and swift/proxy/controllers/container.py do. Rendering is in
``emulator.objectstorage.views``.
"""

from __future__ import annotations

from typing import ClassVar

# swift/common/constraints.py
MAX_CONTAINER_NAME_LENGTH = 256
MAX_OBJECT_NAME_LENGTH = 1024
CONTAINER_LISTING_LIMIT = 10000


class SwiftError(Exception):
    """A Swift error response: ``status``, an optional plain-text ``body`` and ``headers``."""

    status: ClassVar[int] = 500

    def __init__(self, body: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(body or f"HTTP {self.status}")
        self.body = body
        self.headers = dict(headers or {})


class BadRequest(SwiftError):
    status = 400

    @classmethod
    def container_name_length(cls, length: int) -> BadRequest:
        """swift/proxy/controllers/container.py PUT."""
        return cls(f"Container name length of {length} longer than {MAX_CONTAINER_NAME_LENGTH}")

    @classmethod
    def object_name_length(cls, length: int) -> BadRequest:
        """swift/common/constraints.py check_object_creation."""
        return cls(f"Object name length of {length} longer than {MAX_OBJECT_NAME_LENGTH}")


class Unauthorized(SwiftError):
    status = 401


class Forbidden(SwiftError):
    status = 403


class NotFound(SwiftError):
    status = 404


class Conflict(SwiftError):
    """409: e.g. deleting a container that still holds objects."""

    status = 409


class PreconditionFailed(SwiftError):
    """412: swift/common/constraints.py check_utf8 ("Invalid UTF8 or contains NULL"), limits."""

    status = 412


class RequestEntityTooLarge(SwiftError):
    status = 413


class RangeNotSatisfiable(SwiftError):
    """416 with ``Content-Range: bytes */<length>`` (swob)."""

    status = 416

    def __init__(self, length: int) -> None:
        super().__init__(None, {"Content-Range": f"bytes */{length}", "Accept-Ranges": "bytes"})


class Unprocessable(SwiftError):
    """422: the ``ETag`` the client sent does not match the body (swift/obj/server.py PUT)."""

    status = 422
