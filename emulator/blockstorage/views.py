"""Bodies of the block-storage API (Cinder v2) and how its faults are rendered.

Volume bodies follow cinder/api/v2/views/volumes.py (``summary``, ``detail``) with the
``os-vol-tenant-attr`` extension a project user sees; the upload answer is the K5 sample
response of "Create image" [G1] (export-chain.md §1.3), key for key.
"""

from __future__ import annotations

from typing import Any

from emulator.blockstorage.backend import VOLUME_TYPE, VolumeRecord, cinder_time

_MEDIA_TYPES = [
    {"base": "application/json", "type": "application/vnd.openstack.volume+json;version=2"}
]


def version_entry(base: str) -> dict[str, Any]:
    """cinder/api/versions.py's v2.0 entry. FJcloud-O serves v2 (its API reference is v2)."""
    return {
        "id": "v2.0",
        "status": "CURRENT",
        "version": "",
        "min_version": "",
        "updated": "2014-06-28T12:20:21Z",
        "links": [
            {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"},
            {"rel": "self", "href": f"{base}/v2/"},
        ],
        "media-types": _MEDIA_TYPES,
    }


def links(base: str, project_id: str, volume_id: str) -> list[dict[str, str]]:
    return [
        {"href": f"{base}/v2/{project_id}/volumes/{volume_id}", "rel": "self"},
        {"href": f"{base}/{project_id}/volumes/{volume_id}", "rel": "bookmark"},
    ]


def volume_summary(base: str, record: VolumeRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "links": links(base, record.project_id, record.id),
        "name": record.name,
    }


def volume_detail(base: str, record: VolumeRecord) -> dict[str, Any]:
    return {
        "attachments": [
            {
                "server_id": a.server_id,
                "attachment_id": f"{record.id[:24]}{a.server_id[-12:]}",
                "attached_at": a.attached_at,
                "host_name": a.host_name,
                "volume_id": record.id,
                "device": a.device,
                "id": record.id,
            }
            for a in record.attachments
        ],
        "links": links(base, record.project_id, record.id),
        "availability_zone": record.availability_zone,
        "os-vol-tenant-attr:tenant_id": record.project_id,
        "encrypted": False,
        "replication_status": "disabled",
        "snapshot_id": None,
        "id": record.id,
        "size": record.size,
        "user_id": record.user_id,
        "metadata": {},
        "status": record.status,
        "description": None,
        "multiattach": False,
        "source_volid": None,
        "consistencygroup_id": None,
        "name": record.name,
        "bootable": "true" if record.bootable else "false",
        "created_at": record.created_at,
        "updated_at": cinder_time(record.updated_at),
        "volume_type": VOLUME_TYPE["name"],
    }


def upload_answer(
    record: VolumeRecord, image_id: str, image_name: str, disk_format: str, container_format: str
) -> dict[str, Any]:
    """The 202 body of ``os-volume_upload_image`` (K5 sample [G1])."""
    return {
        "os-volume_upload_image": {
            "status": record.status,
            "container_format": container_format,
            "disk_format": disk_format,
            "image_name": image_name,
            "volume_type": dict(VOLUME_TYPE),
            "updated_at": cinder_time(record.updated_at),
            "image_id": image_id,
            "display_description": None,
            "id": record.id,
            "size": record.size,
        }
    }
