"""Documents that depend on the request's host: the version documents and the service catalog."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from emulator.config import EmulatorConfig

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
    # Cached: uuid5 is a SHA-1, and every token with a catalog needs eight of them.
    return uuid.uuid5(_NAMESPACE, "/".join(parts)).hex


def build_catalog(
    config: EmulatorConfig, identity_base: str, compute_base: str, project_id: str
) -> list[dict[str, Any]]:
    """``identity`` and ``compute`` with public/internal/admin endpoints in the config's region."""
    return _catalog(config.region, config.compute_version, identity_base, compute_base, project_id)


def catalog_json(
    config: EmulatorConfig,
    identity_base: str,
    compute_base: str,
    project_id: str,
    dumps: Callable[..., str],
) -> str:
    """``build_catalog(…)`` as compact JSON (jsonify's separators), cached by all it depends on."""
    return _catalog_json(
        config.region, config.compute_version, identity_base, compute_base, project_id, dumps
    )


@functools.lru_cache(maxsize=256)
def _catalog_json(
    region: str,
    compute_version: str,
    identity_base: str,
    compute_base: str,
    project_id: str,
    dumps: Callable[..., str],
) -> str:
    # Every token with a catalog carries the same one for a given host and project; encoding it
    # was about half of the JSON work of a token response.
    catalog = _catalog(region, compute_version, identity_base, compute_base, project_id)
    return dumps(catalog, separators=(",", ":"))


def _catalog(
    region: str, compute_version: str, identity_base: str, compute_base: str, project_id: str
) -> list[dict[str, Any]]:
    services = (
        ("identity", "keystone", f"{identity_base}/v3"),
        ("compute", "nova", f"{compute_base}/{compute_version}/{project_id}"),
    )
    catalog = []
    for service_type, name, url in services:
        catalog.append(
            {
                "endpoints": [
                    {
                        "id": _stable_id(region, service_type, interface),
                        "interface": interface,
                        "region": region,
                        "region_id": region,
                        "url": url,
                    }
                    for interface in INTERFACES
                ],
                "id": _stable_id(service_type),
                "type": service_type,
                "name": name,
            }
        )
    return catalog
