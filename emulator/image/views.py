"""Bodies of the image API (Glance v2) and how its faults are rendered.

The image body follows FJcloud-O's "Get an image" examples (export-chain.md §1.3 [A21], and the
増設ストレージ image of [P7] with ``fcx.base_image_id``, ``auth_version``, ``storage_path`` and
``fcx.win``), field for field; ``sync_status_reason`` appears only when set, as in [A21].
The list and versions documents are glance/api/v2/images.py ``index`` and glance/api/versions.py.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import request

from emulator.image.backend import ImageRecord, at

# glance/api/versions.py: the v2 minor versions, newest CURRENT. FJcloud-O's Glance is older
# (its image schema page has no 2.x minors); clients only need a CURRENT v2 to pick.
_VERSIONS = (
    ("v2.3", "CURRENT"),
    ("v2.2", "SUPPORTED"),
    ("v2.1", "SUPPORTED"),
    ("v2.0", "SUPPORTED"),
)


def versions(base: str) -> dict[str, Any]:
    """``GET /`` (300 Multiple Choices) and ``GET /versions`` (200)."""
    return {
        "versions": [
            {"id": vid, "status": status, "links": [{"rel": "self", "href": f"{base}/v2/"}]}
            for vid, status in _VERSIONS
        ]
    }


def image(record: ImageRecord) -> dict[str, Any]:
    """One image, in the field order of FJcloud-O's example [P7]."""
    body: dict[str, Any] = {
        "container_format": record.container_format,
        "min_ram": record.min_ram,
        "updated_at": at(record.updated_at),
        # [P7]'s example carries these FJcloud-O fields; their meaning is not documented. The
        # base image id is a stable 32-hex value per source volume (inference).
        "fcx.base_image_id": _base_image_id(record),
        "auth_version": "v2.0",
        "file": f"/v2/images/{record.id}/file",
        "owner": record.owner,
        "id": record.id,
        "size": record.size,
        "self": f"/v2/images/{record.id}",
        "disk_format": record.disk_format,
        "storage_path": f"/glance/{record.id}",
        "schema": "/v2/schemas/image",
        "status": record.status,
        "tags": [],
        "visibility": record.visibility,
        "min_disk": record.min_disk,
        "fcx.win": "true" if record.windows else "false",
        "name": record.name,
        "checksum": record.checksum,
        "created_at": at(record.created_at),
        "protected": record.protected,
    }
    if record.sync_status_reason is not None:
        body["sync_status_reason"] = record.sync_status_reason
    return body


def image_list(records: list[ImageRecord], next_marker: str | None) -> dict[str, Any]:
    """``GET /v2/images``: Glance's ``images``, ``schema``, ``first`` and, when paged, ``next``."""
    body: dict[str, Any] = {
        "images": [image(r) for r in records],
        "schema": "/v2/schemas/images",
        "first": "/v2/images",
    }
    if next_marker is not None:
        params = {k: v for k, v in request.args.items() if k != "marker"}
        params["marker"] = next_marker
        body["next"] = "/v2/images?" + "&".join(f"{k}={v}" for k, v in params.items())
    return body


def _base_image_id(record: ImageRecord) -> str:
    source = record.source_volume_id or record.id
    return hashlib.md5(source.encode(), usedforsecurity=False).hexdigest()
