"""Identity state: users, projects and tokens from the seed, under one lock, timed by the clock.

Every other service calls ``authenticate(token_id)`` — the job keystonemiddleware does in front
of Nova. Token values are opaque strings of 256 bits of the OS's CSPRNG, URL-safe base64 as
``secrets.token_urlsafe(32)`` makes them (``token_values``), and are never logged or put in
``snapshot()``.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from emulator.clock import Clock, isoformat_keystone
from emulator.config import EmulatorConfig
from emulator.identity.auth_request import AuthRequest, Ref
from emulator.identity.catalog import Catalog
from emulator.identity.errors import AccountLocked, TokenNotFound, Unauthorized
from emulator.identity.lockout import LockoutTracker
from emulator.identity.token_values import new_token_and_audit_id, new_token_value
from emulator.seed import DomainSeed, ProjectSeed, RoleSeed, UserSeed

_MIN_PRUNE_AT = 1024


@dataclass(frozen=True)
class TokenInfo:
    """What a token stands for; the contract with every other service (docs/ARCHITECTURE.md)."""

    id: str = field(repr=False)  # the opaque token value: kept out of repr() and so of logs
    user_id: str
    user_name: str
    user_domain_id: str
    project_id: str | None  # None for an unscoped token
    project_name: str | None
    roles: tuple[str, ...]  # role names on the project, e.g. ("cpf_systemowner",)
    methods: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime
    audit_id: str


@dataclass(frozen=True)
class _TokenRecord:
    info: TokenInfo
    audit_ids: tuple[str, ...]  # own audit id first, then the parent's on a re-scope


class IdentityBackend:
    """The seed's domains, projects, roles and users, plus the tokens issued so far."""

    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._lock = threading.RLock()
        seed = config.seed
        self._domains: dict[str, DomainSeed] = {d.id: d for d in seed.domains}
        self._projects: dict[str, ProjectSeed] = {p.id: p for p in seed.projects}
        self._roles: dict[str, RoleSeed] = {r.id: r for r in seed.roles}
        self._roles_by_name: dict[str, RoleSeed] = {r.name: r for r in self._roles.values()}
        self._users: dict[str, UserSeed] = {u.id: u for u in seed.users}
        # Name indexes for password auth and project scope by name (every token POST): the
        # seed is immutable for the backend's life (reset() builds a new backend). setdefault
        # keeps the first entry, as the linear scans these replace did.
        self._domain_by_name: dict[str, DomainSeed] = {}
        for domain in seed.domains:
            self._domain_by_name.setdefault(domain.name, domain)
        self._user_by_name: dict[tuple[str, str], UserSeed] = {}
        for user in seed.users:
            self._user_by_name.setdefault((user.domain_id, user.name), user)
        self._project_by_name: dict[tuple[str, str], ProjectSeed] = {}
        for project in seed.projects:
            self._project_by_name.setdefault((project.domain_id, project.name), project)
        self._tokens: dict[str, _TokenRecord] = {}
        self._prune_at = _MIN_PRUNE_AT
        self._lockout = LockoutTracker(config.lockout)
        self.catalog = Catalog(config)  # what every project-scoped token lists

    # -- for other services ------------------------------------------------------------------
    def authenticate(self, token_id: str | None) -> TokenInfo:
        """The token behind ``X-Auth-Token``; ``Unauthorized`` if missing, unknown or expired."""
        with self._lock:  # an expired token is dropped on the way
            live = self._live(token_id)
            if live is None:
                raise Unauthorized()
            return live.info

    # -- POST /v3/auth/tokens ----------------------------------------------------------------
    def issue(self, request: AuthRequest) -> TokenInfo:
        """Authenticate the request's methods and issue a token for its scope."""
        # Drawn before the lock: a block read of os.urandom releases the GIL, and a thread that
        # does so while holding the lock makes every other token request queue behind its wait
        # to get the GIL back.
        fresh_id, audit_id = new_token_and_audit_id()
        with self._lock:
            now = self.clock.now()
            parent: _TokenRecord | None = None
            if request.token_id is not None:
                parent = self._live(request.token_id)
                if parent is None:
                    # keystone/auth/plugins/token.py validates the token: TokenNotFound, 404.
                    raise TokenNotFound(request.token_id)
            user: UserSeed | None = None
            if request.user is not None:
                user = self._check_password(request.user, request.password or "")
            if user is None:
                assert parent is not None  # parse_auth_request guarantees one method
                user = self._users[parent.info.user_id]
            elif parent is not None and parent.info.user_id != user.id:
                raise Unauthorized()  # token and password of different users
            methods = request.methods
            expires_at = now + timedelta(seconds=self.config.token_lifetime_seconds)
            parent_audit: tuple[str, ...] = ()
            if parent is not None:
                # keystone/auth/plugins/token.py: a re-scoped token keeps its parent's expiry
                # and methods, and carries the chain's first audit id as its second one.
                expires_at = parent.info.expires_at
                methods = tuple(dict.fromkeys(methods + parent.info.methods))
                parent_audit = parent.audit_ids[-1:]
            project, roles = self._scope(user, request.project)
            token_id = self._unused_token_id(fresh_id)
            info = TokenInfo(
                id=token_id,
                user_id=user.id,
                user_name=user.name,
                user_domain_id=user.domain_id,
                project_id=project.id if project else None,
                project_name=project.name if project else None,
                roles=roles,
                methods=methods,
                issued_at=now,
                expires_at=expires_at,
                audit_id=audit_id,
            )
            if len(self._tokens) >= self._prune_at:
                # Amortised: a full sweep only when the table has doubled since the last one.
                self._prune_expired()
                self._prune_at = max(_MIN_PRUNE_AT, 2 * len(self._tokens))
            self._tokens[token_id] = _TokenRecord(info, (audit_id, *parent_audit))
            return info

    # -- GET / HEAD / DELETE /v3/auth/tokens -------------------------------------------------
    def validate(self, subject_token: str | None) -> TokenInfo:
        """The subject token of a validation; ``TokenNotFound`` (404) if not live."""
        with self._lock:
            record = self._live(subject_token)
            if record is None:
                raise TokenNotFound(subject_token)
            return record.info

    def revoke(self, subject_token: str | None) -> None:
        """Revoke the subject token; ``TokenNotFound`` if it is not live."""
        with self._lock:
            if self._live(subject_token) is None:
                raise TokenNotFound(subject_token)
            assert subject_token is not None
            del self._tokens[subject_token]

    def describe(self, info: TokenInfo) -> dict[str, Any]:
        """The token body without the catalog (``routes`` adds it: it depends on the request)."""
        with self._lock:
            record = self._tokens.get(info.id)
            audit_ids = list(record.audit_ids) if record else [info.audit_id]
        # The rest reads the seed (domains, projects, roles), never changed after __init__.
        user_domain = self._domains[info.user_domain_id]
        body: dict[str, Any] = {
            "methods": list(info.methods),
            "user": {
                "domain": {"id": user_domain.id, "name": user_domain.name},
                "id": info.user_id,
                "name": info.user_name,
                "password_expires_at": None,
            },
            "audit_ids": audit_ids,
            "expires_at": isoformat_keystone(info.expires_at),
            "issued_at": isoformat_keystone(info.issued_at),
        }
        if info.project_id is not None:
            project = self._projects[info.project_id]
            domain = self._domains[project.domain_id]
            body["project"] = {
                "domain": {"id": domain.id, "name": domain.name},
                "id": project.id,
                "name": project.name,
            }
            body["is_domain"] = False
            by_name = self._roles_by_name
            body["roles"] = [{"id": by_name[n].id, "name": n} for n in info.roles]
        return body

    def snapshot(self) -> dict[str, Any]:
        """Domains, projects, users (no passwords), the live token count and lockouts."""
        with self._lock:
            self._prune_expired()
            now = self.clock.time()
            lockouts = self._lockout.snapshot(now)
            for row in lockouts:
                until = row["locked_until"]
                row["locked_until"] = None if until is None else _iso(until)
            return {
                "domains": [{"id": d.id, "name": d.name} for d in self._domains.values()],
                "projects": [
                    {"id": p.id, "name": p.name, "domain_id": p.domain_id}
                    for p in self._projects.values()
                ],
                "users": [
                    {
                        "id": u.id,
                        "name": u.name,
                        "domain_id": u.domain_id,
                        "roles": [
                            {"project_id": a.project_id, "role": self._roles[a.role_id].name}
                            for a in u.roles
                        ],
                    }
                    for u in self._users.values()
                ],
                "active_tokens": len(self._tokens),
                "token_lifetime_seconds": self.config.token_lifetime_seconds,
                "lockout_policy": {
                    "enabled": self.config.lockout.enabled,
                    "attempts": self.config.lockout.attempts,
                    "window_seconds": self.config.lockout.window_seconds,
                    "duration_seconds": self.config.lockout.duration_seconds,
                },
                "lockouts": lockouts,
            }

    # -- helpers (call with the lock held) -----------------------------------------------------
    def _live(self, token_id: str | None) -> _TokenRecord | None:
        if not token_id or "\r" in token_id or "\n" in token_id:
            return None
        record = self._tokens.get(token_id)
        if record is None:
            return None
        if self.clock.now() >= record.info.expires_at:
            del self._tokens[token_id]
            return None
        return record

    def _prune_expired(self) -> None:
        now = self.clock.now()
        for token_id in [t for t, r in self._tokens.items() if now >= r.info.expires_at]:
            del self._tokens[token_id]

    def _unused_token_id(self, token_id: str) -> str:
        while token_id in self._tokens:  # 256 random bits: a repeat is never expected
            token_id = new_token_value()
        return token_id

    def _find_domain(self, domain_id: str | None, domain_name: str | None) -> DomainSeed | None:
        if domain_id is not None:
            return self._domains.get(domain_id)
        return self._domain_by_name.get(domain_name) if domain_name is not None else None

    def _find_user(self, ref: Ref) -> UserSeed | None:
        if ref.id is not None:
            return self._users.get(ref.id)
        domain = self._find_domain(ref.domain_id, ref.domain_name)
        if domain is None:
            return None
        return self._user_by_name.get((domain.id, ref.name)) if ref.name is not None else None

    def _find_project(self, ref: Ref) -> ProjectSeed | None:
        if ref.id is not None:
            return self._projects.get(ref.id)
        domain = self._find_domain(ref.domain_id, ref.domain_name)
        if domain is None:
            return None
        return self._project_by_name.get((domain.id, ref.name)) if ref.name is not None else None

    def _check_password(self, ref: Ref, password: str) -> UserSeed:
        user = self._find_user(ref)
        if user is None:
            raise Unauthorized()  # keystone does not say whether the user or the password is wrong
        now = self.clock.time()
        policy = self.config.lockout
        locked_until = self._lockout.locked_until(user.id, now)
        if locked_until is not None:
            # Checked before the password, and not counted: tries during a lock neither
            # extend it nor reveal whether the password was right.
            raise AccountLocked(
                user.id, _iso(locked_until), policy.attempts, policy.window_seconds / 60
            )
        # surrogatepass: a JSON "\ud800" in the password is wrong, not a 500 (tests/reliability F1).
        given = password.encode("utf-8", "surrogatepass")
        if not hmac.compare_digest(given, user.password.encode("utf-8", "surrogatepass")):
            locked_until = self._lockout.record_failure(user.id, now)
            if locked_until is not None:
                raise AccountLocked(
                    user.id, _iso(locked_until), policy.attempts, policy.window_seconds / 60
                )
            raise Unauthorized()
        self._lockout.record_success(user.id)
        return user

    def _scope(self, user: UserSeed, ref: Ref | None) -> tuple[ProjectSeed | None, tuple[str, ...]]:
        if ref is None:
            return None, ()
        project = self._find_project(ref)
        if project is None:
            raise Unauthorized()  # keystone/auth/core.py: ProjectNotFound becomes 401
        roles = tuple(self._roles[a.role_id].name for a in user.roles if a.project_id == project.id)
        if not roles:
            # keystone/token/provider.py: "User ... has no access to project ..." → 401
            raise Unauthorized()
        return project, roles


def _iso(epoch_seconds: float) -> str:
    return isoformat_keystone(datetime.fromtimestamp(epoch_seconds, tz=timezone.utc))
