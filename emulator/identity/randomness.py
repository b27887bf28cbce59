"""Token values from the OS's CSPRNG, fetched in blocks: one ``os.urandom`` per ~85 tokens.

``secrets.token_urlsafe`` makes one ``os.urandom`` call per value; that syscall releases the GIL,
and under load the thread then queues behind waitress's busy threads to get it back — measured
as the largest cost of a token request on the standalone server. The bytes are the same OS
CSPRNG bytes, each handed out once; a forked child drops the parent's unused block, so two
processes never issue the same value.
"""

from __future__ import annotations

import base64
import os
import threading

BLOCK_BYTES = 4096


class RandomPool:
    """Bytes from ``os.urandom``, read ``BLOCK_BYTES`` at a time and never handed out twice."""

    def __init__(self, block_bytes: int = BLOCK_BYTES) -> None:
        self._block_bytes = block_bytes
        self._lock = threading.Lock()
        self._block = b""
        self._offset = 0

    def take(self, count: int) -> bytes:
        """``count`` fresh random bytes."""
        with self._lock:
            if self._offset + count > len(self._block):
                self._block = os.urandom(max(count, self._block_bytes))
                self._offset = 0
            chunk = self._block[self._offset : self._offset + count]
            self._offset += count
            return chunk

    def forget(self) -> None:
        """Drop the unused bytes (after a fork, the parent still holds the same ones)."""
        with self._lock:
            self._block, self._offset = b"", 0


_POOL = RandomPool()
if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_POOL.forget)


def token_urlsafe(nbytes: int) -> str:
    """What ``secrets.token_urlsafe(nbytes)`` returns, from the pooled CSPRNG bytes."""
    return base64.urlsafe_b64encode(_POOL.take(nbytes)).rstrip(b"=").decode("ascii")
