"""The image calls (Glance v2): show the image being made, find it by name, delete it afterwards.

Sources (export-chain.md §1.3, §2.4): "Get an image" ``GET /v2/images/{image_id}`` → 200 with the
entity at the top level, and FJcloud-O's ``sync_status_reason`` [A21]; before an image is used it
must exist, be ``active`` and have no ``sync_status_reason`` [A20]. Glance's own statuses:
glance/domain/__init__.py (queued, saving, active, killed, deleted, pending_delete, deactivated,
uploading, importing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from runbook.errors import ApiError
from runbook.service import ServiceApi, Session, fault_text, unexpected

DELETE_ACTION = "image-delete"  # the journal's name for this request
# Glance statuses an image never leaves on its way to active (it failed or went away).
DEAD_STATUSES = frozenset({"killed", "deleted", "pending_delete", "deactivated"})


class ImageNotFound(ApiError):
    """404 for the image: a wrong IMAGE_ID, another project's image, or it was deleted."""


@dataclass(frozen=True)
class ImageView:
    """The fields of an image the runbook shows and decides on."""

    id: str
    name: str
    status: str
    size: int | None
    checksum: str | None
    disk_format: str | None
    sync_status_reason: str | None
    created_at: str | None

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> ImageView:
        """From Glance's image entity."""
        return cls(
            id=str(body.get("id", "")),
            name=str(body.get("name") or ""),
            status=str(body.get("status", "")),
            size=body.get("size"),
            checksum=body.get("checksum"),
            disk_format=body.get("disk_format"),
            sync_status_reason=body.get("sync_status_reason") or None,
            created_at=body.get("created_at"),
        )

    @property
    def usable(self) -> bool:
        """[A20]: it exists, its status is active, and it has no sync_status_reason."""
        return self.status == "active" and not self.sync_status_reason

    def line(self) -> str:
        """``name (id), active, 2254249 bytes``."""
        size = f"{self.size} bytes" if self.size is not None else "size not known yet"
        return f"{self.name} ({self.id}), {self.status}, {size}"


class ImageApi(ServiceApi):
    """``{IMAGE}/v2/images…``."""

    def __init__(self, session: Session, base: str) -> None:
        super().__init__(session)
        self.base = base

    def image_url(self, image_id: str) -> str:
        """``{IMAGE}/v2/images/{IMAGE_ID}``."""
        return f"{self.base}/v2/images/{image_id}"

    def show_image(self, image_id: str) -> ImageView:
        """``GET {IMAGE}/v2/images/{IMAGE_ID}`` → 200."""
        url = self.image_url(image_id)
        response = self.call("GET", url)
        if response.status_code == 404:
            raise ImageNotFound(
                "GET",
                url,
                404,
                response.reason,
                fault_text(response, self.secrets),
                hint="check IMAGE_ID (--image-id): the image must belong to the token's project; "
                "if it was deleted, create it again (イメージの作成)",
            )
        if response.status_code != 200:
            raise unexpected("GET", url, response, self.secrets)
        return ImageView.from_body(response.json())

    def find_images(self, name: str) -> list[ImageView]:
        """``GET {IMAGE}/v2/images?name=…`` (Glance filters by exact name)."""
        url = f"{self.base}/v2/images?name={quote(name, safe='')}"
        response = self.call("GET", url)
        if response.status_code != 200:
            raise unexpected("GET", url, response, self.secrets)
        return [ImageView.from_body(entry) for entry in response.json().get("images") or []]

    def delete_image(self, image_id: str) -> requests.Response:
        """``DELETE {IMAGE}/v2/images/{IMAGE_ID}`` (204 expected; the caller judges)."""
        return self.call(
            "DELETE", self.image_url(image_id), action=DELETE_ACTION, about={"image_id": image_id}
        )
