"""A clock the control plane can move forward, so token expiry and lockouts are testable."""

from __future__ import annotations

import functools
import threading
import time
from datetime import datetime, timedelta, timezone


class Clock:
    """Wall-clock time plus an offset that only ever grows (``advance``)."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        """Seconds since the epoch, like ``time.time()``, shifted by the offset."""
        # No lock to read: one attribute read is atomic, and the offset only grows. (A lock
        # here is taken on every request by every thread; contended, it releases the GIL.)
        return time.time() + self._offset

    def now(self) -> datetime:
        """The current time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def advance(self, seconds: float) -> None:
        """Jump forward; going back in time is refused because it breaks expiry logic."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset


@functools.lru_cache(maxsize=4096)
def isoformat_z(moment: datetime) -> str:
    """Nova's timestamp form: ``2016-04-27T04:14:15Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def isoformat_keystone(moment: datetime) -> str:
    """Keystone's token timestamp form: ``2016-04-27T04:14:15.000000Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
