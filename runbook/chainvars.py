"""The export chain's variables — BLOCKSTORAGE, IMAGE, OBJECTSTORAGE, IMPORT_EXPORT, CONTAINER,
VOLUME_ID, IMAGE_NAME, IMAGE_ID, EXPORT_ID — resolved like page 1's: options > the document's
variables in the environment > what this procedure's journal already holds > the token's catalog
(endpoints) or the API (ids) > a default. Each value keeps where it came from.

The endpoint variables are the document's form: the host part, before the version path the
catalog appends (``/v2/<project>`` for block storage, ``/v1/AUTH_<project>`` for object storage).
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from runbook.errors import VariableError
from runbook.objectstorage import check_container_name
from runbook.variables import check_url

# name: (option dest, environment variable, catalog service types in order of preference).
# The catalog types are OpenStack's (service-types-authority: block-storage/volumev2/volumev3,
# image, object-store) and the FJcloud-O host names (blockstorage, objectstorage,
# import-export, vmimport — fjcloud-o.md "Host pattern"); which ones a FJcloud-O catalog uses is
# not documented, so every one is accepted.
ENDPOINTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "BLOCKSTORAGE": (
        "runbook_blockstorage",
        "BLOCKSTORAGE",
        ("block-storage", "volumev2", "volumev3", "volume", "blockstorage", "blockstoragev2"),
    ),
    "IMAGE": ("runbook_image", "IMAGE", ("image",)),
    "OBJECTSTORAGE": ("runbook_objectstorage", "OBJECTSTORAGE", ("object-store", "objectstorage")),
    "IMPORT_EXPORT": (
        "runbook_import_export",
        "IMPORT_EXPORT",
        ("import-export", "importexport", "vmimport", "vmexport"),
    ),
}
IDS: dict[str, tuple[str, str]] = {
    "CONTAINER": ("runbook_container", "CONTAINER"),
    "VOLUME_ID": ("runbook_volume_id", "VOLUME_ID"),
    "IMAGE_NAME": ("runbook_image_name", "IMAGE_NAME"),
    "IMAGE_ID": ("runbook_image_id", "IMAGE_ID"),
    "EXPORT_ID": ("runbook_export_id", "EXPORT_ID"),
}
# K5lib's export example uses the container 'vmexport' [G2]; the operator sees it and may change it.
DEFAULT_CONTAINER = "vmexport"
# Glance's name limit is 255; the name becomes the exported file's name [P5][P7], so keep it to
# characters every file system and shell takes as they are.
_IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
# The version tail a catalog URL carries after the document's endpoint.
_TAILS = {
    "BLOCKSTORAGE": re.compile(r"/v[23](?:\.\d+)?(?:/[^/]*)?/?$"),
    "OBJECTSTORAGE": re.compile(r"/v[12]/AUTH_[^/]*/?$"),
    "IMAGE": re.compile(r"/v2(?:\.\d+)?/?$"),
    "IMPORT_EXPORT": re.compile(r"/v1/?$"),
}
WHERE = {
    "BLOCKSTORAGE": "--blockstorage or BLOCKSTORAGE (or leave it out: the token's catalog has it)",
    "IMAGE": "--image or IMAGE (or leave it out: the token's catalog has it)",
    "OBJECTSTORAGE": "--objectstorage or OBJECTSTORAGE (or leave it out: the token's catalog has it)",
    "IMPORT_EXPORT": "--import-export or IMPORT_EXPORT (or leave it out: the token's catalog has it)",
    "CONTAINER": "--container or CONTAINER",
    "VOLUME_ID": "--volume-id or VOLUME_ID (or leave it out: the server's system volume is used)",
    "IMAGE_NAME": "--image-name or IMAGE_NAME",
    "IMAGE_ID": "--image-id or IMAGE_ID (or run イメージの作成 in this procedure)",
    "EXPORT_ID": "--export-id or EXPORT_ID (or run エクスポートの実行 in this procedure)",
}


@dataclass
class ChainVariables:
    """What pages 2–5 resolve and use; journalled as resolved (no secrets in here)."""

    blockstorage: str | None = None
    image: str | None = None
    objectstorage: str | None = None
    import_export: str | None = None
    container: str | None = None
    volume_id: str | None = None
    image_name: str | None = None
    image_id: str | None = None
    export_id: str | None = None
    origins: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        """By the document's name (``IMAGE_ID``)."""
        value: str | None = getattr(self, name.lower())
        return value

    def put(self, name: str, value: str | None, origin: str) -> None:
        """Set by the document's name and remember where it came from."""
        setattr(self, name.lower(), value)
        if value:
            self.origins[name] = origin

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChainVariables:
        """Inverse of ``as_dict``, ignoring unknown keys."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def given(
    name: str, options: Mapping[str, Any], environ: Mapping[str, str]
) -> tuple[str, str] | None:
    """``(value, origin)`` from the option, then the environment variable, or None."""
    dest, env = IDS[name] if name in IDS else ENDPOINTS[name][:2]
    if options.get(dest):
        return str(options[dest]).strip(), "--" + dest.removeprefix("runbook_").replace("_", "-")
    if environ.get(env, "").strip():
        return environ[env].strip(), env
    return None


def endpoint_base(name: str, url: str, origin: str) -> str:
    """The document's endpoint from a given value or a catalog URL (its version tail removed)."""
    base = check_url(name, url, origin)
    return _TAILS[name].sub("", base)


