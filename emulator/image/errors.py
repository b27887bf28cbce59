"""Errors of the image service (Glance v2): exception classes carrying the HTTP code and message.

Messages are glance/api/v2/images.py's, quoted where each one is raised; how webob renders them is
in ``emulator.image.views``.
"""

from __future__ import annotations

from typing import ClassVar


class ImageFault(Exception):
    """A Glance error: HTTP ``code`` and an ``explanation`` (webob's word for the message)."""

    code: ClassVar[int] = 500

    def __init__(self, explanation: str) -> None:
        super().__init__(explanation)
        self.explanation = explanation


class BadRequest(ImageFault):
    code = 400


class Forbidden(ImageFault):
    code = 403


class ImageNotFound(ImageFault):
    """404; glance/api/v2/images.py ``show``: "No image found with ID %s"."""

    code = 404

    @classmethod
    def show(cls, image_id: str) -> ImageNotFound:
        return cls(f"No image found with ID {image_id}")

    @classmethod
    def delete(cls, image_id: str) -> ImageNotFound:
        """glance/api/v2/images.py ``delete``: "Failed to find image %(image_id)s to delete"."""
        return cls(f"Failed to find image {image_id} to delete")
