"""イメージファイルの取得: download an exported file, resumable, checked against what Swift lets us check.

- **Resumable**: bytes go to ``<name>.part``; a rerun (after a crash, a SIGKILL, a dropped
  connection) asks for the rest with ``Range: bytes=<size of the part>-`` (Swift answers 206).
  ``<name>.part.json`` remembers the object's ETag and size: a part of another version of the
  object is never continued.
- **Checked**: the size, and the ETag. A plain object's ETag is the MD5 of its bytes; a segmented
  (DLO) object's is the MD5 of its segments' ETags in order (swift/common/middleware/dlo.py), so
  each segment's bytes are hashed against the ``<container>_segments`` listing and the listing
  against the manifest's ETag. An SLO's segments are not listed here: its size is checked only,
  and the result says so.
- **Nothing lost**: a file that fails the check is kept as ``<name>.mismatch``, never deleted;
  a finished file is moved into place only after the check (``os.replace``).
- **Free space first**: what is still to download plus a reserve must fit on the disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import requests

from runbook.errors import RunbookError
from runbook.objectstorage import ObjectInfo, ObjectStorageApi
from runbook.progress import size as size_text

CHUNK = 1024 * 1024
STREAM_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)


class DiskFull(RunbookError):
    """Not enough free space for what is still to download (nothing was downloaded)."""


class DownloadFailed(RunbookError):
    """The download stopped or its bytes do not match; what was received is kept."""


@dataclass(frozen=True)
class Downloaded:
    """One file in place, and how it was checked."""

    path: Path
    size: int
    resumed_from: int
    checked: str  # "MD5 = ETag", "3 segments' MD5s and the manifest ETag", "size only (SLO)"
    already_there: bool = False


def local_path(directory: Path, name: str) -> Path:
    """``directory/name`` for an object name that is a plain file name; anything else refuses.

    The name comes from the cloud (the image's name + ``.qcow2`` …): a ``/`` or ``..`` in it must
    never write outside the download folder.
    """
    if (
        not name
        or "/" in name
        or "\\" in name
        or "\x00" in name
        or name in (".", "..")
        or name.startswith(".")
    ):
        raise DownloadFailed(
            f"the exported file's name {name!r} is not a plain file name; nothing was downloaded",
            hint="download it by hand with a name of your choice (the curl command above, with -o), "
            "or export an image whose name has only letters, digits, '.', '_' and '-'",
        )
    return directory / name


def segments_of(api: ObjectStorageApi, info: ObjectInfo) -> list[ObjectInfo]:
    """A DLO's segments (``X-Object-Manifest: <container>/<prefix>``), in Swift's joining order."""
    if info.manifest is None:
        return []
    container, _, prefix = info.manifest.partition("/")
    return api.list_container(unquote(container), prefix=unquote(prefix))


def remaining_bytes(directory: Path, info: ObjectInfo) -> int:
    """How much of ``info`` is still to download into ``directory``."""
    final = local_path(directory, info.name)
    if final.exists() and final.stat().st_size == info.size:
        return 0
    part = _part(directory, info.name)
    if part.exists() and _meta_matches(directory, info):
        return max(0, info.size - part.stat().st_size)
    return info.size


def check_free_space(
    directory: Path,
    needed: int,
    reserve: int,
    disk_usage: Callable[[Path], Any] = shutil.disk_usage,
) -> int:
    """Refuse before downloading when ``needed`` + ``reserve`` bytes do not fit; the free bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    free = int(disk_usage(directory).free)
    if needed + reserve > free:
        raise DiskFull(
            f"not enough free space in {directory}: the files need {size_text(needed)} more, "
            f"plus {size_text(reserve)} kept free (--keep-free), and {size_text(free)} are free; "
            "nothing was downloaded",
            hint="free some space there or choose another folder with --download-dir, then run "
            "this page again (what was already downloaded is kept and resumed)",
        )
    return free


def download(
    api: ObjectStorageApi,
    container: str,
    info: ObjectInfo,
    directory: Path,
    *,
    segments: list[ObjectInfo],
    on_bytes: Callable[[int], None],
    attempts: int = 3,
    note: Callable[[str], None] = lambda _text: None,
    checkpoint: Callable[[str], None] = lambda _point: None,
) -> Downloaded:
    """Download ``info`` into ``directory`` (resuming a part), check it, move it into place."""
    final = local_path(directory, info.name)
    directory.mkdir(parents=True, exist_ok=True)
    if final.exists() and final.stat().st_size == info.size:
        checked = _verify(final, info, segments)
        on_bytes(info.size)
        return Downloaded(final, info.size, info.size, checked, already_there=True)
    part = _part(directory, info.name)
    if not (part.exists() and _meta_matches(directory, info)) or part.stat().st_size > info.size:
        part.write_bytes(b"")
        _meta(directory, info.name).write_text(json.dumps({"etag": info.etag, "size": info.size}))
    resumed_from = part.stat().st_size
    failures = 0
    while part.stat().st_size < info.size:
        start = part.stat().st_size
        try:
            _fetch(api, container, info, part, start, on_bytes, checkpoint)
        except STREAM_ERRORS as exc:
            failures += 1
            got = part.stat().st_size
            if failures >= attempts:
                raise DownloadFailed(
                    f"the download of {info.name} broke off {failures} times ({type(exc).__name__}); "
                    f"{size_text(got)} of {size_text(info.size)} are kept in {part}",
                    hint="run this page again when the network is back: it resumes at byte "
                    f"{got} (HTTP Range)",
                ) from exc
            note(f"connection lost at byte {got} ({type(exc).__name__}): resuming with Range")
    checked = _verify(part, info, segments)
    with part.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(part, final)
    _meta(directory, info.name).unlink(missing_ok=True)
    return Downloaded(final, info.size, resumed_from, checked)


def _fetch(
    api: ObjectStorageApi,
    container: str,
    info: ObjectInfo,
    part: Path,
    start: int,
    on_bytes: Callable[[int], None],
    checkpoint: Callable[[str], None],
) -> None:
    response = api.open_object(container, info.name, start)
    with response:
        if response.status_code == 200 and start:
            # The server ignored Range: take the whole object again from its first byte.
            part.write_bytes(b"")
            start = 0
        elif response.status_code == 206:
            first = response.headers.get("Content-Range", "").removeprefix("bytes ").split("-")[0]
            if first != str(start):
                raise DownloadFailed(
                    f"asked for {info.name} from byte {start}, got Content-Range "
                    f"{response.headers.get('Content-Range')!r}",
                    hint="run this page again; if it repeats, give the evidence to FJcloud-O support",
                )
        elif response.status_code == 416 and start == info.size:
            return
        elif response.status_code != 200:
            raise DownloadFailed(
                f"GET {info.name} → {response.status_code} {response.reason}",
                hint="check the object (HEAD it) and the token, then run this page again",
            )
        done = start
        with part.open("ab") as handle:
            for chunk in response.iter_content(CHUNK):
                handle.write(chunk)
                handle.flush()
                done += len(chunk)
                on_bytes(done)
                checkpoint("download/part-written")


def _verify(path: Path, info: ObjectInfo, segments: list[ObjectInfo]) -> str:
    actual = path.stat().st_size
    if actual != info.size:
        _quarantine(path, info)
        raise DownloadFailed(
            f"{info.name}: {actual} bytes received, the object has {info.size}; kept as "
            f"{path.with_name(info.name + '.mismatch')}",
            hint="run this page again to download it afresh",
        )
    if info.static_large:
        return "size only (a static large object: its segments are not listed here)"
    if info.manifest is not None:
        return _verify_segments(path, info, segments)
    digest = _md5_of(path, [info.size])[0]
    if digest != info.etag:
        _quarantine(path, info)
        raise DownloadFailed(
            f"{info.name}: MD5 {digest} ≠ ETag {info.etag}; kept as {info.name}.mismatch",
            hint="run this page again to download it afresh; if it repeats, the stored object "
            "is damaged: give the evidence to FJcloud-O support",
        )
    return "size and MD5 = ETag"


def _verify_segments(path: Path, info: ObjectInfo, segments: list[ObjectInfo]) -> str:
    joined = hashlib.md5("".join(s.etag for s in segments).encode(), usedforsecurity=False)
    sizes = [s.size for s in segments]
    problems = []
    if joined.hexdigest() != info.etag:
        problems.append(f"the segments listed do not make the manifest's ETag {info.etag}")
    if sum(sizes) != info.size:
        problems.append(f"the segments add up to {sum(sizes)} bytes, not {info.size}")
    if not problems:
        for segment, digest in zip(segments, _md5_of(path, sizes), strict=True):
            if digest != segment.etag:
                problems.append(f"segment {segment.name}: MD5 {digest} ≠ ETag {segment.etag}")
    if problems:
        _quarantine(path, info)
        raise DownloadFailed(
            f"{info.name}: " + "; ".join(problems) + f"; kept as {info.name}.mismatch",
            hint="the segments in <container>_segments must never be deleted or changed [P5]; "
            "run this page again, and if it repeats give the evidence to FJcloud-O support",
        )
    return f"size, {len(segments)} segments' MD5 = their ETags, and the manifest's ETag"


def _md5_of(path: Path, sizes: list[int]) -> list[str]:
    """The MD5 of each consecutive run of ``sizes`` bytes of ``path``."""
    digests = []
    with path.open("rb") as handle:
        for length in sizes:
            digest = hashlib.md5(usedforsecurity=False)
            left = length
            while left > 0:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    break
                digest.update(chunk)
                left -= len(chunk)
            digests.append(digest.hexdigest())
    return digests


def _quarantine(path: Path, info: ObjectInfo) -> None:
    os.replace(path, path.with_name(info.name + ".mismatch"))
    _meta(path.parent, info.name).unlink(missing_ok=True)


def _part(directory: Path, name: str) -> Path:
    return directory / (name + ".part")


def _meta(directory: Path, name: str) -> Path:
    return directory / (name + ".part.json")


def _meta_matches(directory: Path, info: ObjectInfo) -> bool:
    try:
        meta = json.loads(_meta(directory, info.name).read_text())
    except (OSError, ValueError):
        return False
    return bool(meta.get("etag") == info.etag and meta.get("size") == info.size)
