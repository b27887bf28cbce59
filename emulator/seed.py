"""Seed documents: the domains, users, projects and servers an emulator starts with.

A seed is YAML or JSON (YAML is a superset, so one loader reads both). References between
entries may use an id or a name (``project: demo-project``); they are resolved to ids here so
the backends only ever see ids. Every problem is reported as ``SeedError`` naming the file, the
field and what to do, e.g. ``seed.yaml: servers[0].status: 'RUNNING' is not one of ACTIVE,
SHUTOFF, ERROR``.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from emulator.seedfields import FieldReader, SeedError
from emulator.timing import Timing

__all__ = [
    "SERVER_STATUSES",
    "DomainSeed",
    "FlavorSeed",
    "ProjectSeed",
    "RoleAssignmentSeed",
    "RoleSeed",
    "Seed",
    "SeedError",
    "ServerSeed",
    "UserSeed",
    "load_default_seed",
    "load_seed",
    "parse_seed",
    "server_seed_from_dict",
]

SERVER_STATUSES = ("ACTIVE", "SHUTOFF", "ERROR")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")


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

    def with_servers(self, *servers: ServerSeed) -> Seed:
        """A copy with more servers (fixtures seed extra servers per test this way)."""
        return dataclasses.replace(self, servers=self.servers + servers)


def _default(cls: type[Any], name: str) -> Any:
    """The default of field ``name`` of dataclass ``cls``: the one place each default is written."""
    for item in dataclasses.fields(cls):
        if item.name == name:
            if item.default is not dataclasses.MISSING:
                return item.default
            if item.default_factory is not dataclasses.MISSING:
                return item.default_factory()
    raise KeyError(f"{cls.__name__}.{name} has no default")


# A server's keys in the seed document: its field names, with references named by what they
# point to (``project: demo-project`` sets ``project_id``).
_SERVER_KEY_OF_FIELD = {"project_id": "project", "user_id": "user", "flavor_id": "flavor"}
_SERVER_KEYS = frozenset(
    _SERVER_KEY_OF_FIELD.get(item.name, item.name) for item in dataclasses.fields(ServerSeed)
)
_SEED_KEYS = frozenset(item.name for item in dataclasses.fields(Seed))


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


class _SeedParser(FieldReader):
    def __init__(self, source: str, base: Seed | None = None) -> None:
        super().__init__(source)
        self.base = base

    # -- the document ----------------------------------------------------------------------
    def parse(self, document: Any) -> Seed:
        if document is None:
            raise self.fail("(top)", "the seed is empty; see docs/REFERENCE.md 'Seed file format'")
        document = self.mapping(document, "(top)")
        unknown = sorted(set(document) - _SEED_KEYS)
        if unknown:
            expected = ", ".join(sorted(_SEED_KEYS))
            raise self.fail(unknown[0], f"unknown key; expected one of {expected}")
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
        domain = self.lookup(domains, self.text(data, "domain", where), f"{where}.domain", "domain")
        return ProjectSeed(pid, self.text(data, "name", where), domain.id)

    def user(
        self,
        data: dict[str, Any],
        where: str,
        domains: list[DomainSeed],
        projects: list[ProjectSeed],
        roles: list[RoleSeed],
    ) -> UserSeed:
        domain = self.lookup(domains, self.text(data, "domain", where), f"{where}.domain", "domain")
        assignments = []
        raw_roles = data.get("roles", [])
        if not isinstance(raw_roles, list):
            raise self.fail(f"{where}.roles", "must be a list of {project, role}")
        for j, item in enumerate(raw_roles):
            at = f"{where}.roles[{j}]"
            item = self.mapping(item, at)
            project = self.lookup(
                projects, self.text(item, "project", at), f"{at}.project", "project"
            )
            role = self.lookup(roles, self.text(item, "role", at), f"{at}.role", "role")
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
            *(
                self.number(data, key, where, _default(FlavorSeed, key))
                for key in ("vcpus", "ram", "disk")
            ),
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
        status = self.text(data, "status", where, _default(ServerSeed, "status")).upper()
        if status not in SERVER_STATUSES:
            raise self.fail(
                f"{where}.status", f"{status!r} is not one of {', '.join(SERVER_STATUSES)}"
            )
        base = self.base
        first_project = base.projects[0].id if base.projects else None
        pref = self.text(data, "project", where, first_project)
        project = self.lookup(base.projects, pref, f"{where}.project", "project")
        uref = self.text(data, "user", where, base.users[0].id if base.users else None)
        user = self.lookup(base.users, uref, f"{where}.user", "user")
        default_flavor = base.flavors[0].id if base.flavors else _default(ServerSeed, "flavor_id")
        flavor_id = self.text(data, "flavor", where, default_flavor)
        if self.base.flavors and not any(f.id == flavor_id for f in self.base.flavors):
            raise self.fail(f"{where}.flavor", f"no flavor with id {flavor_id!r} in 'flavors'")
        image = data.get("image", _default(ServerSeed, "image"))
        if not isinstance(image, str | dict):
            raise self.fail(f"{where}.image", 'must be an image id string, "" or a mapping')
        locked = data.get("locked", _default(ServerSeed, "locked"))
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
        unknown = sorted(set(data) - _SERVER_KEYS)
        if unknown:
            expected = ", ".join(sorted(_SERVER_KEYS))
            raise self.fail(f"{where}.{unknown[0]}", f"unknown key; expected one of {expected}")
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
            created=self.text(data, "created", where, _default(ServerSeed, "created")),
            launched_at=self.optional_text(data, "launched_at", where)
            if "launched_at" in data
            else _default(ServerSeed, "launched_at"),
            key_name=self.optional_text(data, "key_name", where),
            **{
                key: self.strings(data, key, where, _default(ServerSeed, key))
                for key in ("security_groups", "volumes_attached")
            },
            addresses=addresses,
            metadata=dict(metadata),
        )