def endpoint_from_catalog(
    name: str, catalog: list[dict[str, Any]], region: str | None, interface: str = "public"
) -> str | None:
    """The catalog's URL for ``name`` in ``region`` (the first service type that has one)."""
    for service_type in ENDPOINTS[name][2]:
        for service in catalog:
            if service.get("type") != service_type:
                continue
            for endpoint in service.get("endpoints", []):
                if endpoint.get("interface") != interface:
                    continue
                if region is None or region in (endpoint.get("region_id"), endpoint.get("region")):
                    return str(endpoint["url"])
    return None


def resolve_endpoint(
    variables: ChainVariables,
    name: str,
    options: Mapping[str, Any],
    environ: Mapping[str, str],
    catalog: list[dict[str, Any]] | None,
    region: str | None,
) -> str:
    """Fill ``name`` (an endpoint) from the strongest source; a clear error when none has it."""
    found = given(name, options, environ)
    if found is not None:
        value, origin = found
        variables.put(name, endpoint_base(name, value, origin), origin)
    elif catalog:
        url = endpoint_from_catalog(name, catalog, region)
        if url is not None:
            variables.put(
                name,
                endpoint_base(name, url, "the token's catalog"),
                f"the token's catalog ({region or '-'})",
            )
    if not variables.get(name):
        types = ", ".join(ENDPOINTS[name][2])
        raise VariableError(
            name,
            f"missing: not given, and the token's catalog has no public endpoint of type "
            f"{types} in region {region or '-'}",
            sources=WHERE[name],
        )
    return str(variables.get(name))


def check_uuid(name: str, value: str, origin: str) -> str:
    """A UUID (volume and image ids)."""
    try:
        parsed = uuid.UUID(value.strip())
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != value.strip().lower():
        raise VariableError(
            name,
            f"{value!r} (from {origin}) is not an id (a UUID such as fdf9df9a-894d-48fe-b091-d1b13dd4309a)",
            sources=WHERE[name],
        )
    return str(parsed)


def check_image_name(value: str, origin: str) -> str:
    """A name that is also a safe file name: it becomes ``<name>.qcow2`` / ``.vmdk`` [P5]."""
    if not _IMAGE_NAME.match(value):
        raise VariableError(
            "IMAGE_NAME",
            f"{value!r} (from {origin}) cannot be used: it becomes the exported file's name, so "
            "use letters, digits, '.', '_' and '-' only (at most 200, starting with a letter or digit)",
            sources=WHERE["IMAGE_NAME"],
        )
    return value


def default_image_name(server_name: str | None, stamp: str) -> str:
    """``<server name>-export-<UTC date>``, with what a file name cannot hold replaced by '_'."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", server_name or "server").lstrip("._-") or "server"
    return f"{base[:150]}-export-{stamp}"


def resolve_ids(
    variables: ChainVariables, options: Mapping[str, Any], environ: Mapping[str, str]
) -> None:
    """CONTAINER, VOLUME_ID, IMAGE_NAME, IMAGE_ID, EXPORT_ID from options and the environment
    (checked here, before anything is sent); the others stay as the journal or the steps set them."""
    checks: dict[str, Callable[[str, str], str]] = {
        "CONTAINER": check_container_name,
        "VOLUME_ID": functools.partial(check_uuid, "VOLUME_ID"),
        "IMAGE_NAME": check_image_name,
        "IMAGE_ID": functools.partial(check_uuid, "IMAGE_ID"),
        "EXPORT_ID": _check_export_id,
    }
    for name, check in checks.items():
        found = given(name, options, environ)
        if found is not None:
            value, origin = found
            variables.put(name, check(value, origin), origin)
    if not variables.container:
        variables.put("CONTAINER", DEFAULT_CONTAINER, "the default (K5lib's example container)")


def _check_export_id(value: str, origin: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", value):
        raise VariableError(
            "EXPORT_ID",
            f"{value!r} (from {origin}) is not an export id (the export_id エクスポートの実行 printed)",
            sources=WHERE["EXPORT_ID"],
        )
    return value
