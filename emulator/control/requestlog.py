"""The request log of the control plane; every secret is masked before anyone can read it.

A request only records its raw parts (an ``Exchange``: bytes, the logged headers, the secret
values to hide); parsing and masking wait until the log is read (``RequestLog.entries()``, which
``GET /_emulator/requests`` and ``requests_log()`` use), so a request does not pay for a log that
nobody reads. The mask functions here stay the one place that hides secrets.

Every header is logged, both ways. Masked as ``***``: the values of the ``X-Auth-Token``,
``X-Subject-Token``, ``Authorization``, ``Proxy-Authorization``, ``Cookie`` and ``Set-Cookie``
headers, JSON fields named like a password (``password``, ``admin_pass``, ``adminPass``, …)
anywhere in a body, and the token value in Keystone's ``token`` auth method (``{"token": {"id": …}}``). Non-JSON bodies are kept
as text (cut at 4 KiB) with the values after password-like keys and a token's ``"id"`` masked,
closing quote or not. Token header values and the seed's passwords are also masked by value.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Protocol

from werkzeug.datastructures import Headers

MASK = "***"
# Request header names as clients spell them; WSGI upper-cases them into the environ, so any
# other name is logged title-cased, as werkzeug's EnvironHeaders spells it.
_KNOWN_NAMES = {
    name.upper().replace("-", "_"): name
    for name in (
        "Content-Type",
        "Content-Length",
        "OpenStack-API-Version",
        "X-OpenStack-Nova-API-Version",
        "X-Auth-Token",
        "X-Subject-Token",
        "User-Agent",
    )
}
# Logged as "***" whatever their value: tokens, credentials and cookies.
SECRET_HEADERS = frozenset(
    {
        "x-auth-token",
        "x-subject-token",
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
    }
)
SECRET_KEYS = frozenset(
    {"password", "admin_pass", "adminpass", "original_password", "new_password", "secret"}
)
MAX_TEXT = 4096
MAX_ENTRIES = 1000
# Bytes of a body kept per entry. Without a bound, a CI job that lists 10,000 servers
# (13 MB per servers/detail) over and over would grow the emulator by gigabytes.
MAX_LOGGED_BODY = 64 * 1024
MAX_DEPTH = 32
# Shorter header values are not real tokens; replacing them would garble the log.
MIN_SECRET_LENGTH = 8
# Text fallback (a body that is not valid JSON, e.g. cut off): the value after a secret-looking
# key, or after a token method's "id", up to its closing quote — or to the end when there is none.
_TEXT_VALUE = r'("(?:[^"\\]|\\.)*"?|[^,}\]\s]+)'
_TEXT_SECRETS = (
    re.compile(
        r'("(?:password|admin_?pass|adminpass|original_password|new_password|secret)"\s*:\s*)'
        + _TEXT_VALUE,
        re.IGNORECASE,
    ),
    re.compile(r'("token"\s*:\s*\{[^{}]*?"id"\s*:\s*)' + _TEXT_VALUE),
)


def mask_headers(headers: Iterable[tuple[str, str]], secrets: Sequence[str] = ()) -> dict[str, str]:
    """Every header of ``headers`` (name, value pairs), secret ones masked.

    ``secrets`` (longest first) are replaced wherever they occur in any other value. A repeated
    name is logged once with its values joined by ", " (RFC 9110 5.3).
    """
    logged: dict[str, str] = {}
    lowered: dict[str, str] = {}  # lower-cased name -> the name first logged
    for name, raw in headers:
        value = MASK if name.lower() in SECRET_HEADERS else _redact(str(raw), list(secrets))
        first = lowered.setdefault(name.lower(), name)
        logged[first] = f"{logged[first]}, {value}" if first in logged else value
    return logged


def mask_json(value: Any, parent_key: str = "", depth: int = 0) -> Any:
    """A copy of a JSON value with password-like fields and token ids replaced by ``***``.

    Nesting deeper than ``MAX_DEPTH`` is replaced by ``***`` too: a hostile body must not make
    the log recurse until Python gives up (that would turn the service's answer into a 500).
    """
    if depth > MAX_DEPTH:
        return MASK
    if isinstance(value, dict):
        masked: dict[str, Any] = {}
        for key, item in value.items():
            lowered = str(key).lower()
            is_token_id = parent_key == "token" and lowered == "id"
            # Keystone's {"password": {"user": …}} is a method, not a secret: mask only scalars.
            is_scalar = item is not None and not isinstance(item, dict | list)
            if (lowered in SECRET_KEYS or is_token_id) and is_scalar:
                masked[key] = MASK
            else:
                masked[key] = mask_json(item, lowered, depth + 1)
        return masked
    if isinstance(value, list):
        return [mask_json(item, parent_key, depth + 1) for item in value]
    return value


def mask_body(raw: bytes, secrets: Iterable[str] = ()) -> Any:
    """A body for the log: parsed JSON (masked), masked text, or None when empty.

    ``secrets`` (the request's token values) are replaced wherever they occur: Keystone echoes a
    token in its 404 message ("Could not find token: <token>."), under no secret-looking key.
    """
    if not raw:
        return None
    values = _secret_values(secrets)
    try:
        return _redact(mask_json(json.loads(raw)), values)
    except (ValueError, RecursionError):  # not JSON (incl. UnicodeDecodeError), or too deep
        text = raw[:MAX_TEXT].decode("utf-8", errors="replace")
        for pattern in _TEXT_SECRETS:
            text = pattern.sub(rf'\1"{MASK}"', text)
        return _redact(text, values)


def token_values(*headers: Any) -> list[str]:
    """The values of the token headers in ``headers`` (mappings with ``get``), for ``mask_body``."""
    found = [h.get(name) for h in headers for name in ("X-Auth-Token", "X-Subject-Token")]
    return [value for value in found if value]


def body_token_ids(raw: bytes) -> list[str]:
    """The token id of a Keystone ``token`` auth method in a request body, for ``mask_body``.

    Keystone echoes a dead one in its 404 ("Could not find token: <id>."), so the log must mask
    that value in the response body too, not just the request's ``token.id`` field.
    """
    try:
        token = json.loads(raw)["auth"]["identity"]["token"]["id"]
    except (ValueError, RecursionError, TypeError, KeyError):
        return []
    return [token] if isinstance(token, str) else []


def _secret_values(secrets: Iterable[str]) -> list[str]:
    # Longest first, so a secret that contains another is replaced whole.
    return sorted({v for v in secrets if len(v) >= MIN_SECRET_LENGTH}, key=len, reverse=True)


def _redact(value: Any, secrets: list[str]) -> Any:
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {_redact(k, secrets): _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(item, secrets) for item in value]
    return value


_CGI_HEADERS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


def environ_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """Every request header in a WSGI environ, raw and under its environ key (``HTTP_HOST``):
    ``logged_names`` spells the names when the log is read."""
    return {
        key: value
        for key, value in environ.items()
        # CONTENT_TYPE/LENGTH are headers unless empty (a CGI default); other keys are not.
        if key.startswith("HTTP_") or (key in _CGI_HEADERS and value)
    }


def logged_names(headers: Mapping[str, str]) -> dict[str, str]:
    """``environ_headers`` under the names clients spell them (``Host``, ``X-Auth-Token``)."""
    logged: dict[str, str] = {}
    for key, value in headers.items():
        name = key[5:] if key.startswith("HTTP_") else key
        logged[_KNOWN_NAMES.get(name) or name.replace("_", "-").title()] = value
    return logged


class _HasPassword(Protocol):
    @property
    def password(self) -> str: ...


class Exchange:
    """One logged request, raw: parsed and masked only by ``entry()``, once, when read."""

    __slots__ = (
        "_entry",
        "at",
        "dropped",
        "fault",
        "method",
        "path",
        "query",
        "request_body",
        "request_body_bytes",
        "request_headers",
        "response_body",
        "response_body_bytes",
        "response_headers",
        "service",
        "status",
        "users",
    )

    def __init__(
        self,
        *,
        at: float,
        method: str,
        path: str,
        query: str,
        service: str | None,
        status: int | None,
        request_headers: Mapping[str, str],  # environ_headers(): named when read
        request_body: bytes,
        response_headers: Sequence[tuple[str, str]] | None,
        response_body: bytes,
        fault: dict[str, str] | None,
        dropped: bool,
        users: Sequence[_HasPassword],
    ) -> None:
        self.at = at
        self.method = method
        self.path = path
        self.query = query
        self.service = service
        self.status = status
        self.request_headers = request_headers
        self.request_body = request_body[:MAX_LOGGED_BODY]
        # None: the response never started (a drop fault before it), so nothing to log.
        self.response_headers = response_headers
        self.response_body = response_body[:MAX_LOGGED_BODY]
        # Sizes as sent; a body longer than MAX_LOGGED_BODY is logged cut (as masked text).
        self.request_body_bytes = len(request_body)
        self.response_body_bytes = len(response_body)
        self.fault = fault
        self.dropped = dropped
        # The seed's users (immutable): their passwords are masked by value wherever they occur.
        self.users = users
        self._entry: dict[str, Any] | None = None

    def entry(self) -> dict[str, Any]:
        """The log entry as ``/_emulator/requests`` shows it, every secret masked (memoised)."""
        if self._entry is None:
            self._entry = self._masked()
        return self._entry

    def _masked(self) -> dict[str, Any]:
        request_headers = logged_names(self.request_headers)
        response_headers = Headers(list(self.response_headers or ()))
        secrets = token_values(request_headers, response_headers)
        secrets += body_token_ids(self.request_body)
        secrets += [user.password for user in self.users]
        values = _secret_values(secrets)
        return {
            "at": datetime.fromtimestamp(self.at, tz=timezone.utc).isoformat(),
            "method": self.method,
            # A client may put anything in the URL (a fuzzer did: the demo password in a query).
            "path": _redact(self.path, values),
            "query": _redact(self.query, values),
            "service": self.service,
            "status": self.status,
            "request_headers": mask_headers(request_headers.items(), values),
            "request_body": mask_body(self.request_body, secrets),
            # What the application sent; waitress adds Date, Server and the connection's own
            # framing (Connection, Transfer-Encoding) after this layer, the mock adds nothing.
            "response_headers": (
                {} if self.response_headers is None else mask_headers(self.response_headers, values)
            ),
            "response_body": mask_body(self.response_body, secrets),
            "request_body_bytes": self.request_body_bytes,
            "response_body_bytes": self.response_body_bytes,
            "fault": self.fault,
            "dropped": self.dropped,
        }


class RequestLog:
    """The last ``MAX_ENTRIES`` cloud requests, oldest first; thread-safe."""

    def __init__(self) -> None:
        self._entries: deque[tuple[int, Exchange]] = deque(maxlen=MAX_ENTRIES)
        self._lock = threading.Lock()
        self._next_id = 1

    def append(self, exchange: Exchange) -> None:
        with self._lock:
            self._entries.append((self._next_id, exchange))
            self._next_id += 1

    def entries(self) -> list[dict[str, Any]]:
        """Every kept entry, masked, each a fresh dict (callers may change what they get)."""
        with self._lock:
            kept = list(self._entries)
        # Masking runs outside the lock: requests keep logging while a big log is read.
        return [{"seq": seq, **exchange.entry()} for seq, exchange in kept]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
