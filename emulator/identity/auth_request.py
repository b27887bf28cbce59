"""Parse and validate the body of ``POST /v3/auth/tokens`` into an ``AuthRequest``.

Rules and messages follow keystone/auth/schema.py (JSON schema: ``auth`` → ``identity`` →
``methods``) and keystone/auth/core.py ``AuthInfo`` (a listed method must have its section in
``identity``; a user by name needs a domain; a project by name needs a domain).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.identity.errors import (
    AuthMethodNotSupported,
    DomainScopeRefused,
    Unauthorized,
    ValidationError,
)


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
    """Validate ``body`` (already JSON-decoded, None when empty) or raise a Keystone 400/401."""
    # keystone/api/auth.py: auth_data = request_body_json.get('auth') or {}
    auth = body.get("auth") if isinstance(body, dict) else None
    if not auth:
        raise ValidationError("'identity' is a required property")
    if not isinstance(auth, dict):
        raise ValidationError(f"{_short(auth)} is not of type 'object'")
    identity = auth.get("identity")
    if identity is None:
        raise ValidationError("'identity' is a required property")
    if not isinstance(identity, dict):
        raise ValidationError.schema("identity", f"{_short(identity)} is not of type 'object'")
    methods = identity.get("methods")
    if methods is None:
        raise ValidationError.schema("identity", "'methods' is a required property")
    if not isinstance(methods, list):
        raise ValidationError.schema(
            "identity/methods", f"{_short(methods)} is not of type 'array'"
        )
    for index, method in enumerate(methods):
        if not isinstance(method, str):
            raise ValidationError.schema(
                f"identity/methods/{index}", f"{_short(method)} is not of type 'string'"
            )
    if not methods:
        # keystone/api/_shared/authentication.py: no method ran, so no user: 401.
        raise Unauthorized()
    for method in methods:
        if method not in identity:
            raise ValidationError.expecting(method, "identity")
        if method not in SUPPORTED_METHODS:
            # keystone/auth/core.py: an unknown plugin is an authentication failure.
            raise AuthMethodNotSupported(SUPPORTED_METHODS)
    user = password = token_id = None
    if "password" in methods:
        user, password = _password(identity["password"])
    if "token" in methods:
        token_id = _token(identity["token"])
    project = _scope(auth)
    return AuthRequest(tuple(dict.fromkeys(methods)), user, password, token_id, project)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError.schema(field, f"{_short(value)} is not of type 'object'")
    return value


def _string(data: dict[str, Any], key: str, field: str, secret: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        shown = "the value" if secret else _short(value)  # never echo a password
        raise ValidationError.schema(f"{field}/{key}", f"{shown} is not of type 'string'")
    return value


def _password(section: Any) -> tuple[Ref, str]:
    section = _object(section, "identity/password")
    if "user" not in section:
        raise ValidationError.expecting("user", "password")
    user = _object(section["user"], "identity/password/user")
    ref = _ref(user, "identity/password/user", kind="user")
    password = _string(user, "password", "identity/password/user", secret=True)
    if password is None:
        # keystone/auth/plugins/core.py UserAuthInfo
        raise ValidationError.expecting("password", "user")
    return ref, password


def _ref(data: dict[str, Any], field: str, kind: str) -> Ref:
    ref_id = _string(data, "id", field)
    name = _string(data, "name", field)
    domain = None if data.get("domain") is None else _object(data["domain"], f"{field}/domain")
    if ref_id is None and name is None:
        # keystone/auth/schema.py validate_issue_token_auth
        raise ValidationError(f"Invalid input for field {field}: id or name must be present.")
    domain_id = domain_name = None
    if domain is not None:
        domain_id = _string(domain, "id", f"{field}/domain")
        domain_name = _string(domain, "name", f"{field}/domain")
        if domain_id is None and domain_name is None:
            raise ValidationError(
                f"Invalid input for field {field}/domain: id or name must be present."
            )
    if ref_id is not None:
        return Ref(id=ref_id)
    if domain is None:
        # keystone/auth/core.py _lookup_user / _lookup_project: a name needs its domain.
        raise ValidationError.expecting("domain", kind)
    return Ref(name=name, domain_id=domain_id, domain_name=None if domain_id else domain_name)


def _token(section: Any) -> str:
    section = _object(section, "identity/token")
    if section.get("id") is None:
        raise ValidationError.schema("identity/token", "'id' is a required property")
    token_id = _string(section, "id", "identity/token", secret=True)
    assert token_id is not None
    return token_id


_SCOPES = ("system", "project", "domain", "OS-TRUST:trust", "unscoped")


def _scope(auth: dict[str, Any]) -> Ref | None:
    if "scope" not in auth:
        return None
    scope = auth["scope"]
    if scope == "unscoped":
        return None  # keystone/auth/schema.py: explicit "scope": "unscoped"
    if not isinstance(scope, dict):
        raise ValidationError.expecting(_SCOPE_CHOICES, "scope")
    if "domain" in scope:
        raise DomainScopeRefused()
    present = [key for key in _SCOPES if key in scope]
    if len(present) != 1:
        # keystone/auth/core.py AuthInfo._validate_and_normalize_scope_data
        raise ValidationError.expecting(_SCOPE_CHOICES, "scope")
    if present[0] == "unscoped":
        return None  # old keystoneauth form {"unscoped": {}}
    if present[0] != "project":
        # Neither system nor trust scope exists on FJcloud-O's public identity service.
        raise ValidationError(
            f"a {present[0]} scope is not supported on FJcloud-O; scope the token to a project."
        )
    project = _object(scope["project"], "scope/project")
    return _ref(project, "scope/project", kind="project")


_SCOPE_CHOICES = "system, project, domain, OS-TRUST:trust or unscoped"
