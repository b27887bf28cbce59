"""Image state: the Glance images of one emulator, their upload lifecycle and FJcloud-O's fields.

An image made by block storage's ``os-volume_upload_image`` goes ``queued`` → ``saving`` →
``active`` (glance/db/sqlalchemy/models.py statuses; Cinder creates the image, then uploads the
volume's data into it) under the backend's timing (``emulator.stepping``). FJcloud-O adds
``sync_status_reason`` when registering the image in the other availability zones failed
(export-chain.md §1.3 [A20][A21]): the image is ``active`` but unusable. The control plane can
make that happen to any image (``fail_sync``), now or when it becomes active.

The emulator serves no image data (no ``/file`` route): ``size`` is the volume's size in bytes,
as Cinder uploads the raw volume, and ``checksum`` a deterministic MD5 of the image id.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from emulator.clock import Clock, isoformat_z
from emulator.image.errors import BadRequest, ImageNotFound
from emulator.stepping import Progression
from emulator.timing import Timing

UPLOAD_PATH = ("queued", "saving", "active")
# glance/api/v2/images.py: api_limit_max / limit_param_default (glance/common/config.py).
LIMIT_MAX = 1000
LIMIT_DEFAULT = 25
GIB = 1024**3


def sync_failure_reason(image_id: str) -> str:
    """The documented example of a failed cross-AZ registration, for this image ([A20])."""
    return (
        "ERROR:A timeout occurred during synchronize image the server(http://1.1.1.1:9292) "
        f"in the image operation. image_id={image_id}"
    )


@dataclass
class ImageRecord:
    """One image; the backend hands out copies only."""

    id: str
    name: str
    owner: str
    container_format: str
    disk_format: str
    volume_size_gib: int
    created_at: float
    progression: Progression
    min_disk: int = 0
    min_ram: int = 0
    visibility: str = "private"
    protected: bool = False
    windows: bool = False
    source_volume_id: str | None = None
    timing: Timing | None = None  # None: the backend's default
    sync_status_reason: str | None = None
    # Set by the control plane before the image is active: applied when it becomes active.
    pending_sync_failure: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.progression.state

    @property
    def updated_at(self) -> float:
        return self.progression.changed_at

    @property
    def size(self) -> int | None:
        return self.volume_size_gib * GIB if self.status == "active" else None

    @property
    def checksum(self) -> str | None:
        if self.status != "active":
            return None
        return hashlib.md5(self.id.encode(), usedforsecurity=False).hexdigest()

    @property
    def usable(self) -> bool:
        """What FJcloud-O requires before an export: active and no sync_status_reason [A20]."""
        return self.status == "active" and self.sync_status_reason is None


class ImageBackend:
    """All images of one emulator, under one lock."""

    def __init__(self, timing: Timing, clock: Clock) -> None:
        self.clock = clock
        self._timing = timing
        self._lock = threading.RLock()
        self._images: dict[str, ImageRecord] = {}

    # -- API -------------------------------------------------------------------------------
    def list_images(
        self, owner: str, *, limit: int | None, marker: str | None, filters: dict[str, str]
    ) -> tuple[list[ImageRecord], bool]:
        """The owner's images, newest first (Glance's default sort), and whether more follow."""
        with self._lock:
            records = [self._settled(r) for r in self._images.values() if r.owner == owner]
            records.sort(key=lambda r: (r.created_at, r.id), reverse=True)
            for name, wanted in filters.items():
                records = [r for r in records if str(getattr(r, name)) == wanted]
            if marker is not None:
                ids = [r.id for r in records]
                if marker not in ids:
                    # glance/db/sqlalchemy/api.py _paginate_query: MarkerNotFound
                    raise BadRequest(f"Marker {marker} could not be found.")
                records = records[ids.index(marker) + 1 :]
            page = min(limit if limit is not None else LIMIT_DEFAULT, LIMIT_MAX)
            return [copy.copy(r) for r in records[:page]], len(records) > page

    def get_image(self, owner: str, image_id: str) -> ImageRecord:
        with self._lock:
            return copy.copy(self._settled(self._find(image_id, owner)))

    def delete_image(self, owner: str, image_id: str) -> None:
        """``DELETE /v2/images/{id}`` (Glance deletes queued and saving images too)."""
        with self._lock:
            record = self._images.get(image_id)
            if record is None or record.owner != owner:
                raise ImageNotFound.delete(image_id)
            del self._images[image_id]

    # -- used by block storage ---------------------------------------------------------------
    def create_from_volume(
        self,
        *,
        owner: str,
        name: str,
        container_format: str,
        disk_format: str,
        volume_id: str,
        volume_size_gib: int,
        windows: bool,
    ) -> ImageRecord:
        """The image Cinder creates for ``os-volume_upload_image``, in ``queued``."""
        with self._lock:
            now = self.clock.time()
            image_id = str(uuid.uuid4())
            record = ImageRecord(
                id=image_id,
                name=name,
                owner=owner,
                container_format=container_format,
                disk_format=disk_format,
                volume_size_gib=volume_size_gib,
                created_at=now,
                progression=Progression(UPLOAD_PATH, now),
                windows=windows,
                source_volume_id=volume_id,
            )
            record.history.append(_event(now, "queued", f"created from volume {volume_id}"))
            self._images[image_id] = record
            self._settled(record)  # immediate timing: active before the answer
            return copy.copy(record)

    def status_of(self, image_id: str) -> str | None:
        """The image's status now, None when it no longer exists (volume uploads poll this)."""
        with self._lock:
            record = self._images.get(image_id)
            return None if record is None else self._settled(record).status

    def find(self, owner: str, image_id: str) -> ImageRecord | None:
        """A copy of the owner's image, or None (for callers that answer in their own format)."""
        with self._lock:
            record = self._images.get(image_id)
            if record is None or record.owner != owner:
                return None
            return copy.copy(self._settled(record))

    # -- control plane ---------------------------------------------------------------------
    def set_timing(self, timing: Timing, image_id: str | None = None) -> None:
        with self._lock:
            if image_id is None:
                self._timing = timing
            else:
                self._find(image_id).timing = timing
            for record in self._images.values():
                self._settled(record)

    def advance(self, image_id: str) -> dict[str, Any]:
        """One step of the upload by hand (queued → saving → active)."""
        with self._lock:
            record = self._settled(self._find(image_id))
            now = self.clock.time()
            state = record.progression.advance(now)
            if state is not None:
                self._entered(record, state, now, "advanced by the control plane")
            return self._entry(record)

    def fail_sync(self, image_id: str, reason: str | None = None) -> dict[str, Any]:
        """Give the image a ``sync_status_reason`` now, or when it becomes active."""
        with self._lock:
            record = self._settled(self._find(image_id))
            text = reason or sync_failure_reason(image_id)
            if record.status == "active":
                record.sync_status_reason = text
                record.history.append(_event(self.clock.time(), "active", f"sync failed: {text}"))
            else:
                record.pending_sync_failure = text
            return self._entry(record)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "timing": self._timing.as_dict(),
                "images": [self._entry(self._settled(r)) for r in self._images.values()],
            }

    # -- internals (callers hold the lock) -----------------------------------------------------
    def _find(self, image_id: str, owner: str | None = None) -> ImageRecord:
        record = self._images.get(image_id)
        if record is None or (owner is not None and record.owner != owner):
            raise ImageNotFound.show(image_id)
        return record

    def _settled(self, record: ImageRecord) -> ImageRecord:
        timing = record.timing or self._timing
        progression = record.progression
        for state in progression.settle(self.clock.time(), timing):
            self._entered(record, state, progression.changed_at, f"upload ({timing.mode})")
        return record

    def _entered(self, record: ImageRecord, state: str, at: float, cause: str) -> None:
        record.history.append(_event(at, state, cause))
        if state == "active" and record.pending_sync_failure is not None:
            record.sync_status_reason = record.pending_sync_failure
            record.pending_sync_failure = None
            record.history.append(_event(at, state, f"sync failed: {record.sync_status_reason}"))

    def _entry(self, record: ImageRecord) -> dict[str, Any]:
        return {
            "id": record.id,
            "name": record.name,
            "owner": record.owner,
            "status": record.status,
            "sync_status_reason": record.sync_status_reason,
            "pending_sync_failure": record.pending_sync_failure,
            "source_volume_id": record.source_volume_id,
            "timing": (record.timing or self._timing).as_dict(),
            "history": [dict(event) for event in record.history],
        }


def _event(at: float, status: str, cause: str) -> dict[str, Any]:
    return {"at": isoformat_z(_at(at)), "status": status, "cause": cause}


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def at(epoch: float) -> str:
    """Glance's timestamp form, ``2016-04-27T04:22:27Z``."""
    return isoformat_z(_at(epoch))
