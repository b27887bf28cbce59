"""Object-storage state: accounts (one per project), containers and objects, all in memory.

Objects are small byte strings (the emulator never holds gigabytes); an object's ETag is the MD5
of its bytes, as Swift's object server computes it. A dynamic large object (DLO) is a manifest
object with ``X-Object-Manifest: <container>/<prefix>``: a GET of it returns the bytes of the
segments ``<container>/<prefix>*`` joined in name order, with ``Content-Length`` their total and
``ETag`` the quoted MD5 of their ETags concatenated (swift/common/middleware/dlo.py
``get_or_head_response``).
"""

from __future__ import annotations

import copy
import hashlib
import mimetypes
import threading
from dataclasses import dataclass, field
from typing import Any

from emulator.clock import Clock
from emulator.objectstorage.errors import (
    CONTAINER_LISTING_LIMIT,
    BadRequest,
    Conflict,
    NotFound,
    Unprocessable,
)


def account_version(region: str) -> str:
    """``v2`` in regions 3 (Swift-compatible store), ``v1`` elsewhere (export-chain.md §3)."""
    return "v2" if region.endswith("-3") else "v1"


@dataclass
class StoredObject:
    name: str
    data: bytes
    content_type: str
    timestamp: float
    manifest: str | None = None  # X-Object-Manifest: "<container>/<prefix>"
    metadata: dict[str, str] = field(default_factory=dict)  # X-Object-Meta-* as sent

    @property
    def etag(self) -> str:
        return hashlib.md5(self.data, usedforsecurity=False).hexdigest()


@dataclass
class Container:
    name: str
    timestamp: float
    objects: dict[str, StoredObject] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)  # X-Container-Meta-*, -Read, -Write

    @property
    def bytes_used(self) -> int:
        return sum(len(o.data) for o in self.objects.values())


@dataclass(frozen=True)
class Content:
    """What a GET of an object serves: its bytes, ETag as sent, and the stored object."""

    data: bytes
    etag: str
    obj: StoredObject


@dataclass(frozen=True)
class AccountInfo:
    containers: list[Container]
    timestamp: float

    @property
    def object_count(self) -> int:
        return sum(len(c.objects) for c in self.containers)

    @property
    def bytes_used(self) -> int:
        return sum(c.bytes_used for c in self.containers)


