"""JSON bodies of the compute API: versions, servers (by microversion) and flavors.

Field names, types and order follow the seed document's example response (export-preparation.ja.txt)
and nova/api/openstack/compute/views/{servers,flavors,versions}.py.
"""

from __future__ import annotations

import functools
import urllib.parse
import uuid
from typing import Any

from emulator.clock import isoformat_z
from emulator.compute.backend import ServerRecord
from emulator.compute.microversions import MAX_VERSION, MIN_VERSION, APIVersion
from emulator.seed import FlavorSeed, ServerSeed

# nova/api/openstack/compute/versions.py VERSIONS
_VERSION_INFO: dict[str, dict[str, Any]] = {
    "v2": {
        "id": "v2.0",
        "status": "SUPPORTED",
        "version": "",
        "min_version": "",
        "updated": "2011-01-21T11:33:21Z",
        "media_version": "2",
    },
    "v2.1": {
        "id": "v2.1",
        "status": "CURRENT",
        "version": str(MAX_VERSION),
        "min_version": str(MIN_VERSION),
        "updated": "2013-07-23T11:33:21Z",
        "media_version": "2.1",
    },
}
# nova/api/openstack/compute/views/servers.py ViewBuilder._progress_statuses: an ACTIVE server has
# "progress": 0, a SHUTOFF one (the seed example) has none.
_PROGRESS_STATUSES = frozenset(
    {"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"}
)
_DESCRIBED_BY = {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}


def versions_list(base: str) -> dict[str, Any]:
    """``GET /compute/``: every API version with its self link (views/versions.py build_versions)."""
    versions = []
    for api, info in _VERSION_INFO.items():
        versions.append(
            {
                "id": info["id"],
                "status": info["status"],
                "version": info["version"],
                "min_version": info["min_version"],
                "updated": info["updated"],
                "links": [{"rel": "self", "href": f"{base}/{api}/"}],
            }
        )
    return {"versions": versions}


def version_document(base: str, api: str) -> dict[str, Any]:
    """``GET /compute/v2.1/``: one version with links and media types (build_version)."""
    info = _VERSION_INFO[api]
    return {
        "version": {
            "id": info["id"],
            "status": info["status"],
            "version": info["version"],
            "min_version": info["min_version"],
            "updated": info["updated"],
            "links": [{"rel": "self", "href": f"{base}/{api}/"}, dict(_DESCRIBED_BY)],
            "media-types": [
                {
                    "base": "application/json",
                    "type": f"application/vnd.openstack.compute+json;version={info['media_version']}",
                }
            ],
        }
    }


class ViewContext:
    """What a body depends on besides the data: base URL, path form, project, microversion."""

    def __init__(self, base: str, api: str, project_id: str, version: APIVersion | None) -> None:
        self.base = base
        self.api = api
        self.project_id = project_id
        # /v2 is the v2.1 code in legacy mode: it behaves as 2.1 and sends no version headers.
        self.version = version or MIN_VERSION
        self._version_key = (self.version.major, self.version.minor)

    def at_least(self, major: int, minor: int) -> bool:
        """Whether the request's microversion is >= major.minor."""
        # A tuple compare, not APIVersion's: a body asks this several times per server.
        return self._version_key >= (major, minor)

    def links(self, collection: str, item_id: str) -> list[dict[str, str]]:
        """Nova's self (versioned) and bookmark (unversioned) links."""
        return [
            {
                "href": f"{self.base}/{self.api}/{self.project_id}/{collection}/{item_id}",
                "rel": "self",
            },
            {"href": f"{self.base}/{self.project_id}/{collection}/{item_id}", "rel": "bookmark"},
        ]

    def bookmark(self, collection: str, item_id: str) -> list[dict[str, str]]:
        return [
            {"href": f"{self.base}/{self.project_id}/{collection}/{item_id}", "rel": "bookmark"}
        ]

    def next_link(self, collection: str, params: dict[str, str], last_id: str) -> str:
        """nova/api/openstack/common.py ViewBuilder._get_next_link: the request's own query
        parameters, sorted, with ``marker`` set to the page's last item."""
        query = urllib.parse.urlencode({**dict(sorted(params.items())), "marker": last_id})
        return f"{self.base}/{self.api}/{self.project_id}/{collection}?{query}"


def server_summary(ctx: ViewContext, record: ServerRecord) -> dict[str, Any]:
    """An entry of ``GET servers``: id, links, name."""
    return {"id": record.id, "name": record.spec.name, "links": ctx.links("servers", record.id)}


