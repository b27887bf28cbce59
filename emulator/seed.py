"""Seed documents: the domains, users, projects and servers an emulator starts with.

A seed is YAML or JSON (YAML is a superset, so one loader reads both). References between
entries may use an id or a name (``project: demo-project``); they are resolved to ids here so
the backends only ever see ids. Every problem is reported as ``SeedError`` naming the file, the
field and what to do, e.g. ``seed.yaml: servers[0].status: 'RUNNING' is not one of ACTIVE,
SHUTOFF, ERROR``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from emulator.timing import Timing

SERVER_STATUSES = ("ACTIVE", "SHUTOFF", "ERROR")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")


class SeedError(ValueError):
    """A seed document that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class DomainSeed:
    id: str
    name: str  # on FJcloud-O: the contract number


@dataclass(frozen=True)
class ProjectSeed:
    id: str
    name: str
    domain_id: str


@dataclass(frozen=True)
class RoleSeed:
    id: str
    name: str


@dataclass(frozen=True)
class RoleAssignmentSeed:
    project_id: str
    role_id: str


@dataclass(frozen=True)
class UserSeed:
    id: str
    name: str
    domain_id: str
    password: str
    roles: tuple[RoleAssignmentSeed, ...] = ()


@dataclass(frozen=True)
class FlavorSeed:
    id: str
    name: str
    vcpus: int = 1
    ram: int = 4096
    disk: int = 0


@dataclass(frozen=True)
class ServerSeed:
    """One server. ``timing`` (None: the emulator's) overrides how fast it stops and starts."""

    id: str
    name: str
    project_id: str
    user_id: str
    status: str = "ACTIVE"
    flavor_id: str = "11"
    image: str | dict[str, Any] = ""
    locked: bool = False
    timing: Any = None  # anything emulator.config.Timing.parse accepts
    # "": the emulator's region decides (emulator.config.region_location).
    availability_zone: str = ""
    host: str = ""
    host_id: str = ""
    instance_name: str = ""
    created: str = "2016-04-26T07:22:52Z"
    launched_at: str | None = "2016-04-26T07:45:30.000000"
    key_name: str | None = None
    security_groups: tuple[str, ...] = ("default",)
    volumes_attached: tuple[str, ...] = ()
    addresses: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Seed:
    region: str | None
    domains: tuple[DomainSeed, ...]
    projects: tuple[ProjectSeed, ...]
    roles: tuple[RoleSeed, ...]
    users: tuple[UserSeed, ...]
    flavors: tuple[FlavorSeed, ...]
    servers: tuple[ServerSeed, ...]

    def project(self, ref: str) -> ProjectSeed | None:
        """The project with this id or name."""
        return next((p for p in self.projects if ref in (p.id, p.name)), None)

    def user(self, ref: str) -> UserSeed | None:
        return next((u for u in self.users if ref in (u.id, u.name)), None)

    def with_servers(self, *servers: ServerSeed) -> Seed:
        """A copy with more servers (fixtures seed extra servers per test this way)."""
        return Seed(
            self.region,
            self.domains,
            self.projects,
            self.roles,
            self.users,
            self.flavors,
            self.servers + servers,
        )


def load_seed(path: str | Path) -> Seed:
    """Read and validate a YAML or JSON seed file."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"{source}: cannot read the seed file: {exc.strerror or exc}") from exc
    try:
        document = _load_yaml(text)
    except yaml.YAMLError as exc:
        raise SeedError(f"{source}: not valid YAML or JSON: {exc}") from exc
    return parse_seed(document, source=str(source))


def load_default_seed() -> Seed:
    """The built-in seed mirroring the seed document's project and server."""
    text = resources.files("emulator").joinpath("default_seed.yaml").read_text(encoding="utf-8")
    return parse_seed(_load_yaml(text), source="default_seed.yaml")


# libyaml's safe loader when PyYAML was built with it (~4x faster on the default seed, which
# every emulator parses at start-up); the pure-Python one otherwise. Both build the same data.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader, C or Python


def parse_seed(document: Any, source: str = "seed") -> Seed:
    """Validate a seed already parsed into Python objects (from YAML, JSON or a dict)."""
    return _SeedParser(source).parse(document)


def server_seed_from_dict(data: dict[str, Any], seed: Seed, source: str = "server") -> ServerSeed:
    """Build one ``ServerSeed`` (e.g. from ``POST /_emulator/servers``) against an existing seed."""
    return _SeedParser(source, seed).server(data, source)


