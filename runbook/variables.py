"""Step 3's variables — COMPUTE, TOKEN, PROJECT_ID, SERVER_ID — their validation and the catalog.

The sources and their order are in ``runbook.sources``; this module checks each value and says,
when one is missing or wrong, which variable it is and where it can come from.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit

from runbook.errors import VariableError
from runbook.sources import WHERE_FROM

# shared/reference/fjcloud-o.md: region 3 serves compute under /v2.1, the others under /v2.
# Kept apart from emulator.config.REGIONS on purpose: the runbook encodes the documentation, the
# emulator imitates the cloud, and a shared table would hide a mistake in either from the tests.
REGION_COMPUTE_VERSIONS: dict[str, str] = {
    "jp-east-1": "v2",
    "jp-east-2": "v2",
    "jp-east-3": "v2.1",
    "jp-west-1": "v2",
    "jp-west-2": "v2",
    "jp-west-3": "v2.1",
    "uk-1": "v2",
    "fi-1": "v2",
    "de-1": "v2",
}
_PROJECT_ID = re.compile(r"^[0-9a-f]{32}$")
# A K5 catalog URL ends in /v2/<project> or /v2.1/<project>; the document's COMPUTE is before it.
_VERSION_SUFFIX = re.compile(r"/(v2(?:\.1)?)(?:/([^/]*))?/?$")


@dataclass
class Variables:
    """What steps 2–3 resolve and steps 4–5 use; kept in the state file (the token too, never the password)."""

    compute: str | None = None
    compute_version: str | None = None
    token: str | None = None
    token_expires_at: str | None = None
    project_id: str | None = None
    server_id: str | None = None
    region: str | None = None
    auth_url: str | None = None
    server_name: str | None = None
    roles: list[str] = field(default_factory=list)  # the token's role names, when it was read
    region_check: str | None = None  # how COMPUTE was verified against the region (step 3)
    origins: dict[str, str] = field(default_factory=dict)

    def server_url(self) -> str:
        """``{COMPUTE}/{v2|v2.1}/{PROJECT_ID}/servers/{SERVER_ID}`` — the document's URL."""
        missing = [
            name
            for name, value in (
                ("COMPUTE", self.compute),
                ("PROJECT_ID", self.project_id),
                ("SERVER_ID", self.server_id),
            )
            if not value
        ]
        if missing:
            name = missing[0]
            raise VariableError(
                name, "not set (run steps 2–3 first, or give it)", sources=WHERE_FROM[name]
            )
        return f"{self.compute}/{self.compute_version or 'v2'}/{self.project_id}/servers/{self.server_id}"

    def as_dict(self) -> dict[str, Any]:
        """Every field (the caller masks the token)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Variables:
        """Inverse of ``as_dict``, ignoring unknown keys."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


def clean_token(value: str, origin: str) -> str:
    """The token with CR/LF and surrounding blanks removed (FJcloud-O: strip CR/LF before use)."""
    token = value.replace("\r", "").replace("\n", "").strip()
    if not token:
        raise VariableError("TOKEN", f"empty (from {origin})", sources=WHERE_FROM["TOKEN"])
    if any(ch.isspace() or not ch.isprintable() or ord(ch) > 126 for ch in token):
        raise VariableError(
            "TOKEN",
            f"contains blanks or non-ASCII characters (from {origin}); a token is one opaque word",
            sources=WHERE_FROM["TOKEN"],
        )
    return token


