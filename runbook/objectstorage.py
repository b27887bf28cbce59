"""The object-storage calls (Swift): create the export's container, list it, read its objects.

Sources (export-chain.md §1.4, §2.5, §2.10): container ``PUT`` answers 201 when created and 202
when it already existed, so the step is safe to repeat [A22]; region 3 (jp-east-3, jp-west-3)
uses ``/v2/AUTH_<project>`` [P2] — the other regions' ``/v1/AUTH_<project>`` is the sibling
pages' form, the task page being cut off there (§5.4, inference). Listing, HEAD and ``Range``
are Swift's own (swift/proxy/controllers/{container,obj}.py); a segmented ``.vmdk`` is a
manifest whose segments live in ``<container>_segments`` [P5]. The runbook never deletes
anything in object storage: deleting a segment breaks the whole file [P5].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from runbook.errors import ApiError, VariableError
from runbook.service import ServiceApi, Session, unexpected

REGION_3 = frozenset({"jp-east-3", "jp-west-3"})
# swift/common/constraints.py MAX_CONTAINER_NAME_LENGTH
MAX_CONTAINER_NAME = 256
LISTING_LIMIT = 10000  # swift/common/constraints.py CONTAINER_LISTING_LIMIT


def account_version(region: str | None) -> str:
    """``v2`` in region 3 [P2][P4], ``v1`` elsewhere."""
    return "v2" if region in REGION_3 else "v1"


def check_container_name(name: str, origin: str) -> str:
    """Swift's rules for a container name, checked before anything is sent."""
    where = "--container or CONTAINER"
    if not name:
        raise VariableError("CONTAINER", f"empty (from {origin})", sources=where)
    if "/" in name:
        raise VariableError(
            "CONTAINER",
            f"{name!r} (from {origin}) contains '/': Swift reads it as container/object",
            sources=where + " (a name without '/', e.g. vmexport)",
        )
    if len(name.encode("utf-8")) > MAX_CONTAINER_NAME:
        raise VariableError(
            "CONTAINER",
            f"{name!r} (from {origin}) is longer than Swift's {MAX_CONTAINER_NAME} bytes",
            sources=where,
        )
    if name.endswith("_segments"):
        raise VariableError(
            "CONTAINER",
            f"{name!r} (from {origin}) ends in _segments: that is where the export keeps the "
            "pieces of a segmented file for the container without the suffix [P5]",
            sources=where,
        )
    return name


class ContainerNotFound(ApiError):
    """404 for the container: it was never created, or another project's."""


@dataclass(frozen=True)
class ObjectInfo:
    """An object's size and ETag (from the listing or a HEAD), and how it is stored."""

    name: str
    size: int
    etag: str  # without quotes; for a manifest, the MD5 of its segments' ETags (Swift DLO/SLO)
    manifest: str | None = None  # X-Object-Manifest: "<container>_segments/<prefix>"
    static_large: bool = False  # X-Static-Large-Object

    @property
    def segmented(self) -> bool:
        """True for a manifest (its bytes are the joined segments)."""
        return self.manifest is not None or self.static_large


class ObjectStorageApi(ServiceApi):
    """``{OBJECTSTORAGE}/{v1|v2}/AUTH_{PROJECT_ID}/…``."""

    def __init__(self, session: Session, base: str, project_id: str, region: str | None) -> None:
        super().__init__(session)
        self.base = base
        self.account = f"{base}/{account_version(region)}/AUTH_{project_id}"

    def container_url(self, container: str) -> str:
        """``{OBJECTSTORAGE}/{v1|v2}/AUTH_{PROJECT_ID}/{CONTAINER}``."""
        return f"{self.account}/{quote(container, safe='')}"

    def object_url(self, container: str, name: str) -> str:
        """``…/{CONTAINER}/{object}``."""
        return f"{self.container_url(container)}/{quote(name, safe='/')}"

    def put_container(self, container: str) -> requests.Response:
        """``PUT …/{CONTAINER}``: 201 created, 202 already there [A22]; the caller judges."""
        return self.call(
            "PUT",
            self.container_url(container),
            action="container-create",
            about={"container": container},
        )

    def list_container(self, container: str, prefix: str | None = None) -> list[ObjectInfo]:
        """Every object (paged by ``marker``) as ``{name, bytes, hash}``; 404 → ``ContainerNotFound``."""
        objects: list[ObjectInfo] = []
        marker = ""
        while True:
            query = f"?format=json&limit={LISTING_LIMIT}"
            if prefix:
                query += f"&prefix={quote(prefix, safe='')}"
            if marker:
                query += f"&marker={quote(marker, safe='')}"
            url = self.container_url(container) + query
            response = self.call("GET", url)
            if response.status_code == 404:
                raise ContainerNotFound(
                    "GET",
                    url,
                    404,
                    response.reason,
                    None,
                    hint=f"the container {container!r} does not exist in this project's object "
                    "storage: check CONTAINER and the region",
                )
            if response.status_code == 204:  # an empty container (older Swift)
                return objects
            if response.status_code != 200:
                raise unexpected("GET", url, response, self.secrets)
            page: list[dict[str, Any]] = response.json() or []
            objects += [
                ObjectInfo(str(o["name"]), int(o.get("bytes") or 0), str(o.get("hash") or ""))
                for o in page
                if "name" in o  # "subdir" entries have no name
            ]
            if len(page) < LISTING_LIMIT:
                return objects
            marker = str(page[-1].get("name", ""))

    def head_object(self, container: str, name: str) -> ObjectInfo:
        """``HEAD …/{CONTAINER}/{object}`` → 200: size, ETag and manifest headers."""
        url = self.object_url(container, name)
        response = self.call("HEAD", url)
        if response.status_code == 404:
            raise ApiError(
                "HEAD",
                url,
                404,
                response.reason,
                None,
                hint="the exported file is not (or no longer) in the container: check CONTAINER "
                "and the export's status (エクスポート状況の確認)",
            )
        if response.status_code != 200:
            raise unexpected("HEAD", url, response, self.secrets)
        headers = response.headers
        return ObjectInfo(
            name=name,
            size=int(headers.get("Content-Length") or 0),
            etag=headers.get("Etag", "").strip('"'),
            manifest=headers.get("X-Object-Manifest"),
            static_large=headers.get("X-Static-Large-Object", "").lower() == "true",
        )

    def open_object(self, container: str, name: str, start: int) -> requests.Response:
        """``GET …/{object}`` streamed, from byte ``start`` (``Range: bytes=start-``)."""
        headers = {"Range": f"bytes={start}-"} if start else {}
        return self.call("GET", self.object_url(container, name), headers=headers, stream=True)
