"""Secret scanning: every token the emulator issues is recorded, then looked for in the outputs.

``TokenRecorder`` wraps ``IdentityBackend.issue`` (class level, so a reset's new backend is
covered too) while it is active: the emulator runs in this process (``EmulatorServer``), the
runbook in a subprocess, so every token value the runbook ever held is known here.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from emulator.identity.backend import IdentityBackend, TokenInfo

DEMO_PASSWORD = "demo-password"  # the default seed's demo password, looked for
ADMIN_PASS = "Password0"  # the seed document's metadata.admin_pass


class TokenRecorder:
    """Records the value of every token issued while active (in this process)."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self._lock = threading.Lock()
        self._original: Any = None

    def __enter__(self) -> TokenRecorder:
        original = IdentityBackend.issue
        recorder = self

        def issue(backend: IdentityBackend, request: Any) -> TokenInfo:
            info = original(backend, request)
            with recorder._lock:
                recorder.tokens.add(info.id)
            return info

        self._original = original
        IdentityBackend.issue = issue  # type: ignore[method-assign,assignment]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        IdentityBackend.issue = self._original  # type: ignore[method-assign]


def find_secrets(
    texts: dict[str, str],
    tokens: set[str],
    *,
    state_token_allowed: str | None = None,
    extra: tuple[str, ...] = (),
) -> list[str]:
    """``"<where> holds <what>"`` for each secret found; the state file may hold a token (issue 5)."""
    problems = []
    secrets = {"the password": [DEMO_PASSWORD, *extra], "admin_pass": [ADMIN_PASS]}
    for where, text in texts.items():
        for what, values in secrets.items():
            if any(value and value in text for value in values):
                problems.append(f"{where} holds {what}")
        if where != state_token_allowed:
            found = sum(1 for token in tokens if token in text)
            if found:
                problems.append(f"{where} holds {found} token value(s)")
    return problems


BANNER_END = "| tr -d '\\r')\n"  # the last line of the standalone server's start banner


def after_banner(text: str) -> str:
    """The standalone server's output after its start banner.

    The banner shows the demo login (password included) on purpose: issue 3 asks for it, and it
    is the seed's public demo value. Everything after it is what the server logs while serving.
    """
    if BANNER_END not in text:
        raise AssertionError(f"no start banner in the emulator's output: {text[:500]!r}")
    return text.split(BANNER_END, 1)[1]
