"""Import-export state: the image exports of one emulator and what they write when they finish.

An export goes ``queued`` → ``processing`` → ``succeeded`` under the backend's timing
(``emulator.stepping``); ``progress`` is 0 while queued, grows with the clock while processing
(``seconds`` timing; 0-99, as the import twin's table reads [P15]) and is 100 when succeeded.
A cancel moves it to ``cancelling`` → ``canceled`` (same timing); the control plane can fail it
(``failed`` + ``error_message``), set its progress, send it back to ``queued`` ("Status might
repeat the state of processing and queued" [A8]) or advance it by hand. The values are
FJcloud-O's [A8]; the transitions between them are an inference (export-chain.md §2.7).

On ``succeeded`` the export writes its files into the container (``emulator.importexport.files``).
If the image was deleted meanwhile it fails with FJcloud-O's "Specified id is not found." [A8].
"""

from __future__ import annotations

import copy
import itertools
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from emulator.clock import Clock, isoformat_z
from emulator.image.backend import ImageBackend
from emulator.importexport import files
from emulator.importexport.errors import ExportError
from emulator.objectstorage.backend import ObjectStorageBackend
from emulator.stepping import Progression
from emulator.timing import Timing

EXPORT_PATH = ("queued", "processing", "succeeded")
CANCEL_PATH = ("cancelling", "canceled")
FINISHED = frozenset({"succeeded", "failed", "canceled"})
LIST_MAX = 200  # [A10]: "Up to 200 elements are returned"
IMAGE_GONE_MESSAGE = "Specified id is not found."  # [A8]


@dataclass
class ExportRecord:
    id: str
    seq: int
    project_id: str
    image_id: str
    image_name: str
    storage_container: str  # as the request gave it: /v1/AUTH_<project>/<container>
    account: str
    container: str
    file_format: str
    request_time: float
    progression: Progression
    timing: Timing | None = None
    cancel: Progression | None = None
    failed_at: float | None = None
    error_message: str | None = None
    progress_override: int | None = None
    frozen_progress: int = 0
    written: list[str] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.error_message is not None:
            return "failed"
        if self.cancel is not None:
            return self.cancel.state
        return self.progression.state


