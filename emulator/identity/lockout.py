"""FJcloud-O's password lockout: N wrong passwords within a window lock the user for a while.

Source: FJcloud-O API reference, "トークンの取得" (V1_man_man_posttoken_0401010502.html): five
failures within 15 minutes block authentication for 15 minutes. Not thread-safe by itself: the
identity backend calls it while holding its lock, which is what makes the count exact.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from emulator.config import LockoutPolicy


@dataclass
class _UserFailures:
    times: deque[float] = field(default_factory=deque)
    locked_until: float | None = None


class LockoutTracker:
    """Failure times and lock deadlines per user id, measured in clock seconds."""

    def __init__(self, policy: LockoutPolicy) -> None:
        self.policy = policy
        self._users: dict[str, _UserFailures] = {}

    def locked_until(self, user_id: str, now: float) -> float | None:
        """The end of the user's lock, or None when the user may try."""
        entry = self._users.get(user_id)
        if not self.policy.enabled or entry is None or entry.locked_until is None:
            return None
        if now >= entry.locked_until:
            # The lock has run out: the user starts again with a clean slate.
            del self._users[user_id]
            return None
        return entry.locked_until

    def record_failure(self, user_id: str, now: float) -> float | None:
        """Count one wrong password; returns the lock deadline if this failure locks the user."""
        if not self.policy.enabled:
            return None
        entry = self._users.setdefault(user_id, _UserFailures())
        entry.times.append(now)
        while entry.times and now - entry.times[0] >= self.policy.window_seconds:
            entry.times.popleft()
        if len(entry.times) >= self.policy.attempts:
            entry.locked_until = now + self.policy.duration_seconds
            entry.times.clear()
            return entry.locked_until
        return None

    def record_success(self, user_id: str) -> None:
        """A right password clears the user's recent failures."""
        self._users.pop(user_id, None)

    def snapshot(self, now: float) -> list[dict[str, Any]]:
        """Users with recent failures or a lock (no secrets are kept here at all)."""
        rows = []
        for user_id in sorted(self._users):
            until = self.locked_until(user_id, now)
            entry = self._users.get(user_id)
            if entry is None:
                continue
            recent = [t for t in entry.times if now - t < self.policy.window_seconds]
            rows.append(
                {
                    "user_id": user_id,
                    "recent_failures": len(recent),
                    "locked": until is not None,
                    "locked_until": until,
                }
            )
        return rows