class ObjectStorageBackend:
    """Every account's containers and objects, under one lock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.RLock()
        self._accounts: dict[str, dict[str, Container]] = {}
        self._created: dict[str, float] = {}

    # -- account ---------------------------------------------------------------------------
    def account(self, account: str) -> AccountInfo:
        """The account (Swift creates it on first use: account_autocreate), containers by name."""
        with self._lock:
            containers = self._containers(account)
            ordered = [copy.deepcopy(containers[name]) for name in sorted(containers)]
            return AccountInfo(ordered, self._created[account])

    # -- containers ------------------------------------------------------------------------
    def put_container(self, account: str, name: str, metadata: dict[str, str]) -> bool:
        """Create (True: 201) or update (False: 202) a container [A22]."""
        with self._lock:
            containers = self._containers(account)
            existing = containers.get(name)
            if existing is not None:
                existing.metadata.update(metadata)
                return False
            containers[name] = Container(name, self.clock.time(), metadata=dict(metadata))
            return True

    def post_container(self, account: str, name: str, metadata: dict[str, str]) -> None:
        with self._lock:
            self._container(account, name).metadata.update(metadata)

    def get_container(self, account: str, name: str) -> Container:
        with self._lock:
            return copy.deepcopy(self._container(account, name))

    def delete_container(self, account: str, name: str) -> None:
        with self._lock:
            container = self._container(account, name)
            if container.objects:
                raise Conflict()  # swift/container/server.py: HTTPConflict when not empty
            del self._containers(account)[name]

    def has_container(self, account: str, name: str) -> bool:
        with self._lock:
            return name in self._containers(account)

    # -- objects ---------------------------------------------------------------------------
    def put_object(
        self,
        account: str,
        container: str,
        name: str,
        data: bytes,
        *,
        content_type: str | None = None,
        manifest: str | None = None,
        metadata: dict[str, str] | None = None,
        expected_etag: str | None = None,
    ) -> StoredObject:
        """Store an object (replacing one of that name); 422 if ``expected_etag`` differs."""
        if manifest is not None:
            parts = manifest.split("/", 1)
            # swift/common/middleware/dlo.py _validate_x_object_manifest_header
            if (
                len(parts) != 2
                or not parts[0]
                or not parts[1]
                or "?" in manifest
                or "&" in manifest
                or parts[1].startswith("/")
            ):
                raise BadRequest("X-Object-Manifest must be in the format container/prefix")
        with self._lock:
            target = self._container(account, container)
            obj = StoredObject(
                name,
                bytes(data),
                content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
                self.clock.time(),
                manifest,
                dict(metadata or {}),
            )
            if expected_etag is not None and expected_etag.strip('"').lower() != obj.etag:
                raise Unprocessable()
            target.objects[name] = obj
            return copy.deepcopy(obj)

    def get_object(self, account: str, container: str, name: str) -> Content:
        """The bytes a GET serves: the object's, or a DLO manifest's joined segments."""
        with self._lock:
            obj = self._object(account, container, name)
            if obj.manifest is None:
                return Content(obj.data, obj.etag, copy.deepcopy(obj))
            segment_container, prefix = obj.manifest.split("/", 1)
            segments = self._containers(account).get(segment_container)
            if segments is None:
                # dlo.py: the listing of the segment container fails, so the GET does (404).
                raise NotFound()
            parts = [segments.objects[n] for n in sorted(segments.objects) if n.startswith(prefix)]
            etag = hashlib.md5(
                "".join(p.etag for p in parts).encode(), usedforsecurity=False
            ).hexdigest()
            return Content(b"".join(p.data for p in parts), f'"{etag}"', copy.deepcopy(obj))

    def delete_object(self, account: str, container: str, name: str) -> None:
        with self._lock:
            self._object(account, container, name)
            del self._container(account, container).objects[name]

    def object_names(self, account: str, container: str) -> list[str]:
        """Names in a container (empty when it does not exist), for import-export's checks."""
        with self._lock:
            found = self._containers(account).get(container)
            return [] if found is None else sorted(found.objects)

    def snapshot(self) -> dict[str, Any]:
        """Every account's containers and their objects (no bytes: sizes, ETags, manifests)."""
        with self._lock:
            return {
                "accounts": {
                    account: {
                        name: [
                            {
                                "name": obj.name,
                                "bytes": len(obj.data),
                                "etag": obj.etag,
                                "manifest": obj.manifest,
                            }
                            for _, obj in sorted(container.objects.items())
                        ]
                        for name, container in sorted(containers.items())
                    }
                    for account, containers in self._accounts.items()
                }
            }

    # -- internals (callers hold the lock) -----------------------------------------------------
    def _containers(self, account: str) -> dict[str, Container]:
        if account not in self._accounts:
            self._accounts[account] = {}
            self._created[account] = self.clock.time()
        return self._accounts[account]

    def _container(self, account: str, name: str) -> Container:
        container = self._containers(account).get(name)
        if container is None:
            raise NotFound()
        return container

    def _object(self, account: str, container: str, name: str) -> StoredObject:
        obj = self._container(account, container).objects.get(name)
        if obj is None:
            raise NotFound()
        return obj


@dataclass(frozen=True)
class ListingQuery:
    """A listing's query parameters (swift/container/server.py GET)."""

    prefix: str = ""
    delimiter: str = ""
    marker: str = ""
    end_marker: str = ""
    limit: int = CONTAINER_LISTING_LIMIT


def listing(names: list[str], query: ListingQuery) -> list[str]:
    """Swift's listing filters over sorted names; ``delimiter`` rolls names up into subdirs."""
    prefix, delimiter, marker = query.prefix, query.delimiter, query.marker
    end_marker, limit = query.end_marker, query.limit
    out: list[str] = []
    for name in names:
        if len(out) >= limit:
            break
        if (marker and name <= marker) or (end_marker and name >= end_marker):
            continue
        if not name.startswith(prefix):
            continue
        if delimiter:
            cut = name.find(delimiter, len(prefix))
            if cut >= 0:
                subdir = name[: cut + len(delimiter)]
                if not out or out[-1] != subdir:
                    out.append(subdir)
                continue
        out.append(name)
    return out
