"""Configuration of one emulator instance: region, seed, timing, token and lockout policy."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from emulator.seed import Seed, ServerSeed, load_default_seed, load_seed
from emulator.timing import Timing, TimingMode

__all__ = [
    "REGIONS",
    "EmulatorConfig",
    "LockoutPolicy",
    "Timing",
    "TimingMode",
    "build_config",
    "compute_version_for",
    "located",
    "region_location",
]

# Regions from shared/reference/fjcloud-o.md. Region 3 serves compute under /v2.1 with
# microversions; the others under /v2 (legacy mode, no microversions).
REGIONS: dict[str, str] = {
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


def compute_version_for(region: str) -> str:
    """``"v2.1"`` for jp-east-3/jp-west-3, ``"v2"`` elsewhere."""
    return REGIONS[region]


# The seed document's example server (export-preparation.ja.txt) is in jp-east-1.
_EXAMPLE_REGION, _EXAMPLE_ZONE, _EXAMPLE_HOST = "jp-east-1", "jp-east-1a", "jp1a01-pgy017-00"


def region_location(region: str) -> tuple[str, str]:
    """The availability zone and compute host of a server that names neither, in ``region``.

    jp-east-1: the seed document's example. Elsewhere the zone is ``<region>a``: public K5 code
    names the zones of jp-east-1 and uk-1 ``<region>a`` / ``<region>b``, and FJcloud-O's region
    page gives region 3 a single zone without naming it in any source we found, so outside
    jp-east-1 and uk-1 this is an inference. The host ``<zone>-host-00`` is made up: no source
    shows a compute host name outside the example.
    """
    if region == _EXAMPLE_REGION:
        return _EXAMPLE_ZONE, _EXAMPLE_HOST
    return f"{region}a", f"{region}a-host-00"


def located(server: ServerSeed, region: str) -> ServerSeed:
    """``server`` with the region's zone and host where it names none."""
    if server.availability_zone and server.host:
        return server
    zone, host = region_location(region)
    return replace(
        server, availability_zone=server.availability_zone or zone, host=server.host or host
    )


# Fast enough for rehearsals and fixtures, yet a poll still sees the powering-off state.
FAST_TIMING = Timing("seconds", 0.2)
# The standalone server's default: a realistic few seconds.
REALISTIC_TIMING = Timing("seconds", 3.0)


@dataclass(frozen=True)
class LockoutPolicy:
    """FJcloud-O: 5 wrong passwords within 15 minutes lock authentication for 15 minutes."""

    enabled: bool = True
    attempts: int = 5
    window_seconds: float = 900.0
    duration_seconds: float = 900.0


@dataclass
class EmulatorConfig:
    """Everything that makes one emulator differ from another."""

    region: str = "jp-east-1"
    seed: Seed = field(default_factory=load_default_seed)
    timing: Timing = FAST_TIMING
    token_lifetime_seconds: float = 3 * 3600.0
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    control_plane: bool = True
    max_body_bytes: int = 1024 * 1024
    # Nova's [api] max_limit (nova/conf/api.py): no server list page is longer than this.
    max_limit: int = 1000
    # "prefix": one host, services under /identity and /compute (DevStack style).
    # "fjcloud-hosts": https://<service>.<region>.cloud.global.fujitsu.com (the in-process mock).
    endpoint_style: Literal["prefix", "fjcloud-hosts"] = "prefix"

    def __post_init__(self) -> None:
        if self.region not in REGIONS:
            known = ", ".join(REGIONS)
            raise ValueError(f"unknown region {self.region!r}; choose one of: {known}")
        self.timing = Timing.parse(self.timing)
        # What the seed leaves open (a server's zone and host) is the emulator's region's.
        servers = tuple(located(server, self.region) for server in self.seed.servers)
        self.seed = replace(self.seed, servers=servers)
        if self.token_lifetime_seconds <= 0:
            raise ValueError("token_lifetime_seconds must be > 0")
        if self.max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be > 0")
        if self.max_limit <= 0:
            raise ValueError("max_limit must be > 0")

    @property
    def compute_version(self) -> str:
        return compute_version_for(self.region)

    @classmethod
    def from_value(cls, value: EmulatorConfig | dict[str, Any] | None) -> EmulatorConfig:
        """``create_app`` accepts a config, a dict of its fields, or None for the defaults."""
        if value is None:
            return cls()
        if isinstance(value, EmulatorConfig):
            return value
        data = dict(value)
        if isinstance(data.get("lockout"), dict):
            data["lockout"] = LockoutPolicy(**data["lockout"])
        return cls(**data)


def build_config(
    config: EmulatorConfig | None,
    *,
    seed: Seed | str | Path | None,
    region: str,
    timing: Timing | str | float | None,
    config_fields: dict[str, Any],
) -> EmulatorConfig:
    """One ``EmulatorConfig`` from either a ready config or keyword fields (not both)."""
    if config is not None:
        if seed is not None or timing is not None or config_fields or region != "jp-east-1":
            raise TypeError("pass either config=EmulatorConfig(...) or keyword fields, not both")
        return config
    if isinstance(seed, str | Path):
        seed = load_seed(seed)
    fields: dict[str, Any] = {"region": region, "seed": seed or load_default_seed()}
    if timing is not None:
        fields["timing"] = Timing.parse(timing)
    return EmulatorConfig.from_value({**fields, **config_fields})
