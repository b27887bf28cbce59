"""Documents that depend on the request's host: the version documents and the service catalog."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from emulator.config import EmulatorConfig
from emulator.services import SERVICES

# keystone/api/discovery.py: v3 is "stable"; 3.14 is the Ussuri+ minor version.
IDENTITY_VERSION = {
    "id": "v3.14",
    "status": "stable",
    "updated": "2020-04-07T00:00:00Z",
    "media-types": [
        {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
    ],
}
INTERFACES = ("public", "internal", "admin")
_NAMESPACE = uuid.UUID("6f1c3a52-9d0e-4b8f-a1d2-5e7c0b9a4f31")


def version_v3(identity_base: str) -> dict[str, Any]:
    """The ``version`` object with its ``self`` link, as ``GET /v3`` returns it."""
    return {
        "id": IDENTITY_VERSION["id"],
        "status": IDENTITY_VERSION["status"],
        "updated": IDENTITY_VERSION["updated"],
        "links": [{"rel": "self", "href": f"{identity_base}/v3/"}],
        "media-types": IDENTITY_VERSION["media-types"],
    }


@functools.lru_cache(maxsize=256)
def _stable_id(*parts: str) -> str:
    # Stable across resets and processes, so a client can cache the catalog like a real one.
    # Cached: uuid5 is a SHA-1, and every token with a catalog needs several of them.
    return uuid.uuid5(_NAMESPACE, "/".join(parts)).hex


def build_catalog(
    config: EmulatorConfig, project_id: str, service_base: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Every service of ``emulator.services`` that has a catalog entry, in the table's order,
    with public/internal/admin endpoints in the config's region.

    ``service_base(name)`` is the base URL of the service ``name`` as the client sees it
    (``emulator.urls.service_base`` for the current request).
    """
    region = config.region
    catalog = []
    for service in SERVICES:
        entry = service.catalog
        if entry is None:
            continue
        url = service_base(service.name) + entry.path(config, project_id)
        catalog.append(
            {
                "endpoints": [
                    {
                        "id": _stable_id(region, entry.type, interface),
                        "interface": interface,
                        "region": region,
                        "region_id": region,
                        "url": url,
                    }
                    for interface in INTERFACES
                ],
                "id": _stable_id(entry.type),
                "type": entry.type,
                "name": entry.name,
            }
        )
    return catalog
