"""Control-plane state: the fault rules and the request log of one emulator."""

from __future__ import annotations

import time
from collections.abc import Callable

from emulator.control.faults import FaultSet
from emulator.control.requestlog import RequestLog


class ControlBackend:
    """Faults + request log. ``sleep`` is how latency faults wait (tests replace it)."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self.faults = FaultSet()
        self.requests = RequestLog()
        self.sleep = sleep
