"""イメージの作成's decisions: which volume, whether an upload may be sent, what a rerun finds.

- **The system volume** is the server's boot volume among ``os-extended-volumes:volumes_attached``:
  the one attached as the root device (``/dev/vda``…), else the only bootable one; anything
  else is ambiguous and refused with the candidates listed (``--volume-id`` chooses).
- **4 uploads per hour per project** [P7]: every upload intent is written, before it is sent,
  to this user's ledger (``uploads.jsonl`` in the runbook's state folder, shared by all its
  procedures); a fifth within the hour is never sent, and the refusal says when one may be.
  Uploads made elsewhere (the portal, other tools) are not known here: the cloud's refusal of
  one is then reported as the limit, and the POST is not retried.
- **Never blindly twice**: before sending, an earlier intent of this procedure is looked for.
  Cinder creates the Glance image (``queued``) before it answers 202
  (cinder/volume/api.py ``copy_volume_to_image``), so an image with the journalled name proves
  the upload arrived; no such image and a volume that is not ``uploading`` prove it did not.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from runbook.blockstorage import ROOT_DEVICES, BlockStorageApi, VolumeView
from runbook.errors import RunbookError, WaitFailed
from runbook.images import DEAD_STATUSES, ImageApi, ImageView

UPLOAD_LIMIT = 4  # per project per hour [P7]
WINDOW = timedelta(hours=1)


class UploadLimitReached(RunbookError):
    """A fifth upload within the hour would be refused (or the cloud just refused one)."""


class AmbiguousVolume(RunbookError):
    """The server's system volume cannot be told apart from its other volumes."""


@dataclass(frozen=True)
class UploadLedger:
    """The user's record of upload intents, by project (``None``: in memory, for a rehearsal)."""

    path: Path | None
    memory: list[dict[str, Any]]

    @classmethod
    def default(cls, live: bool) -> UploadLedger:
        """``$XDG_STATE_HOME/fjcloud-runbook/uploads.jsonl`` (``~/.local/state/…``) for live runs."""
        if not live:
            return cls(None, [])
        base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        return cls(Path(base) / "fjcloud-runbook" / "uploads.jsonl", [])

    def entries(self) -> list[dict[str, Any]]:
        """Every entry written so far (a torn last line is skipped)."""
        if self.path is None or not self.path.exists():
            return list(self.memory)
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                found.append(entry)
        return found

    def add(self, **entry: Any) -> None:
        """Append one entry and fsync it (before the upload is sent)."""
        if self.path is None:
            self.memory.append(entry)
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (json.dumps(entry) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)


def recent_uploads(entries: list[dict[str, Any]], project_id: str, now: datetime) -> list[datetime]:
    """The upload times of ``project_id`` within the hour before ``now``, oldest first."""
    times = []
    for entry in entries:
        if entry.get("project_id") != project_id:
            continue
        try:
            at = datetime.fromisoformat(str(entry.get("at")).replace("Z", "+00:00"))
        except ValueError:
            continue
        if now - at < WINDOW:
            times.append(at)
    return sorted(times)


def check_upload_limit(times: list[datetime], now: datetime, where: str) -> int:
    """Refuse a fifth upload within the hour, saying when one may be sent; else how many are left."""
    if len(times) < UPLOAD_LIMIT:
        return UPLOAD_LIMIT - len(times)
    allowed = times[-UPLOAD_LIMIT] + WINDOW
    raise UploadLimitReached(
        f"{len(times)} uploads to an image were sent for this project in the last hour "
        f"(at {', '.join(_hm(t) for t in times)} UTC, {where}); FJcloud-O allows 4 per hour per "
        f"project [P7]. Nothing was sent.",
        hint=f"run this page again at {_hm(allowed)} UTC or later (in {_minutes(allowed - now)})",
    )


def _hm(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%H:%M:%S")


def _minutes(delta: timedelta) -> str:
    return f"{max(1, int(delta.total_seconds() // 60) + 1)} min"


def system_volume(
    blockstorage: BlockStorageApi, server_id: str, attached: list[str]
) -> tuple[VolumeView, str, list[VolumeView]]:
    """``(volume, why, all attached)``: the server's system volume among ``attached``."""
    if not attached:
        raise AmbiguousVolume(
            "the server lists no volumes in os-extended-volumes:volumes_attached: there is no "
            "system volume to make the image from",
            hint="check the server in the portal; give the volume with --volume-id if you know it",
        )
    volumes = [blockstorage.show_volume(volume_id) for volume_id in attached]
    rooted = [v for v in volumes if v.device_on(server_id) in ROOT_DEVICES]
    if len(rooted) == 1:
        return rooted[0], f"attached as {rooted[0].device_on(server_id)} (the root device)", volumes
    bootable = [v for v in volumes if v.bootable]
    if len(bootable) == 1:
        return bootable[0], "the only bootable volume of the server", volumes
    listed = "; ".join(v.line(server_id) for v in volumes)
    raise AmbiguousVolume(
        f"cannot tell the server's system volume apart: {listed}",
        hint="give the system (boot) volume with --volume-id",
    )


def wait_for_image(
    images: ImageApi,
    image_id: str,
    *,
    interval: float,
    timeout: float,
    progress: Callable[[str], None],
    checkpoint: Callable[[str], None] = lambda _point: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[ImageView, float]:
    """GET the image until it is usable [A20]; fail on a sync error, a dead status, the timeout."""
    started = clock()
    last = ""
    while True:
        image = images.show_image(image_id)
        checkpoint("image/polled")
        elapsed = clock() - started
        line = f"status {image.status}" + (
            ", sync_status_reason set" if image.sync_status_reason else ""
        )
        if line != last or elapsed >= timeout:
            progress(f"{elapsed:8.2f} s  {line}")
            last = line
        if image.status == "active" and image.sync_status_reason:
            raise WaitFailed(
                f"the image {image.name} ({image.id}) is active but unusable: sync_status_reason "
                f"{image.sync_status_reason!r} (registering it in another availability zone failed [A20])",
                hint="delete the image (openstack image delete <IMAGE_ID>, or this page's own "
                "rerun after deleting) and create it again: run イメージの作成 once more — it "
                "counts against the 4 uploads per hour",
            )
        if image.usable:
            return image, elapsed
        if image.status in DEAD_STATUSES:
            raise WaitFailed(
                f"the image {image.name} ({image.id}) went to {image.status} while being made",
                hint="the upload failed on the cloud: delete the image if it is still listed, "
                "then run イメージの作成 again",
            )
        if elapsed >= timeout:
            raise WaitFailed(
                f"the image is not active after {timeout:g} s: {image.line()}",
                hint="making an image of a large volume takes long: check again later with this "
                "page (it waits for the same image; nothing is sent again), or a larger "
                "--image-poll-timeout",
            )
        sleep(max(0.0, min(interval, timeout - elapsed)))


def now_utc() -> datetime:
    """The wall clock in UTC (the ledger's times are wall-clock times)."""
    return datetime.now(timezone.utc)
