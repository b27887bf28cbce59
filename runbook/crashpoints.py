"""A test-only hook: SIGKILL the runbook itself at a named point, to test recovery from crashes.

``FJCLOUD_RUNBOOK_TEST_KILL_AT=<point>`` makes the run send itself SIGKILL when it reaches
``<point>`` — the crash matrix of tests/runbook/test_crash_matrix.py needs the exact instants
(after the stop intent is journalled but before the POST, after the POST's answer came but before
it is journalled, …) that a kill from outside would only hit by luck. It cannot fire by accident
in production: it is honoured only when the identity endpoint is on the loopback address
127.0.0.1 (where the tests run the emulator), and the run announces it in its first lines.
"""

from __future__ import annotations

import os
import signal
import threading
from urllib.parse import urlsplit

ENV_VAR = "FJCLOUD_RUNBOOK_TEST_KILL_AT"
# The points, in the order a run reaches them.
# ``<action>/…`` points are reached by every request that changes something (runbook.client).
POINTS = (
    "os-stop/intent-journalled",  # the os-stop intent is on disk; the POST is not sent yet
    "os-stop/answered",  # the POST was sent and answered; the answer is not journalled yet
    "os-stop/outcome-journalled",  # the answer (202) is on disk
    "wait/polled",  # step 5 has read the server once
    # Pages 2–5: the same three instants for each request that changes something …
    *(
        f"{action}/{instant}"
        for action in (
            "os-volume_upload_image",
            "imageexport",
            "imageexport-cancel",
            "image-delete",
            "os-start",
        )
        for instant in ("intent-journalled", "answered", "outcome-journalled")
    ),
    "image/polled",  # 2.4 has read the image once
    "export/polled",  # 4.4 has read the export's status once
    "download/part-written",  # 5.4 has written the first chunk of a file to its .part
)


class CrashPoints:
    """Which point (if any) this run kills itself at."""

    def __init__(self, environ: dict[str, str], auth_url: str | None) -> None:
        wanted = environ.get(ENV_VAR, "").strip()
        # ``<point>@N``: the Nth time the point is reached (a fleet reaches each point per server).
        name, _, count = wanted.partition("@")
        host = urlsplit(auth_url or "").hostname
        valid = name in POINTS and (not count or count.isdigit()) and host == "127.0.0.1"
        self.point = name if valid else None
        self.ignored = bool(wanted) and self.point is None
        self._kill_at = int(count) if valid and count else 1
        self._reached = 0
        self._lock = threading.Lock()

    def reached(self, point: str) -> None:
        """SIGKILL this process now if ``point`` is the one asked for (its Nth time)."""
        if point == self.point:
            with self._lock:
                self._reached += 1
                if self._reached == self._kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