def check_url(name: str, value: str, origin: str) -> str:
    """An http(s) URL with a host and no query, without its trailing slash."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise VariableError(
            name,
            f"{value!r} (from {origin}) is not an http(s) URL with a host",
            sources=WHERE_FROM.get(name, name),
        )
    if parts.query or parts.fragment:
        raise VariableError(
            name,
            f"{value!r} (from {origin}) must not have a query or fragment",
            sources=WHERE_FROM.get(name, name),
        )
    return value.strip().rstrip("/")


def split_compute(url: str, origin: str) -> tuple[str, str | None, str | None]:
    """``(COMPUTE, version, project id)`` from a COMPUTE value or a catalog URL ending in /v2/<id>."""
    base = check_url("COMPUTE", url, origin)
    match = _VERSION_SUFFIX.search(base)
    if not match:
        return base, None, None
    return base[: match.start()], match.group(1), match.group(2) or None


def check_project_id(value: str, origin: str) -> str:
    """A Keystone project id: 32 lower-case hex digits."""
    project_id = value.strip()
    if not _PROJECT_ID.match(project_id):
        raise VariableError(
            "PROJECT_ID",
            f"{project_id!r} (from {origin}) is not a project id (32 hex digits, e.g. "
            "790f1c092038413a8dd6771a033b17f5); a project name goes in OS_PROJECT_NAME",
            sources=WHERE_FROM["PROJECT_ID"],
        )
    return project_id


def check_server_id(value: str, origin: str) -> str:
    """A Nova server id: a UUID (names are not accepted: two servers may share one)."""
    server_id = value.strip()
    try:
        parsed = uuid.UUID(server_id)
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != server_id.lower():
        raise VariableError(
            "SERVER_ID",
            f"{server_id!r} (from {origin}) is not a server id (a UUID such as "
            "dbf93607-f105-4e86-842c-02ae504efe36); a server name is not enough, names can repeat",
            sources=WHERE_FROM["SERVER_ID"],
        )
    return server_id.lower()


def version_for_region(region: str | None) -> str:
    """``v2.1`` for jp-east-3 / jp-west-3, ``v2`` for every other (or unknown) region."""
    return REGION_COMPUTE_VERSIONS.get(region or "", "v2")


def compute_from_catalog(
    catalog: list[dict[str, Any]], region: str | None, interface: str = "public"
) -> tuple[str, str]:
    """``(endpoint URL, region)`` of the compute service for ``interface`` and ``region``."""
    endpoints = [
        endpoint
        for service in catalog
        if service.get("type") == "compute"
        for endpoint in service.get("endpoints", [])
        if endpoint.get("interface") == interface
    ]
    if not endpoints:
        raise VariableError(
            "COMPUTE",
            f"the token's catalog has no {interface} compute endpoint",
            sources=WHERE_FROM["COMPUTE"],
        )
    regions = sorted({str(e.get("region_id") or e.get("region")) for e in endpoints})
    if region is None:
        if len(regions) > 1:
            raise VariableError(
                "region",
                f"the catalog has compute in several regions ({', '.join(regions)}); choose one",
                sources=WHERE_FROM["region"],
            )
        region = regions[0]
    for endpoint in endpoints:
        if region in (endpoint.get("region_id"), endpoint.get("region")):
            return str(endpoint["url"]), region
    raise VariableError(
        "region",
        f"{region!r} has no compute endpoint in the token's catalog (it has: {', '.join(regions)})",
        sources=WHERE_FROM["region"],
    )


def _origin(parts: SplitResult) -> tuple[str, str, int]:
    """``(scheme, host, port)`` with the scheme's default port filled in."""
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def verify_region(
    compute: str,
    compute_origin: str,
    catalog: list[dict[str, Any]],
    region: str | None,
    interface: str = "public",
) -> tuple[str, str]:
    """``(region, what was checked)``: COMPUTE must be the catalog's compute endpoint of ``region``.

    Same scheme, host and port as the token catalog's ``interface`` compute endpoint for the
    region; without a region, the region is the one whose endpoint COMPUTE is. Refused otherwise:
    a confirmation naming one region while the requests go to another is worse than none.
    """
    mine = _origin(urlsplit(compute))
    if region is None:
        matches = sorted(
            str(e.get("region_id") or e.get("region"))
            for service in catalog
            if service.get("type") == "compute"
            for e in service.get("endpoints", [])
            if e.get("interface") == interface and _origin(urlsplit(str(e.get("url", "")))) == mine
        )
        if len(matches) != 1:
            raise VariableError(
                "COMPUTE",
                f"{compute} (from {compute_origin}) is not the {interface} compute endpoint of one "
                f"region in the token's catalog ({'several match: ' + ', '.join(matches) if matches else 'none matches'})",
                sources=WHERE_FROM["COMPUTE"] + "; or name the region with " + WHERE_FROM["region"],
            )
        region = matches[0]
    expected, region = compute_from_catalog(catalog, region, interface)
    if _origin(urlsplit(expected)) != mine:
        raise VariableError(
            "COMPUTE",
            f"{compute} (from {compute_origin}) is not region {region}'s compute endpoint: the "
            f"token's catalog says {split_compute(expected, 'the catalog')[0]} for {region}; the "
            "server would be read and stopped somewhere else than the confirmation names",
            sources="the region's endpoint in COMPUTE (or unset COMPUTE: it is read from the "
            "catalog), or the right region with " + WHERE_FROM["region"],
        )
    return region, f"COMPUTE is the token catalog's {interface} compute endpoint for {region}"


def zone_in_region(zone: str, region: str) -> bool:
    """True when availability zone ``zone`` (``jp-east-1a``) is a zone of ``region`` (``jp-east-1``).

    FJcloud-O names its zones after the region with a letter (jp-east-1a, jp-east-1b); no page
    found states the rule for every region, so this is an inference from those names.
    """
    suffix = zone[len(region) :] if zone.startswith(region) else ""
    return bool(suffix) and suffix.isalpha()
