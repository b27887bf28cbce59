"""Block-storage state: the volumes of one emulator and their uploads to images.

Volumes come from the seed: every id in a server's ``volumes_attached`` is a volume attached to
that server, the first one its system (boot) volume at ``/dev/vda``; this is how the runbook
finds the system storage whose image it exports (export-chain.md §1.3: "イメージの作成" works
on the system volume; the server lists it in ``os-extended-volumes:volumes_attached``).

``os-volume_upload_image`` (cinder/volume/api.py ``copy_volume_to_image``) checks the volume's
status, creates the image in Glance (``queued``) and marks the volume ``uploading``; when the
image leaves ``queued``/``saving`` (it is active, or was deleted) the volume is back to the
status it had (``in-use`` for an attached volume). The image's lifecycle, and so the upload's
timing, is the image backend's; this backend only asks it. FJcloud-O allows 4 of these requests
per hour per project [P7]; the fifth within the hour gets ``UploadLimitExceeded``.
"""

from __future__ import annotations

import copy
import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from emulator.blockstorage.errors import BadRequest, UploadLimitExceeded, VolumeNotFound
from emulator.clock import Clock
from emulator.image.backend import ImageBackend
from emulator.seed import Seed, ServerSeed

UPLOAD_LIMIT = 4  # requests per project [P7]
UPLOAD_WINDOW_SECONDS = 3600.0  # per hour [P7]
DEFAULT_SIZE_GIB = 80  # a system volume's size when the seed says nothing (inference)
# The volume type of the K5 sample response [G1].
VOLUME_TYPE = {
    "name": "M1",
    "qos_specs_id": None,
    "deleted": False,
    "created_at": "2014-10-11T11:26:56.000000",
    "updated_at": None,
    "deleted_at": None,
    "id": "13a0247c-9363-401d-acd3-c5d07ccd1a45",
}
# cinder/api/contrib/volume_actions.py / cinder/common/constants.py: accepted disk formats.
DISK_FORMATS = ("raw", "vmdk", "vdi", "qcow2", "vhd", "vhdx", "ploop")
_UPLOADING = ("queued", "saving")


@dataclass
class Attachment:
    server_id: str
    device: str
    attached_at: str
    host_name: str


@dataclass
class VolumeRecord:
    """One volume; the backend hands out copies only."""

    id: str
    name: str
    project_id: str
    user_id: str
    size: int
    availability_zone: str
    created_at: str
    bootable: bool
    attachments: list[Attachment]
    updated_at: float
    base_status: str  # the status without an upload: "in-use" or "available"
    windows: bool = False
    uploading_image_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "uploading" if self.uploading_image_id is not None else self.base_status