class _SeedParser:
    def __init__(self, source: str, base: Seed | None = None) -> None:
        self.source = source
        self.base = base

    def fail(self, where: str, problem: str) -> SeedError:
        return SeedError(f"{self.source}: {where}: {problem}")

    # -- generic field readers -------------------------------------------------------------
    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be a mapping, got {type(value).__name__}")
        return value

    def items(self, document: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = document.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list, got {type(value).__name__}")
        return [self.mapping(item, f"{key}[{i}]") for i, item in enumerate(value)]

    def text(self, data: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{where}.{key}", "is required")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(f"{where}.{key}", f"must be a string, got {type(value).__name__}")
        value = str(value)
        if not value.strip():
            raise self.fail(f"{where}.{key}", "must not be empty")
        return value

    def optional_text(self, data: dict[str, Any], key: str, where: str) -> str | None:
        return None if data.get(key) is None else self.text(data, key, where)

    def number(self, data: dict[str, Any], key: str, where: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{where}.{key}", f"must be a whole number >= 0, got {value!r}")
        return value

    def strings(
        self, data: dict[str, Any], key: str, where: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        value = data.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", "must be a list of strings")
        return tuple(value)

    def unique(self, entries: list[Any], kind: str) -> None:
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if entry.id in seen:
                raise self.fail(f"{kind}[{i}].id", f"duplicate id {entry.id!r}")
            seen.add(entry.id)

    # -- the document ----------------------------------------------------------------------
    def parse(self, document: Any) -> Seed:
        if document is None:
            raise self.fail("(top)", "the seed is empty; see docs/REFERENCE.md 'Seed file format'")
        document = self.mapping(document, "(top)")
        known = {"region", "domains", "projects", "roles", "users", "flavors", "servers"}
        unknown = sorted(set(document) - known)
        if unknown:
            raise self.fail(unknown[0], f"unknown key; expected one of {', '.join(sorted(known))}")
        region = self.optional_text(document, "region", "(top)")
        domains = [
            self.domain(d, f"domains[{i}]") for i, d in enumerate(self.items(document, "domains"))
        ]
        self.unique(domains, "domains")
        projects = [
            self.project(p, f"projects[{i}]", domains)
            for i, p in enumerate(self.items(document, "projects"))
        ]
        self.unique(projects, "projects")
        roles = [
            RoleSeed(
                self.text(r, "id", f"roles[{i}]", uuid.uuid4().hex),
                self.text(r, "name", f"roles[{i}]"),
            )
            for i, r in enumerate(self.items(document, "roles"))
        ]
        self.unique(roles, "roles")
        users = [
            self.user(u, f"users[{i}]", domains, projects, roles)
            for i, u in enumerate(self.items(document, "users"))
        ]
        self.unique(users, "users")
        flavors = [
            self.flavor(f, f"flavors[{i}]") for i, f in enumerate(self.items(document, "flavors"))
        ]
        self.unique(flavors, "flavors")
        self.base = Seed(
            region, tuple(domains), tuple(projects), tuple(roles), tuple(users), tuple(flavors), ()
        )
        servers = [
            self.server(s, f"servers[{i}]") for i, s in enumerate(self.items(document, "servers"))
        ]
        self.unique(servers, "servers")
        return self.base.with_servers(*servers)

    def domain(self, data: dict[str, Any], where: str) -> DomainSeed:
        return DomainSeed(
            self.text(data, "id", where, uuid.uuid4().hex), self.text(data, "name", where)
        )

    def project(self, data: dict[str, Any], where: str, domains: list[DomainSeed]) -> ProjectSeed:
        pid = self.text(data, "id", where, uuid.uuid4().hex)
        if not _HEX32.match(pid):
            raise self.fail(
                f"{where}.id", f"{pid!r} must be 32 lowercase hex digits like Keystone's ids"
            )
        ref = self.text(data, "domain", where)
        domain = next((d for d in domains if ref in (d.id, d.name)), None)
        if domain is None:
            raise self.fail(f"{where}.domain", f"no domain with id or name {ref!r} in 'domains'")
        return ProjectSeed(pid, self.text(data, "name", where), domain.id)

    def user(
        self,
        data: dict[str, Any],
        where: str,
        domains: list[DomainSeed],
        projects: list[ProjectSeed],
        roles: list[RoleSeed],
    ) -> UserSeed:
        ref = self.text(data, "domain", where)
        domain = next((d for d in domains if ref in (d.id, d.name)), None)
        if domain is None:
            raise self.fail(f"{where}.domain", f"no domain with id or name {ref!r} in 'domains'")
        assignments = []
        raw_roles = data.get("roles", [])
        if not isinstance(raw_roles, list):
            raise self.fail(f"{where}.roles", "must be a list of {project, role}")
        for j, item in enumerate(raw_roles):
            at = f"{where}.roles[{j}]"
            item = self.mapping(item, at)
            pref = self.text(item, "project", at)
            project = next((p for p in projects if pref in (p.id, p.name)), None)
            if project is None:
                raise self.fail(
                    f"{at}.project", f"no project with id or name {pref!r} in 'projects'"
                )
            rref = self.text(item, "role", at)
            role = next((r for r in roles if rref in (r.id, r.name)), None)
            if role is None:
                raise self.fail(f"{at}.role", f"no role with id or name {rref!r} in 'roles'")
            assignments.append(RoleAssignmentSeed(project.id, role.id))
        return UserSeed(
            self.text(data, "id", where, uuid.uuid4().hex),
            self.text(data, "name", where),
            domain.id,
            self.text(data, "password", where),
            tuple(assignments),
        )

    def flavor(self, data: dict[str, Any], where: str) -> FlavorSeed:
        return FlavorSeed(
            self.text(data, "id", where),
            self.text(data, "name", where),
            self.number(data, "vcpus", where, 1),
            self.number(data, "ram", where, 4096),
            self.number(data, "disk", where, 0),
        )

    def server(self, data: dict[str, Any], where: str) -> ServerSeed:
        assert self.base is not None
        sid = self.text(data, "id", where, str(uuid.uuid4()))
        try:
            uuid.UUID(sid)
        except ValueError:
            raise self.fail(
                f"{where}.id", f"{sid!r} is not a UUID (Nova server ids are UUIDs)"
            ) from None
        status = self.text(data, "status", where, "ACTIVE").upper()
        if status not in SERVER_STATUSES:
            raise self.fail(
                f"{where}.status", f"{status!r} is not one of {', '.join(SERVER_STATUSES)}"
            )
        pref = self.text(
            data, "project", where, self.base.projects[0].id if self.base.projects else None
        )
        project = self.base.project(pref)
        if project is None:
            raise self.fail(
                f"{where}.project", f"no project with id or name {pref!r} in 'projects'"
            )
        uref = self.text(data, "user", where, self.base.users[0].id if self.base.users else None)
        user = self.base.user(uref)
        if user is None:
            raise self.fail(f"{where}.user", f"no user with id or name {uref!r} in 'users'")
        flavor_id = self.text(
            data, "flavor", where, self.base.flavors[0].id if self.base.flavors else "11"
        )
        if self.base.flavors and not any(f.id == flavor_id for f in self.base.flavors):
            raise self.fail(f"{where}.flavor", f"no flavor with id {flavor_id!r} in 'flavors'")
        image = data.get("image", "")
        if not isinstance(image, str | dict):
            raise self.fail(f"{where}.image", 'must be an image id string, "" or a mapping')
        locked = data.get("locked", False)
        if not isinstance(locked, bool):
            raise self.fail(f"{where}.locked", f"must be true or false, got {locked!r}")
        timing = data.get("timing")
        if timing is not None:
            try:
                Timing.parse(timing)
            except ValueError as exc:
                raise self.fail(f"{where}.timing", str(exc)) from None
        addresses = data.get("addresses", {})
        self.mapping(addresses, f"{where}.addresses")
        metadata = self.mapping(data.get("metadata", {}) or {}, f"{where}.metadata")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise self.fail(f"{where}.metadata", "keys and values must be strings (Nova metadata)")
        known = {
            "id", "name", "project", "user", "status", "flavor", "image", "locked", "timing",
            "availability_zone", "host", "host_id", "instance_name", "created", "launched_at",
            "key_name", "security_groups", "volumes_attached", "addresses", "metadata",
        }  # fmt: skip
        unknown = sorted(set(data) - known)
        if unknown:
            raise self.fail(
                f"{where}.{unknown[0]}", f"unknown key; expected one of {', '.join(sorted(known))}"
            )
        return ServerSeed(
            id=sid,
            name=self.text(data, "name", where),
            project_id=project.id,
            user_id=user.id,
            status=status,
            flavor_id=flavor_id,
            image=image,
            locked=locked,
            timing=timing,
            availability_zone=self.optional_text(data, "availability_zone", where) or "",
            host=self.optional_text(data, "host", where) or "",
            host_id=str(data.get("host_id") or uuid.uuid5(uuid.NAMESPACE_OID, sid).hex * 2)[:56],
            instance_name=str(
                data.get("instance_name") or f"instance-{uuid.UUID(sid).int % 0xFFFFFF:08x}"
            ),
            created=self.text(data, "created", where, "2016-04-26T07:22:52Z"),
            launched_at=self.optional_text(data, "launched_at", where)
            if "launched_at" in data
            else "2016-04-26T07:45:30.000000",
            key_name=self.optional_text(data, "key_name", where),
            security_groups=self.strings(data, "security_groups", where, ("default",)),
            volumes_attached=self.strings(data, "volumes_attached", where, ()),
            addresses=addresses,
            metadata=dict(metadata),
        )
