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


class Catalog:
    """The service catalog of one config: what every token repeats (ids, types, names, the
    services listed) worked out once; ``render`` adds what depends on the request.

    The identity backend builds one per config (which never changes for the backend's life:
    ``reset()`` builds a new backend), so a token POST does not redo the table walk and the
    endpoint ids.
    """

    def __init__(self, config: EmulatorConfig) -> None:
        self._config = config
        region = config.region
        self._entries = tuple(
            (
                service.name,
                entry,
                _stable_id(entry.type),
                tuple((_stable_id(region, entry.type, i), i) for i in INTERFACES),
            )
            for service in SERVICES
            if (entry := service.catalog) is not None
        )

    def render(self, project_id: str, service_base: Callable[[str], str]) -> list[dict[str, Any]]:
        """Every service of ``emulator.services`` that has a catalog entry, in the table's
        order, with public/internal/admin endpoints in the config's region.

        ``service_base(name)`` is the base URL of the service ``name`` as the client sees it
        (``emulator.urls.service_bases()`` for the current request).
        """
        config = self._config
        region = config.region
        catalog = []
        for name, entry, service_id, endpoints in self._entries:
            url = service_base(name) + entry.path(config, project_id)
            catalog.append(
                {
                    "endpoints": [
                        {
                            "id": endpoint_id,
                            "interface": interface,
                            "region": region,
                            "region_id": region,
                            "url": url,
                        }
                        for endpoint_id, interface in endpoints
                    ],
                    "id": service_id,
                    "type": entry.type,
                    "name": entry.name,
                }
            )
        return catalog


def build_catalog(
    config: EmulatorConfig, project_id: str, service_base: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The catalog of ``config`` for ``project_id`` (``Catalog.render``)."""
    return Catalog(config).render(project_id, service_base)
