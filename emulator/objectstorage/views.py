"""Responses of the object-storage API (Swift), errors included: swob's bodies and headers.

Listings: ``?format=json`` (or ``Accept: application/json``) gives JSON, otherwise one name per
line; an empty plain listing is ``204 No Content`` (swift/common/request_helpers.py,
swift/account/utils.py and swift/container/server.py). Timestamps: ``X-Timestamp`` is the
epoch with five decimals; ``Last-Modified`` the HTTP date rounded up to the second; listing
``last_modified`` ISO 8601 with microseconds and no zone (swift/common/utils.py ``Timestamp``).
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import formatdate
from typing import Any

from flask import Response, json, request

from emulator.objectstorage.backend import AccountInfo, Container, Content, StoredObject
from emulator.objectstorage.render import swob


def x_timestamp(epoch: float) -> str:
    return f"{epoch:.5f}"


def last_modified(epoch: float) -> str:
    return formatdate(math.ceil(epoch), usegmt=True)


def listing_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def wants_json() -> bool:
    fmt = request.args.get("format")
    if fmt is not None:
        return fmt.lower() == "json"
    return "application/json" in request.headers.get("Accept", "")


def _listing_response(
    entries: list[dict[str, Any]], names: list[str], headers: dict[str, str]
) -> Response:
    if request.method == "HEAD":
        return swob(204, b"", headers, "text/plain; charset=utf-8")
    if wants_json():
        return swob(200, json.dumps(entries), headers, "application/json; charset=utf-8")
    if not names:
        return swob(204, b"", headers, "text/plain; charset=utf-8")
    return swob(200, "".join(f"{n}\n" for n in names), headers, "text/plain; charset=utf-8")


def account_listing(info: AccountInfo, names: list[str]) -> Response:
    by_name = {c.name: c for c in info.containers}
    entries = [
        {"subdir": n}
        if n not in by_name
        else {
            "name": n,
            "count": len(by_name[n].objects),
            "bytes": by_name[n].bytes_used,
            "last_modified": listing_time(by_name[n].timestamp),
        }
        for n in names
    ]
    headers = {
        "X-Account-Container-Count": str(len(info.containers)),
        "X-Account-Object-Count": str(info.object_count),
        "X-Account-Bytes-Used": str(info.bytes_used),
        "X-Timestamp": x_timestamp(info.timestamp),
        "X-Account-Storage-Policy-Policy-0-Container-Count": str(len(info.containers)),
        "Accept-Ranges": "bytes",
    }
    return _listing_response(entries, names, headers)


def container_listing(container: Container, names: list[str]) -> Response:
    entries: list[dict[str, Any]] = []
    for n in names:
        obj = container.objects.get(n)
        if obj is None:
            entries.append({"subdir": n})
            continue
        entries.append(
            {
                "hash": obj.etag,
                "last_modified": listing_time(obj.timestamp),
                "bytes": len(obj.data),
                "name": n,
                "content_type": obj.content_type,
            }
        )
    headers = {
        "X-Container-Object-Count": str(len(container.objects)),
        "X-Container-Bytes-Used": str(container.bytes_used),
        "X-Timestamp": x_timestamp(container.timestamp),
        "X-Storage-Policy": "Policy-0",
        "Last-Modified": last_modified(container.timestamp),
        "Accept-Ranges": "bytes",
        **container.metadata,
    }
    return _listing_response(entries, names, headers)


def object_headers(content: Content) -> dict[str, str]:
    obj: StoredObject = content.obj
    headers = {
        "Content-Type": obj.content_type,
        "Etag": content.etag,
        "Last-Modified": last_modified(obj.timestamp),
        "X-Timestamp": x_timestamp(obj.timestamp),
        "Accept-Ranges": "bytes",
        **obj.metadata,
    }
    if obj.manifest is not None:
        headers["X-Object-Manifest"] = obj.manifest
    return headers


def object_response(content: Content, byte_range: tuple[int, int] | None) -> Response:
    """200 with the whole body, or 206 with ``Content-Range`` for one satisfiable range."""
    headers = object_headers(content)
    content_type = headers.pop("Content-Type")
    total = len(content.data)
    if byte_range is None:
        response = swob(200, content.data, headers, content_type)
    else:
        start, stop = byte_range
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{total}"
        response = swob(206, content.data[start:stop], headers, content_type)
    return response


def created_object(obj: StoredObject) -> Response:
    """201 of an object PUT: ``Etag`` and ``Last-Modified``, empty body (swift/proxy)."""
    return swob(201, b"", {"Etag": obj.etag, "Last-Modified": last_modified(obj.timestamp)})
