"""Step 2 — トークンの取得: a project-scoped Keystone v3 token with the password method."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import requests

from runbook.client import ApiClient
from runbook.errors import ApiError, DomainScopeRefused, VariableError
from runbook.secrets import SecretRegistry
from runbook.sources import WHERE_FROM, Sources
from runbook.variables import check_project_id, check_url, clean_token

# The seed document, step 2.
DOMAIN_SCOPE_RULE = "認証トークンのスコープにドメインは指定できません"
# FJcloud-O: 5 wrong passwords within 15 minutes lock the user for 15 minutes
# (D/jp/api-reference/v2/mg/concept_mg/V1_man_man_posttoken_0401010502.html). Keystone says
# "The account is locked for user: …" (keystone/exception.py AccountLocked) when it knows.
BAD_CREDENTIALS_HINT = (
    "check OS_USERNAME, OS_USER_DOMAIN_NAME (the contract number) and OS_PASSWORD before trying "
    "again: FJcloud-O locks the user for 15 minutes after 5 wrong passwords within 15 minutes, "
    "and a locked user may get this same answer — if it may be locked, wait 15 minutes"
)
_RETRY_AT = re.compile(r"retry after (\S+?)\.?$")


def unauthorized_hint(fault: str | None) -> str:
    """The hint for a 401 to the password: the lockout's own when the answer says locked."""
    if fault and "locked" in fault.lower():
        match = _RETRY_AT.search(fault)
        until = f"until {match.group(1)} (the time in the answer)" if match else "15 minutes"
        return (
            f"the user is locked: wait {until}, then run again. Do not try other passwords "
            "meanwhile: every attempt while locked fails the same way"
        )
    return BAD_CREDENTIALS_HINT


@dataclass(frozen=True)
class PasswordAuth:
    """Who asks for the token and for which project (FJcloud-O: user domain = contract number)."""

    auth_url: str
    password: str = field(repr=False)
    username: str | None = None
    user_id: str | None = None
    user_domain_name: str | None = None
    user_domain_id: str | None = None
    project_id: str | None = None
    project_name: str | None = None
    project_domain_name: str | None = None
    project_domain_id: str | None = None

    @property
    def tokens_url(self) -> str:
        """``{auth_url}/auth/tokens``."""
        return f"{self.auth_url}/auth/tokens"

    def user_label(self) -> str:
        """``demo-user@demo0001`` (or the user id)."""
        if self.user_id:
            return self.user_id
        return f"{self.username}@{self.user_domain_name or self.user_domain_id}"

    def project_label(self) -> str:
        """The project id, or ``name@domain``."""
        return (
            self.project_id
            or f"{self.project_name}@{self.project_domain_name or self.project_domain_id}"
        )

    def body(self) -> dict[str, Any]:
        """The request body (the client masks the password in everything it records)."""
        user: dict[str, Any]
        if self.user_id:
            user = {"id": self.user_id}
        else:
            user = {
                "name": self.username,
                "domain": _ref(self.user_domain_id, self.user_domain_name),
            }
        user["password"] = self.password
        project: dict[str, Any]
        if self.project_id:
            project = {"id": self.project_id}
        else:
            project = {
                "name": self.project_name,
                "domain": _ref(self.project_domain_id, self.project_domain_name),
            }
        return {
            "auth": {
                "identity": {"methods": ["password"], "password": {"user": user}},
                "scope": {"project": project},
            }
        }


def _ref(ref_id: str | None, name: str | None) -> dict[str, str]:
    return {"id": ref_id} if ref_id else {"name": name or ""}


@dataclass
class TokenGrant:
    """A token and what Keystone said about it."""

    token: str = field(repr=False)
    expires_at: str | None
    project_id: str | None
    project_name: str | None
    user_name: str | None
    catalog: list[dict[str, Any]]
    roles: tuple[str, ...] = ()  # role names on the project, from the token body


def check_domain_scope(sources: Sources) -> None:
    """Refuse a domain scope: ``OS_DOMAIN_*`` without a project (with one, it names a domain)."""
    if sources.get("PROJECT_ID") or sources.get("project_name"):
        return
    if sources.get("domain_id") or sources.get("domain_name"):
        origin = sources.origin("domain_id" if sources.get("domain_id") else "domain_name")
        raise DomainScopeRefused(
            f"{DOMAIN_SCOPE_RULE} — the token's scope may not be a domain, but {origin} without a "
            "project asks for one; nothing was sent",
            hint="scope the token to the server's project with OS_PROJECT_ID (or OS_PROJECT_NAME "
            "+ OS_PROJECT_DOMAIN_NAME); with a project, OS_DOMAIN_NAME is read as the user's domain",
        )


