"""イメージの作成's block-storage calls: show a volume, upload it to an image (Cinder v2).

Sources (export-chain.md §1.3, §2.3): Fujitsu's "Create image" reference for the *system
storage* (``POST /v2/{tenant_id}/volumes/{volume_id}/action`` with ``os-volume_upload_image``,
202) [A20], the K5 sample body (``container_format`` bare, ``disk_format`` raw, ``force``
"True") [G1] and K5lib's ``clone_vm`` [G2]. The VM-export page itself is not available: that
this API is the one the page uses is an inference (§5.2–5.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from runbook.errors import ApiError
from runbook.service import ServiceApi, Session, fault_text, unexpected

UPLOAD_ACTION = "os-volume_upload_image"  # the journal's name for this request
# The root disk's device names (Nova's libvirt/xen/hyper-v naming of the boot device).
ROOT_DEVICES = frozenset({"/dev/vda", "/dev/sda", "/dev/xvda", "/dev/hda"})


class VolumeNotFound(ApiError):
    """404 for the volume: a wrong VOLUME_ID, or a volume of another project."""


@dataclass(frozen=True)
class VolumeView:
    """The fields of a Cinder volume the runbook shows and decides on."""

    id: str
    name: str
    status: str
    size_gb: int | None
    bootable: bool
    attachments: tuple[tuple[str, str], ...]  # (server_id, device)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> VolumeView:
        """From Cinder's ``{"volume": {...}}``."""
        volume = body.get("volume", {})
        return cls(
            id=str(volume.get("id", "")),
            name=str(volume.get("name") or volume.get("display_name") or ""),
            status=str(volume.get("status", "")),
            size_gb=volume.get("size"),
            # Cinder renders bootable as the string "true"/"false".
            bootable=str(volume.get("bootable", "false")).lower() == "true",
            attachments=tuple(
                (str(a.get("server_id", "")), str(a.get("device", "")))
                for a in volume.get("attachments") or []
            ),
        )

    def device_on(self, server_id: str) -> str | None:
        """The device the volume has on ``server_id`` (``/dev/vda``), or None."""
        for attached_to, device in self.attachments:
            if attached_to == server_id:
                return device
        return None

    def line(self, server_id: str) -> str:
        """``fdf9df9a-… (name) 40 GB, in-use, /dev/vda, bootable``."""
        device = self.device_on(server_id) or "not attached to the server"
        boot = "bootable" if self.bootable else "not bootable"
        return f"{self.id} ({self.name or '-'}) {self.size_gb or '?'} GB, {self.status}, {device}, {boot}"


def upload_body(image_name: str) -> dict[str, Any]:
    """The K5 sample's request body [G1]; ``force`` because the stopped server's volume is in-use."""
    return {
        "os-volume_upload_image": {
            "image_name": image_name,
            "container_format": "bare",
            "disk_format": "raw",
            "force": "True",
        }
    }


@dataclass(frozen=True)
class UploadAccepted:
    """The 202 answer of ``os-volume_upload_image`` [G1]: the new image's id, the volume's status."""

    image_id: str
    image_name: str
    volume_status: str


class BlockStorageApi(ServiceApi):
    """``{BLOCKSTORAGE}/v2/{PROJECT_ID}/volumes/…``."""

    def __init__(self, session: Session, base: str, project_id: str) -> None:
        super().__init__(session)
        self.base = base
        self.project_id = project_id

    def volume_url(self, volume_id: str) -> str:
        """``{BLOCKSTORAGE}/v2/{PROJECT_ID}/volumes/{VOLUME_ID}``."""
        return f"{self.base}/v2/{self.project_id}/volumes/{volume_id}"

    def show_volume(self, volume_id: str) -> VolumeView:
        """``GET …/volumes/{VOLUME_ID}`` → 200."""
        url = self.volume_url(volume_id)
        response = self.call("GET", url)
        if response.status_code == 404:
            raise VolumeNotFound(
                "GET",
                url,
                404,
                response.reason,
                fault_text(response, self.secrets),
                hint="check VOLUME_ID (--volume-id): it must be a volume of the token's project; "
                "leave it out to take the server's system volume from os-extended-volumes:volumes_attached",
            )
        if response.status_code != 200:
            raise unexpected("GET", url, response, self.secrets)
        return VolumeView.from_body(response.json())

    def upload_to_image(self, volume_id: str, image_name: str) -> requests.Response:
        """``POST …/volumes/{VOLUME_ID}/action {"os-volume_upload_image": …}``, once (the caller judges)."""
        return self.call(
            "POST",
            self.volume_url(volume_id) + "/action",
            upload_body(image_name),
            action=UPLOAD_ACTION,
            about={"volume_id": volume_id, "image_name": image_name},
        )


def accepted(response: requests.Response) -> UploadAccepted:
    """The image id from the 202 body (``{"os-volume_upload_image": {"image_id", …}}``)."""
    data = (response.json() or {}).get("os-volume_upload_image") or {}
    return UploadAccepted(
        image_id=str(data.get("image_id") or ""),
        image_name=str(data.get("image_name") or ""),
        volume_status=str(data.get("status") or ""),
    )
