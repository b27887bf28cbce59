"""Secret masking of *data*: by key (password, tokens, ``admin_pass``) and by value (every secret seen).

Masking by key catches the places a secret is expected; masking by value covers data that may
quote one (a fault message echoing a token, a URL, a header echoed back, a value read from the
environment). Only data is masked, never the runbook's own sentences: a password such as
``wrong`` or ``server`` replaced inside "5 wrong passwords" would rewrite the text *and* reveal
the password by its context. The sentences are built from data masked where it enters
(``runbook.client`` for every exchange, ``identity.fault_message`` for a service's message).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"

# Keys whose values are secrets wherever they appear (compared lower-case). ``admin_pass`` is
# the seed document's ``metadata.admin_pass``; ``adminPass`` is what Nova returns on create.
SECRET_KEYS = frozenset(
    {
        "password",
        "admin_pass",
        "adminpass",
        "x-auth-token",
        "x-subject-token",
        "token_value",
        "os_password",
        "os_token",
    }
)
# Shorter strings would mask innocent text ("a", "id"); such secrets are still masked by key.
_MIN_VALUE_LENGTH = 3
_WORD_EDGE = r"(?<![A-Za-z0-9_])"
_WORD_END = r"(?![A-Za-z0-9_])"


class SecretRegistry:
    """The secret values of one run (password, every token, ``admin_pass`` values seen)."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        for value in values:
            self.add(value)

    def add(self, value: str | None) -> None:
        """Remember ``value`` as a secret (ignored when empty)."""
        if value:
            with self._lock:
                self._values.add(value)

    def mask_text(self, text: str) -> str:
        """Data ``text`` (not the runbook's own sentence) with every known secret value as ``***``."""
        with self._lock:
            # Longest first, so a secret containing another is replaced whole.
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            if len(value) >= _MIN_VALUE_LENGTH and value in text:
                # Not inside a longer word: with the password "password", Keystone's key
                # "password_expires_at" stays readable for an auditor; the secret itself, wherever
                # it stands alone (quoted, after "=", in a header), is masked.
                text = re.sub(_WORD_EDGE + re.escape(value) + _WORD_END, MASK, text)
        return text

    def mask(self, data: Any) -> Any:
        """A copy of JSON-like ``data`` with secret keys and secret values masked."""
        if isinstance(data, Mapping):
            return {key: self._mask_item(str(key), value) for key, value in data.items()}
        if isinstance(data, list | tuple):
            return [self.mask(item) for item in data]
        if isinstance(data, str):
            return self.mask_text(data)
        return data

    def _mask_item(self, key: str, value: Any) -> Any:
        # Only scalars: Keystone's {"password": {"user": ...}} is the method, not the secret.
        if (
            key.lower() in SECRET_KEYS
            and value not in (None, "")
            and not isinstance(value, Mapping | list | tuple)
        ):
            if isinstance(value, str):
                self.add(value)  # seen once by key, masked everywhere after by value
            return MASK
        if key == "token" and isinstance(value, Mapping) and "id" in value:
            # Keystone's token auth method: {"token": {"id": "<token>"}}
            self.add(str(value["id"]))
            return {**self.mask(value), "id": MASK}
        return self.mask(value)

    def mask_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Headers with ``X-Auth-Token`` / ``X-Subject-Token`` (any case) masked."""
        masked: dict[str, str] = {}
        for name, value in headers.items():
            if name.lower() in SECRET_KEYS:
                self.add(value.strip())
                masked[name] = MASK
            else:
                masked[name] = self.mask_text(value)
        return masked