def password_auth(sources: Sources) -> PasswordAuth:
    """Build the request from the sources; refuse a domain scope before anything is sent."""
    project_id = sources.get("PROJECT_ID")
    project_name = sources.get("project_name")
    check_domain_scope(sources)
    if not project_id and not project_name:
        raise VariableError(
            "PROJECT_ID",
            f"missing: the token must be scoped to the server's project ({DOMAIN_SCOPE_RULE})",
            sources=WHERE_FROM["PROJECT_ID"] + ", or OS_PROJECT_NAME",
        )
    auth_url = sources.get("auth_url")
    if not auth_url:
        raise VariableError(
            "OS_AUTH_URL",
            "missing: the identity endpoint, e.g. https://identity.jp-east-1.cloud.global.fujitsu.com/v3",
            sources=WHERE_FROM["auth_url"],
        )
    auth_url = check_url("OS_AUTH_URL", auth_url, sources.origin("auth_url"))
    if not auth_url.endswith("/v3"):
        auth_url += "/v3"
    password = sources.get("password")
    if not password:
        raise VariableError("OS_PASSWORD", "missing", sources=WHERE_FROM["password"])
    if not sources.get("user_id") and not sources.get("username"):
        raise VariableError("OS_USERNAME", "missing", sources=WHERE_FROM["username"])
    # With a project, OS_DOMAIN_NAME / OS_DOMAIN_ID is the default of the user's and the project's
    # domain, as openstacksdk reads it (openstack/config/loader.py _handle_domain_id) and as
    # gophercloud users export it for the user's domain; only without a project is it a scope.
    user_domain_name = sources.get("user_domain_name") or sources.get("domain_name")
    user_domain_id = sources.get("user_domain_id") or sources.get("domain_id")
    if not sources.get("user_id") and not (user_domain_name or user_domain_id):
        raise VariableError(
            "OS_USER_DOMAIN_NAME",
            "missing: on FJcloud-O it is the contract number",
            sources=WHERE_FROM["user_domain_name"],
        )
    project_domain_name = sources.get("project_domain_name")
    project_domain_id = sources.get("project_domain_id")
    if not (project_domain_name or project_domain_id):
        project_domain_name, project_domain_id = (
            sources.get("domain_name"),
            sources.get("domain_id"),
        )
    if not (project_domain_name or project_domain_id):
        # FJcloud-O projects live in the contract's domain, which is the user's domain.
        project_domain_name, project_domain_id = user_domain_name, user_domain_id
    return PasswordAuth(
        auth_url=auth_url,
        password=password,
        username=sources.get("username"),
        user_id=sources.get("user_id"),
        user_domain_name=user_domain_name,
        user_domain_id=user_domain_id,
        project_id=check_project_id(project_id, sources.origin("PROJECT_ID"))
        if project_id
        else None,
        project_name=project_name,
        project_domain_name=project_domain_name,
        project_domain_id=project_domain_id,
    )


def request_token(client: ApiClient, auth: PasswordAuth) -> TokenGrant:
    """``POST {auth_url}/auth/tokens`` (201, token in ``X-Subject-Token``); one attempt only."""
    client.secrets.add(auth.password)
    response = client.post(auth.tokens_url, auth.body())
    if response.status_code != 201:
        fault = fault_message(response, client.secrets)
        hint = unauthorized_hint(fault) if response.status_code == 401 else None
        raise ApiError(
            "POST", auth.tokens_url, response.status_code, response.reason, fault, hint=hint
        )
    return _grant(client, response, "X-Subject-Token")


def validate_token(client: ApiClient, auth_url: str, token: str) -> TokenGrant:
    """``GET {auth_url}/auth/tokens`` with the token as both caller and subject: its catalog and expiry."""
    url = f"{auth_url}/auth/tokens"
    response = client.get(url, headers={"X-Auth-Token": token, "X-Subject-Token": token})
    if response.status_code != 200:
        raise ApiError(
            "GET",
            url,
            response.status_code,
            response.reason,
            fault_message(response, client.secrets),
            hint="the TOKEN is not valid any more (it lives 3 hours): run step 2 again",
        )
    return _grant(client, response, "X-Subject-Token", fallback=token)


def _grant(
    client: ApiClient, response: requests.Response, header: str, fallback: str | None = None
) -> TokenGrant:
    raw = response.headers.get(header) or fallback
    if not raw:
        raise ApiError(
            "POST",
            response.url,
            response.status_code,
            response.reason,
            f"no {header} header in the answer",
        )
    token = clean_token(raw, header)
    client.secrets.add(token)
    body = response.json().get("token", {}) if _is_json(response) else {}
    project = body.get("project") or {}
    return TokenGrant(
        token=token,
        expires_at=body.get("expires_at"),
        project_id=project.get("id"),
        project_name=project.get("name"),
        user_name=(body.get("user") or {}).get("name"),
        catalog=list(body.get("catalog") or []),
        roles=tuple(str(r.get("name")) for r in body.get("roles") or [] if isinstance(r, dict)),
    )


def _is_json(response: requests.Response) -> bool:
    return "json" in response.headers.get("Content-Type", "")


def fault_message(response: requests.Response, secrets: SecretRegistry) -> str | None:
    """The message of Keystone's ``{"error": {...}}`` or Nova's ``{"<fault>": {...}}`` body, masked.

    It is data from outside (Keystone's 404 quotes the token it could not find), so it is masked
    here, where it enters the runbook's sentences.
    """
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return secrets.mask_text(text[:300]) or None
    if isinstance(body, dict) and len(body) == 1:
        (fault,) = body.values()
        if isinstance(fault, dict) and fault.get("message"):
            return secrets.mask_text(str(fault["message"]))
    return None
