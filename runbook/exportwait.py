"""エクスポート状況の確認's wait: poll the status, show a progress bar and an estimate.

[A8]: ``export_status`` is queued, processing, succeeded, failed (with ``error_message``),
cancelling or canceled; "Status might repeat the state of processing and queued." The wait ends
at succeeded, failed, cancelling or canceled. A line is printed when the status or the progress
changes (and at least every ``heartbeat`` seconds), so hours of waiting read as a short history.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from runbook.errors import RunbookError
from runbook.importexport import ExportStatus, ImportExportApi
from runbook.progress import Estimate, bar, duration

ENDS = frozenset({"succeeded", "failed", "cancelling", "canceled"})


class ExportPending(RunbookError):
    """The export is still under way when the watch ends: nothing is lost, come back later."""


def line(status: ExportStatus, elapsed: float, estimate: Estimate) -> str:
    """``  12.0 min  processing  [#####---------------]  25%  about 36 min left``."""
    percent = status.progress if status.progress is not None else 0
    shown = f"{bar(percent / 100)} {percent:3d}%"
    tail = estimate.eta_text() if status.status in ("queued", "processing") else ""
    return f"{duration(elapsed):>9}  {status.status:<10} {shown}  {tail}".rstrip()


def wait_for_export(
    api: ImportExportApi,
    export_id: str,
    *,
    interval: float,
    timeout: float,
    progress: Callable[[str], None],
    heartbeat: float = 600.0,
    checkpoint: Callable[[str], None] = lambda _point: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[ExportStatus, float]:
    """GET the status every ``interval`` s until it ends; ``ExportPending`` after ``timeout``."""
    started = clock()
    estimate = Estimate(total=100)
    shown: tuple[str, int | None] | None = None
    last_print = started
    while True:
        status = api.export_status(export_id)
        checkpoint("export/polled")
        now = clock()
        elapsed = now - started
        if status.progress is not None and status.status == "processing":
            estimate.add(now, status.progress)
        key = (status.status, status.progress)
        if key != shown or now - last_print >= heartbeat or status.status in ENDS:
            progress(line(status, elapsed, estimate))
            shown, last_print = key, now
        if status.status in ENDS:
            return status, elapsed
        if elapsed >= timeout:
            raise ExportPending(
                f"the export {export_id} is still {status.status} at {status.progress or 0}% after "
                f"watching for {duration(timeout)}; it goes on without the runbook",
                hint="nothing is lost (the export id is in the journal): come back later with "
                "`pytest runbook --target live --page 4-5` (the same procedure), or watch longer "
                "with --export-poll-timeout",
            )
        sleep(max(0.0, min(interval, timeout - elapsed)))
