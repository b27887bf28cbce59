"""Token values and audit ids: random bytes of the OS's CSPRNG, read in blocks.

``os.urandom`` releases the GIL on every call; under load each release hands the GIL to another
thread and the caller then waits to get it back, which cost a token POST more than the read
itself. So the bytes are read ``BLOCK`` at a time and each is handed out once, under a lock.
A forked child drops what it inherited (it would otherwise repeat its parent's next tokens).
"""

from __future__ import annotations

import base64
import os
import threading

TOKEN_BYTES = 32  # as secrets.token_urlsafe(32): 256 bits
AUDIT_BYTES = 16  # Keystone's audit ids: 16 bytes, 22 URL-safe base64 characters
BLOCK = (TOKEN_BYTES + AUDIT_BYTES) * 64


class _RandomBlocks:
    """``take(n)``: n bytes of ``os.urandom`` never handed out before (in this process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._block = b""
        self._used = 0

    def take(self, n: int) -> bytes:
        with self._lock:
            if self._used + n <= len(self._block):
                start, self._used = self._used, self._used + n
                return self._block[start : self._used]
        # Read outside the lock: holding it through the read's GIL release would queue every
        # other token request on it. Threads that find the block used up meanwhile read blocks
        # of their own; the last one stored is used on, and no byte is handed out twice.
        fresh = os.urandom(max(BLOCK, n))
        with self._lock:
            self._block, self._used = fresh, n
        return fresh[:n]

    def forget(self) -> None:
        """In a forked child: a new lock (the parent's may be held) and nothing inherited."""
        self._lock = threading.Lock()
        self._block, self._used = b"", 0


_BLOCKS = _RandomBlocks()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_BLOCKS.forget)


def new_token_value() -> str:
    """An opaque token value: 32 random bytes, URL-safe base64, as ``secrets.token_urlsafe(32)``."""
    return _urlsafe(_BLOCKS.take(TOKEN_BYTES))


def new_token_and_audit_id() -> tuple[str, str]:
    """A token value and an audit id (22 characters) from one take of random bytes."""
    raw = _BLOCKS.take(TOKEN_BYTES + AUDIT_BYTES)
    return _urlsafe(raw[:TOKEN_BYTES]), _urlsafe(raw[TOKEN_BYTES:])


def _urlsafe(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