class BlockStorageBackend:
    """All volumes of one emulator, under one lock; uploads go through ``images``."""

    def __init__(self, seed: Seed, clock: Clock, images: ImageBackend) -> None:
        self.clock = clock
        self.images = images
        self._lock = threading.RLock()
        self._volumes: dict[str, VolumeRecord] = {}
        self._uploads: dict[str, deque[float]] = {}  # project -> accepted times, oldest first
        for server in seed.servers:
            self.add_server_volumes(server)

    # -- API -------------------------------------------------------------------------------
    def list_volumes(self, project_id: str) -> list[VolumeRecord]:
        with self._lock:
            records = [
                self._settled(v) for v in self._volumes.values() if v.project_id == project_id
            ]
            records.sort(key=lambda v: (v.created_at, v.id), reverse=True)
            return [copy.deepcopy(v) for v in records]

    def get_volume(self, project_id: str, volume_id: str) -> VolumeRecord:
        with self._lock:
            return copy.deepcopy(self._settled(self._find(volume_id, project_id)))

    def upload_to_image(
        self,
        project_id: str,
        volume_id: str,
        *,
        image_name: str,
        force: bool,
        disk_format: str,
        container_format: str,
    ) -> tuple[VolumeRecord, str]:
        """Accept ``os-volume_upload_image``: the volume (copy) and the new image's id."""
        with self._lock:
            record = self._settled(self._find(volume_id, project_id))
            # cinder/volume/api.py _check_volume_availability
            if record.status not in ("available", "in-use"):
                raise BadRequest.invalid_volume(
                    f"Volume {volume_id} status must be available or in-use, but current "
                    f"status is: {record.status}."
                )
            if not force and record.status == "in-use":
                raise BadRequest.invalid_volume("Volume status is in-use.")
            self._take_upload_slot(project_id)
            image = self.images.create_from_volume(
                owner=project_id,
                name=image_name,
                container_format=container_format,
                disk_format=disk_format,
                volume_id=volume_id,
                volume_size_gib=record.size,
                windows=record.windows,
            )
            now = self.clock.time()
            record.uploading_image_id = image.id
            record.updated_at = now
            record.history.append(_event(now, "uploading", f"upload to image {image.id} accepted"))
            answer = copy.deepcopy(record)  # "uploading", as Cinder answers, whatever comes next
            self._settled(record)
            return answer, image.id

    # -- control plane ---------------------------------------------------------------------
    def add_server_volumes(self, server: ServerSeed) -> list[str]:
        """The server's ``volumes_attached`` as volumes attached to it (the first: the system
        volume); ids that already exist are left as they are. Returns the ids added."""
        added = []
        with self._lock:
            for index, volume_id in enumerate(server.volumes_attached):
                if volume_id in self._volumes:
                    continue
                self._volumes[volume_id] = VolumeRecord(
                    id=volume_id,
                    name=f"{server.name}_{'system' if index == 0 else f'extvol{index}'}",
                    project_id=server.project_id,
                    user_id=server.user_id,
                    size=DEFAULT_SIZE_GIB,
                    availability_zone=server.availability_zone,
                    created_at=_cinder_time(server.created),
                    bootable=index == 0,
                    attachments=[
                        Attachment(
                            server.id,
                            f"/dev/vd{chr(ord('a') + index)}",
                            server.created,
                            server.host,
                        )
                    ],
                    updated_at=self.clock.time(),
                    base_status="in-use",
                    # FJcloud-O marks Windows images "fcx.win" [P7]; the emulator reads it
                    # from the server's name (inference: the real rule is not documented).
                    windows=server.name.lower().startswith("win"),
                )
                added.append(volume_id)
        return added

    def upload_image_of(self, volume_id: str) -> str:
        """The image the volume is uploading to (``advance an upload`` by volume id)."""
        with self._lock:
            record = self._settled(self._find(volume_id))
            if record.uploading_image_id is None:
                raise BadRequest(f"Volume {volume_id} is not uploading to an image.")
            return record.uploading_image_id

    def uploads_left(self, project_id: str) -> int:
        with self._lock:
            return UPLOAD_LIMIT - len(self._recent_uploads(project_id))

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "upload_limit": {"requests": UPLOAD_LIMIT, "window_seconds": UPLOAD_WINDOW_SECONDS},
                "volumes": [self._entry(self._settled(v)) for v in self._volumes.values()],
            }

    # -- internals (callers hold the lock) ---------------------------------------------------
    def _find(self, volume_id: str, project_id: str | None = None) -> VolumeRecord:
        record = self._volumes.get(volume_id)
        if record is None or (project_id is not None and record.project_id != project_id):
            raise VolumeNotFound(volume_id)
        return record

    def _settled(self, record: VolumeRecord) -> VolumeRecord:
        image_id = record.uploading_image_id
        if image_id is not None:
            status = self.images.status_of(image_id)
            if status not in _UPLOADING:
                now = self.clock.time()
                record.uploading_image_id = None
                record.updated_at = now
                outcome = "deleted" if status is None else status
                record.history.append(
                    _event(now, record.base_status, f"upload to image {image_id} ended ({outcome})")
                )
        return record

    def _recent_uploads(self, project_id: str) -> deque[float]:
        times = self._uploads.setdefault(project_id, deque())
        horizon = self.clock.time() - UPLOAD_WINDOW_SECONDS
        while times and times[0] <= horizon:
            times.popleft()
        return times

    def _take_upload_slot(self, project_id: str) -> None:
        times = self._recent_uploads(project_id)
        if len(times) >= UPLOAD_LIMIT:
            wait = times[0] + UPLOAD_WINDOW_SECONDS - self.clock.time()
            raise UploadLimitExceeded(UPLOAD_LIMIT, UPLOAD_WINDOW_SECONDS, max(math.ceil(wait), 1))
        times.append(self.clock.time())

    def _entry(self, record: VolumeRecord) -> dict[str, Any]:
        return {
            "id": record.id,
            "name": record.name,
            "project_id": record.project_id,
            "status": record.status,
            "size": record.size,
            "bootable": record.bootable,
            "attached_to": [a.server_id for a in record.attachments],
            "uploading_image_id": record.uploading_image_id,
            "uploads_left_this_hour": UPLOAD_LIMIT - len(self._recent_uploads(record.project_id)),
            "history": [dict(event) for event in record.history],
        }


def _event(at: float, status: str, cause: str) -> dict[str, Any]:
    return {"at": cinder_time(at), "status": status, "cause": cause}


def cinder_time(epoch: float) -> str:
    """Cinder's timestamp form: ``2015-04-30T06:31:31.000000``."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _cinder_time(nova_stamp: str) -> str:
    # The seed's "2016-04-26T07:22:52Z" in Cinder's form.
    text = nova_stamp.rstrip("Z")
    return text if "." in text else f"{text}.000000"
