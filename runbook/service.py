"""What the chain's API clients share: the token, one re-authentication on 401, fault messages.

Each service of the export chain (block storage, image, object storage, import-export) has its
own small module; this one holds the only logic they have in common, like ``ComputeApi._call``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from runbook.client import ApiClient
from runbook.errors import ApiError
from runbook.identity import fault_message
from runbook.secrets import SecretRegistry


@dataclass
class Session:
    """The run's HTTP client and its token (read at each call: a re-authentication replaces it)."""

    client: ApiClient
    token: Callable[[], str | None]
    reauthenticate: Callable[[], str] | None = None


def fault_text(response: requests.Response, secrets: SecretRegistry) -> str | None:
    """The service's own message: import-export's ``{"error_code", "error_message"}`` body
    (export-chain.md §2.6), Nova/Cinder/Keystone's ``{"<fault>": {"message"}}``, or the text
    Glance and Swift answer with."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "error_message" in body:
        code = body.get("error_code")
        text = f"{body['error_message']}" + (f" (error_code {code})" if code else "")
        return secrets.mask_text(text)  # data from outside: masked where it enters a sentence
    return fault_message(response, secrets)


def error_code(response: requests.Response) -> str | None:
    """import-export's ``error_code`` (``"40010"``), when the body has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("error_code") if isinstance(body, dict) else None
    return str(code) if code is not None else None


class ServiceApi:
    """Calls with ``X-Auth-Token``; a 401 gets one new token (when a password is known) and one retry.

    The retry is safe for every method: a 401 comes from the authentication layer, before the
    service acts (keystonemiddleware rejects the request before it reaches the API).
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def secrets(self) -> SecretRegistry:
        """The run's secrets (a service's message is masked before it is shown)."""
        return self.session.client.secrets

    def call(
        self,
        method: str,
        url: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        stream: bool = False,
        action: str = "request",
        about: dict[str, Any] | None = None,
    ) -> requests.Response:
        """Send once (GET/HEAD: with the client's retries); 401 → re-authenticate once.

        A request that changes something is journalled by the client as ``action`` (its intent
        before it is sent, its outcome after), with ``about`` (ids a rerun looks for).
        """
        sent = (method, url, body, headers or {}, stream, action, about or {})
        response = self._send(*sent)
        if response.status_code == 401 and self.session.reauthenticate is not None:
            self.session.reauthenticate()
            response = self._send(*sent)
        if response.status_code == 401:
            raise ApiError(
                method,
                url,
                401,
                response.reason,
                fault_text(response, self.secrets),
                hint="the token was refused (it lives 3 hours, or it was revoked): give a new "
                "TOKEN, or let the runbook get one with OS_PASSWORD",
            )
        if response.status_code == 403:
            raise ApiError(
                method,
                url,
                403,
                response.reason,
                fault_text(response, self.secrets),
                hint="the user's roles do not allow this; ask the contract's administrator for "
                "a role that may use this service in the project (e.g. cpf_systemowner)",
            )
        return response

    def _send(
        self,
        method: str,
        url: str,
        body: Any,
        headers: dict[str, str],
        stream: bool,
        action: str,
        about: dict[str, Any],
    ) -> requests.Response:
        client = self.session.client
        sent = {"X-Auth-Token": self.session.token() or "", **headers}
        if stream:
            return client.stream(url, headers=sent)
        if method == "GET":
            return client.get(url, headers=sent)
        if method == "HEAD":
            return client.head(url, headers=sent)
        if method == "PUT":
            return client.put(url, headers=sent, action=action, about=about)
        if method == "DELETE":
            return client.delete(url, headers=sent, action=action, about=about)
        return client.post(url, body, headers=sent, action=action, about=about)


def unexpected(
    method: str,
    url: str,
    response: requests.Response,
    secrets: SecretRegistry,
    hint: str | None = None,
) -> ApiError:
    """An ``ApiError`` for an answer the step does not expect, with the service's message."""
    return ApiError(
        method, url, response.status_code, response.reason, fault_text(response, secrets), hint=hint
    )
