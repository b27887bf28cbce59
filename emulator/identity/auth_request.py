"""Parse and validate the body of ``POST /v3/auth/tokens`` into an ``AuthRequest``.

Rules and messages follow keystone/auth/schema.py (JSON schema: ``auth`` → ``identity`` →
``methods``) and keystone/auth/core.py ``AuthInfo`` (a listed method must have its section in
``identity``; a user by name needs a domain; a project by name needs a domain).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.identity.errors import DomainScopeRefused, Unauthorized, ValidationError


@dataclass(frozen=True)
class Ref:
    """An entity named by id, or by name within a domain (itself by id or name)."""

    id: str | None = None
    name: str | None = None
    domain_id: str | None = None
    domain_name: str | None = None


@dataclass(frozen=True)
class AuthRequest:
    """What the client asked for: how it proves who it is and which project it wants."""

    methods: tuple[str, ...]
    user: Ref | None  # password method
    password: str | None
    token_id: str | None  # token method (re-scope)
    project: Ref | None  # None: unscoped


SUPPORTED_METHODS = ("password", "token")


def parse_auth_request(body: Any) -> AuthRequest:
    """Validate ``body`` (already JSON-decoded) or raise a Keystone 400/401."""
    auth = _section(body, "auth", "auth", required_in="request body")
    identity = _section(auth, "identity", "auth/identity", required_in="auth")
    methods = identity.get("methods")
    if methods is None:
        raise ValidationError.schema("auth/identity", "'methods' is a required property")
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        raise ValidationError.schema("auth/identity/methods", f"{methods!r} is not of type 'array'")
    if not methods:
        raise ValidationError.schema("auth/identity/methods", "[] is too short")
    for method in methods:
        if method not in identity:
            raise ValidationError.expecting(method, "identity")
        if method not in SUPPORTED_METHODS:
            # keystone/auth/core.py: an unknown plugin is an authentication failure.
            raise Unauthorized("Attempted to authenticate with an unsupported method.")
    user = password = token_id = None
    if "password" in methods:
        user, password = _password(identity["password"])
    if "token" in methods:
        token_id = _token(identity["token"])
    project = _scope(auth.get("scope"))
    return AuthRequest(tuple(dict.fromkeys(methods)), user, password, token_id, project)


def _section(parent: Any, key: str, field: str, required_in: str) -> dict[str, Any]:
    if not isinstance(parent, dict):
        raise ValidationError.expecting(key, required_in)
    value = parent.get(key)
    if value is None:
        raise ValidationError.schema(
            field.rsplit("/", 1)[0] or field, f"'{key}' is a required property"
        )
    if not isinstance(value, dict):
        raise ValidationError.schema(field, f"{_short(value)} is not of type 'object'")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _string(data: dict[str, Any], key: str, field: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError.schema(f"{field}/{key}", f"{_short(value)} is not of type 'string'")
    return value


def _password(section: Any) -> tuple[Ref, str]:
    if not isinstance(section, dict):
        raise ValidationError.schema("auth/identity/password", "is not of type 'object'")
    user = section.get("user")
    if not isinstance(user, dict):
        raise ValidationError.expecting("user", "password")
    field = "auth/identity/password/user"
    ref = _ref(user, field, kind="user")
    password = user.get("password")
    if password is None:
        raise ValidationError.expecting("password", "user")
    if not isinstance(password, str):
        # Never echo the value: it is a secret.
        raise ValidationError.schema(f"{field}/password", "is not of type 'string'")
    return ref, password


def _ref(data: dict[str, Any], field: str, kind: str) -> Ref:
    ref_id = _string(data, "id", field)
    name = _string(data, "name", field)
    if not ref_id and not name:
        raise ValidationError.expecting("id or name", kind)
    if ref_id:
        return Ref(id=ref_id)
    domain = data.get("domain")
    if not isinstance(domain, dict):
        # keystone/auth/core.py _lookup_user / _lookup_project: a name needs its domain.
        raise ValidationError.expecting("domain", kind)
    domain_id = _string(domain, "id", f"{field}/domain")
    domain_name = _string(domain, "name", f"{field}/domain")
    if not domain_id and not domain_name:
        raise ValidationError.expecting("id or name", "domain")
    return Ref(
        name=name, domain_id=domain_id or None, domain_name=None if domain_id else domain_name
    )


def _token(section: Any) -> str:
    if not isinstance(section, dict):
        raise ValidationError.schema("auth/identity/token", "is not of type 'object'")
    token_id = section.get("id")
    if token_id is None:
        raise ValidationError.schema("auth/identity/token", "'id' is a required property")
    if not isinstance(token_id, str):
        raise ValidationError.schema("auth/identity/token/id", "is not of type 'string'")
    return token_id


def _scope(scope: Any) -> Ref | None:
    if scope is None or scope == {}:
        return None
    if isinstance(scope, str) and scope == "unscoped":
        return None  # keystone/auth/schema.py accepts "scope": "unscoped" explicitly
    if not isinstance(scope, dict):
        raise ValidationError.schema("auth/scope", f"{_short(scope)} is not of type 'object'")
    if "domain" in scope:
        raise DomainScopeRefused()
    if "system" in scope or "OS-TRUST:trust" in scope:
        # Neither system nor trust scope exists on FJcloud-O's public identity service.
        raise ValidationError.schema("auth/scope", "only a project scope is supported")
    project = scope.get("project")
    if project is None:
        raise ValidationError.schema("auth/scope", "'project' is a required property")
    if not isinstance(project, dict):
        raise ValidationError.schema("auth/scope/project", "is not of type 'object'")
    return _ref(project, "auth/scope/project", kind="project")