def server_detail(ctx: ViewContext, record: ServerRecord, flavor: FlavorSeed) -> dict[str, Any]:
    """A full server body: the seed document's fields, plus those later microversions add."""
    spec = record.spec
    body: dict[str, Any] = {
        "status": record.status,
        "updated": isoformat_z(record.updated),
        "hostId": spec.host_id,
        "OS-EXT-SRV-ATTR:host": spec.host,
        "addresses": spec.addresses,
        "links": ctx.links("servers", spec.id),
        "key_name": spec.key_name,
        "image": _image(ctx, spec.image),
        "OS-EXT-STS:task_state": record.task_state,
        "OS-EXT-STS:vm_state": record.vm_state,
        "OS-EXT-SRV-ATTR:instance_name": spec.instance_name,
        "OS-SRV-USG:launched_at": spec.launched_at,
        "OS-EXT-SRV-ATTR:hypervisor_hostname": spec.host,
        "flavor": _server_flavor(ctx, flavor),
        "id": spec.id,
        "security_groups": [{"name": name} for name in spec.security_groups],
        "OS-SRV-USG:terminated_at": None,
        "OS-EXT-AZ:availability_zone": spec.availability_zone,
        "user_id": spec.user_id,
        "name": spec.name,
        "created": spec.created,
        "tenant_id": spec.project_id,
        "OS-DCF:diskConfig": "MANUAL",
        "os-extended-volumes:volumes_attached": _volumes(ctx, spec.volumes_attached),
        "accessIPv4": "",
        "accessIPv6": "",
        "OS-EXT-STS:power_state": record.power_state,
        "config_drive": "",
        "metadata": dict(spec.metadata),
    }
    if record.status in _PROGRESS_STATUSES:
        body["progress"] = 0
    if record.status in ("ERROR", "DELETED") and record.fault is not None:
        body["fault"] = dict(record.fault)  # views/servers.py _fault_statuses
    if ctx.at_least(2, 3):
        # FJcloud-O shows the extended server attributes to project users (the seed's example
        # carries host, instance_name, hypervisor_hostname), so the 2.3 additions appear too.
        body.update(
            {
                "OS-EXT-SRV-ATTR:reservation_id": _reservation_id(spec.id),
                "OS-EXT-SRV-ATTR:launch_index": 0,
                "OS-EXT-SRV-ATTR:kernel_id": "",
                "OS-EXT-SRV-ATTR:ramdisk_id": "",
                "OS-EXT-SRV-ATTR:hostname": _hostname(spec.name),
                "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
                "OS-EXT-SRV-ATTR:user_data": None,
            }
        )
    if ctx.at_least(2, 9):
        body["locked"] = record.locked
    if ctx.at_least(2, 19):
        body["description"] = None
    if ctx.at_least(2, 26):
        body["tags"] = []
    return body


def server_security_groups(spec: ServerSeed) -> list[dict[str, Any]]:
    """The server's groups as ``os-security-groups`` lists them (``_format_security_group``),
    sorted by ``(tenant_id, name)`` like ServerSecurityGroupController.index."""
    groups: list[dict[str, Any]] = [
        {
            # The seed names groups only. Stable made-up UUIDs per project and name (inference:
            # no FJcloud-O source shows its ids); no rules, since the seed describes none.
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"security-group:{spec.project_id}/{name}")),
            "name": name,
            # Neutron names its own group "Default security group" (securitygroups_db.py
            # _ensure_default_security_group); the seed gives no description for any other.
            "description": "Default security group" if name == "default" else "",
            "tenant_id": spec.project_id,
            "rules": [],
        }
        for name in dict.fromkeys(spec.security_groups)
    ]
    return sorted(groups, key=lambda group: (group["tenant_id"], group["name"]))


@functools.lru_cache(maxsize=4096)
def _reservation_id(server_id: str) -> str:
    # Stable per server; cached because uuid5 is a SHA-1 and servers/detail asks for each one.
    return f"r-{uuid.uuid5(uuid.NAMESPACE_URL, server_id).hex[:8]}"


def _hostname(name: str) -> str:
    # nova/utils.py sanitize_hostname, simplified: lower case, [a-z0-9-] only.
    cleaned = "".join(c if c.isalnum() or c == "-" else "-" for c in name.lower())
    return cleaned.strip("-")[:63] or "server"


def _image(ctx: ViewContext, image: str | dict[str, Any]) -> Any:
    # Boot from volume: Nova answers "" (views/servers.py _get_image).
    image_id = str(image.get("id", "")) if isinstance(image, dict) else image
    if not image_id:
        return ""
    return {"id": image_id, "links": ctx.bookmark("images", image_id)}


def _volumes(ctx: ViewContext, volume_ids: tuple[str, ...]) -> list[dict[str, Any]]:
    # 2.3 adds delete_on_termination to each attached volume.
    if ctx.at_least(2, 3):
        return [{"id": v, "delete_on_termination": False} for v in volume_ids]
    return [{"id": v} for v in volume_ids]


def _server_flavor(ctx: ViewContext, flavor: FlavorSeed) -> dict[str, Any]:
    if ctx.at_least(2, 47):
        # views/servers.py _get_flavor_dict: the embedded copy, no id or links.
        return {
            "vcpus": flavor.vcpus,
            "ram": flavor.ram,
            "disk": flavor.disk,
            "ephemeral": 0,
            "swap": 0,
            "original_name": flavor.name,
            "extra_specs": {},
        }
    return {"id": flavor.id, "links": ctx.bookmark("flavors", flavor.id)}


def flavor_summary(ctx: ViewContext, flavor: FlavorSeed) -> dict[str, Any]:
    """An entry of ``GET flavors`` (views/flavors.py basic)."""
    body: dict[str, Any] = {
        "id": flavor.id,
        "links": ctx.links("flavors", flavor.id),
        "name": flavor.name,
    }
    if ctx.at_least(2, 55):
        body["description"] = None
    return body


def flavor_detail(ctx: ViewContext, flavor: FlavorSeed) -> dict[str, Any]:
    """A full flavor (views/flavors.py show); ``swap`` is ``""`` for 0 before 2.75."""
    body: dict[str, Any] = {
        "id": flavor.id,
        "name": flavor.name,
        "ram": flavor.ram,
        "disk": flavor.disk,
        "swap": "",
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "OS-FLV-DISABLED:disabled": False,
        "vcpus": flavor.vcpus,
        "os-flavor-access:is_public": True,
        "rxtx_factor": 1.0,
        "links": ctx.links("flavors", flavor.id),
    }
    if ctx.at_least(2, 55):
        body["description"] = None
    return body
