"""Compute API microversions: parsing the request headers, the negotiated version, response headers.

Behaviour of nova/api/openstack/wsgi.py ``Request.set_api_version_request`` and
nova/api/openstack/api_version_request.py: the ``OpenStack-API-Version: compute X`` header wins
over the legacy ``X-OpenStack-Nova-API-Version``; no header means the minimum; ``latest`` means the
maximum; a malformed value is 400, one outside the range 406. ``/v2`` (legacy mode) ignores them.

We advertise 2.60 (Nova Queens' maximum) because every server and flavor field up to it is
implemented (views.py); openstacksdk 4.x then negotiates min(2.60, its own 2.100) = 2.60.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulator.compute.errors import BadRequest, NotAcceptable

HEADER = "OpenStack-API-Version"
LEGACY_HEADER = "X-OpenStack-Nova-API-Version"
SERVICE_TYPE = "compute"
_VERSION_RE = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


@dataclass(frozen=True, order=True)
class APIVersion:
    """A ``major.minor`` compute microversion, ordered numerically (2.10 > 2.9)."""

    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> APIVersion:
        """``"2.47"`` → ``APIVersion(2, 47)``; anything else → 400 like Nova."""
        match = _VERSION_RE.match(text.strip())
        if match is None:
            # nova/exception.py InvalidAPIVersionString
            raise BadRequest(
                f"API Version String {text} is of invalid format. Must be of format "
                "MajorNum.MinorNum."
            )
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


MIN_VERSION = APIVersion(2, 1)
MAX_VERSION = APIVersion(2, 60)


def requested_version_text(headers: Any) -> str | None:
    """The compute version a client asked for, or None; the new header wins over the legacy one."""
    value = headers.get(HEADER)
    if isinstance(value, str) and value:
        # "compute 2.60, volume 3.0" — microversion_parse picks the entry for our service type.
        for item in value.split(","):
            parts = item.strip().split(None, 1)
            if len(parts) == 2 and parts[0].lower() == SERVICE_TYPE:
                return str(parts[1]).strip()
    legacy = headers.get(LEGACY_HEADER)
    if isinstance(legacy, str) and legacy.strip():
        return legacy.strip()
    return None


def negotiate(headers: Any) -> APIVersion:
    """The microversion a ``/v2.1`` request runs at (400 malformed, 406 out of range)."""
    text = requested_version_text(headers)
    if text is None:
        return MIN_VERSION
    if text.lower() == "latest":
        return MAX_VERSION
    version = APIVersion.parse(text)
    if not MIN_VERSION <= version <= MAX_VERSION:
        # nova/exception.py InvalidGlobalAPIVersion
        raise NotAcceptable(
            f"Version {text} is not supported by the API. Minimum is {MIN_VERSION} and maximum "
            f"is {MAX_VERSION}."
        )
    return version


def response_headers(version: APIVersion) -> dict[str, str]:
    """Headers Nova adds to every ``/v2.1`` response (nova/api/openstack/wsgi.py)."""
    return {
        HEADER: f"{SERVICE_TYPE} {version}",
        LEGACY_HEADER: str(version),
        "Vary": f"{HEADER}, {LEGACY_HEADER}",
    }