class ImportExportBackend:
    """Every export of one emulator, under one lock; writes through ``objects``."""

    def __init__(
        self,
        region: str,
        projects: frozenset[str],
        clock: Clock,
        timing: Timing,
        images: ImageBackend,
        objects: ObjectStorageBackend,
    ) -> None:
        self.region = region
        self.projects = projects
        self.clock = clock
        self.images = images
        self.objects = objects
        self._timing = timing
        self._format = "auto"
        self._lock = threading.RLock()
        self._exports: dict[str, ExportRecord] = {}
        self._seq = itertools.count()

    # -- API -------------------------------------------------------------------------------
    def request_export(
        self, project_id: str, image_id: str, storage_container: str, account: str, container: str
    ) -> ExportRecord:
        """Accept an export whose fields the route validated; refuse what [P4] refuses."""
        with self._lock:
            image = self.images.find(project_id, image_id)
            if image is None or not image.usable:
                raise ExportError.image_id_invalid()
            for other in self._exports.values():
                self._settle(other)
                same = other.image_id == image_id and (other.account, other.container) == (
                    account,
                    container,
                )
                if same and other.status not in ("failed", "canceled"):
                    raise ExportError.duplicate(image_id, storage_container, other.id)
            self._refuse_existing_files(account, container, image.name)
            now = self.clock.time()
            record = ExportRecord(
                id=str(uuid.uuid4()),
                seq=next(self._seq),
                project_id=project_id,
                image_id=image_id,
                image_name=image.name,
                storage_container=storage_container,
                account=account,
                container=container,
                file_format=files.format_for(self.region, self._format),
                request_time=now,
                progression=Progression(EXPORT_PATH, now),
            )
            record.history.append(_event(now, "queued", "export requested"))
            self._exports[record.id] = record
            self._settle(record)
            return copy.deepcopy(record)

    def list_exports(
        self, project_id: str, start: str | None, limit: int | None
    ) -> list[ExportRecord]:
        """Newest first, from ``start`` (an export id) on, at most 200 [A10]."""
        with self._lock:
            records = [
                self._settle(r) for r in self._exports.values() if r.project_id == project_id
            ]
            records.sort(key=lambda r: (r.request_time, r.seq), reverse=True)
            if start is not None:
                ids = [r.id for r in records]
                if start not in ids:
                    raise ExportError.start_invalid()
                records = records[ids.index(start) :]
            count = min(limit if limit is not None else LIST_MAX, LIST_MAX)
            return [copy.deepcopy(r) for r in records[:count]]

    def get_export(self, project_id: str, export_id: str) -> ExportRecord:
        with self._lock:
            return copy.deepcopy(self._settle(self._find(export_id, project_id)))

    def cancel_export(self, project_id: str, export_id: str) -> None:
        """[A11]: 40010 while cancelling, 40402 once finished; else ``cancelling``."""
        with self._lock:
            record = self._settle(self._find(export_id, project_id))
            if record.status == "cancelling":
                raise ExportError.already_cancelling()
            if record.status in FINISHED:
                raise ExportError.already_finished()
            now = self.clock.time()
            record.frozen_progress = self._progress(record)
            record.cancel = Progression(CANCEL_PATH, now)
            record.history.append(_event(now, "cancelling", "cancel accepted"))
            self._settle(record)

    def progress(self, record: ExportRecord) -> int:
        with self._lock:
            return self._progress(record)

    # -- control plane ---------------------------------------------------------------------
    def set_timing(self, timing: Timing, export_id: str | None = None) -> None:
        with self._lock:
            if export_id is None:
                self._timing = timing
            else:
                self._find(export_id).timing = timing
            for record in self._exports.values():
                self._settle(record)

    def set_format(self, fmt: str) -> None:
        if fmt not in files.FORMATS:
            raise ValueError(f"format must be one of {', '.join(files.FORMATS)}, not {fmt!r}")
        with self._lock:
            self._format = fmt

    def advance(self, export_id: str) -> dict[str, Any]:
        """One state forward by hand (queued → processing → succeeded; cancelling → canceled)."""
        with self._lock:
            record = self._settle(self._find(export_id))
            now = self.clock.time()
            moving = record.cancel if record.cancel is not None else record.progression
            if record.status not in FINISHED and moving.advance(now) is not None:
                self._entered(record, moving.state, now, "advanced by the control plane")
            return self._entry(record)

    def fail(self, export_id: str, message: str) -> dict[str, Any]:
        with self._lock:
            record = self._settle(self._find(export_id))
            if record.status in FINISHED:
                raise ExportError.already_finished()
            self._fail(record, message, self.clock.time(), "failed by the control plane")
            return self._entry(record)

    def set_progress(self, export_id: str, progress: int, status: str) -> dict[str, Any]:
        """Put a running export in ``queued`` or ``processing`` with ``progress`` (0-99)."""
        with self._lock:
            record = self._settle(self._find(export_id))
            if record.status not in ("queued", "processing"):
                raise ExportError.already_finished()
            now = self.clock.time()
            record.progression.move_to(status, now)
            record.progress_override = progress
            record.history.append(_event(now, status, f"progress set to {progress}"))
            return self._entry(record)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "timing": self._timing.as_dict(),
                "format": self._format,
                "format_now": files.format_for(self.region, self._format),
                "exports": [self._entry(self._settle(r)) for r in self._exports.values()],
            }

    # -- internals (callers hold the lock) -----------------------------------------------------
    def _find(self, export_id: str, project_id: str | None = None) -> ExportRecord:
        record = self._exports.get(export_id)
        if record is None or (project_id is not None and record.project_id != project_id):
            raise ExportError.not_found()
        return record

    def _refuse_existing_files(self, account: str, container: str, image_name: str) -> None:
        names = set(self.objects.object_names(account, container))
        for name in files.file_names(image_name):
            if name in names:
                raise ExportError.file_exists(container, name)
        prefix = f"{image_name}.vmdk/"
        for name in self.objects.object_names(account, f"{container}_segments"):
            if name.startswith(prefix):
                raise ExportError.file_exists(f"{container}_segments", name)

    def _settle(self, record: ExportRecord) -> ExportRecord:
        if record.status in FINISHED:
            return record
        timing = record.timing or self._timing
        moving = record.cancel if record.cancel is not None else record.progression
        for state in moving.settle(self.clock.time(), timing):
            self._entered(record, state, moving.changed_at, f"{timing.mode} timing")
            if record.error_message is not None:
                break  # failed on the way (the image was deleted): nothing more happens
        return record

    def _entered(self, record: ExportRecord, state: str, at: float, cause: str) -> None:
        record.history.append(_event(at, state, cause))
        if state == "processing" and self.images.find(record.project_id, record.image_id) is None:
            self._fail(record, IMAGE_GONE_MESSAGE, at, "the image was deleted")
        elif state == "succeeded":
            self._write_files(record, at)

    def _write_files(self, record: ExportRecord, at: float) -> None:
        if not self.objects.has_container(record.account, record.container):
            self._fail(record, f"The container {record.container} does not exist.", at, "write")
            return
        for obj in files.export_objects(
            record.container, record.image_name, record.image_id, record.file_format, at
        ):
            if not self.objects.has_container(record.account, obj.container):
                self.objects.put_container(record.account, obj.container, {})
            self.objects.put_object(
                record.account,
                obj.container,
                obj.name,
                obj.data,
                content_type=obj.content_type,
                manifest=obj.manifest,
            )
            record.written.append(f"{obj.container}/{obj.name}")

    def _fail(self, record: ExportRecord, message: str, at: float, cause: str) -> None:
        record.frozen_progress = self._progress(record)
        record.error_message = message
        record.failed_at = at
        record.history.append(_event(at, "failed", f"{cause}: {message}"))

    def _progress(self, record: ExportRecord) -> int:
        status = record.status
        if status == "succeeded":
            return 100
        if status in ("failed", "cancelling", "canceled"):
            return record.frozen_progress
        if record.progress_override is not None:
            return record.progress_override
        if status == "queued":
            return 0
        timing = record.timing or self._timing
        return int(record.progression.fraction_of_step(self.clock.time(), timing) * 99)

    def _entry(self, record: ExportRecord) -> dict[str, Any]:
        return {
            "export_id": record.id,
            "project_id": record.project_id,
            "image_id": record.image_id,
            "image_name": record.image_name,
            "storage_container": record.storage_container,
            "export_status": record.status,
            "progress": self._progress(record),
            "format": record.file_format,
            "error_message": record.error_message,
            "written": list(record.written),
            "timing": (record.timing or self._timing).as_dict(),
            "history": [dict(event) for event in record.history],
        }


def request_time(epoch: float) -> str:
    """``request_time``'s format is not documented [A8]; the emulator uses ISO 8601 UTC."""
    return isoformat_z(datetime.fromtimestamp(epoch, tz=timezone.utc))


def _event(at: float, status: str, cause: str) -> dict[str, Any]:
    return {"at": request_time(at), "status": status, "cause": cause}
