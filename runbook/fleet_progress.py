"""What step 5 shows of a fleet's wait: the lines of what changed, and the live view's frame.

The change lines are the record (journal, evidence, a log): a line when a server's status or
task_state changed, and a total. The frame is for a terminal, redrawn in place: one line per
server with its status, task_state and elapsed time, and a total — cut to the terminal's rows,
the servers still waiting or failed shown first, as those are the ones to watch.
"""

from __future__ import annotations

from dataclasses import dataclass

from runbook.fleet import Fleet, Member
from runbook.live_view import SPARE_ROWS, Size
from runbook.progress import duration, poll_clock

Seen = tuple[str, str]  # (status, task_state) as shown


@dataclass
class _Row:
    seen: Seen | None = None  # None: not read yet
    finished_at: float | None = None  # elapsed seconds when its result was known


class FleetProgress:
    """The state of each member's wait, as step 5's polls saw it."""

    def __init__(self, members: list[Member], interval: float, timeout: float) -> None:
        self._members = members
        self._interval = interval
        self._timeout = timeout
        self._rows = {member.label: _Row() for member in members}
        self._changed: list[Member] = []
        self._total_due = False
        # The record's lines: as wide as the longest label, or as "total".
        self._width = max([len("total"), *(len(m.label) for m in members)])
        self._column = max(self._width, len("server"))  # the view's first column

    def seen(self, member: Member, seen: Seen) -> None:
        """What this poll read of ``member``; a change is a line of the record."""
        row = self._rows[member.label]
        if row.seen != seen:
            row.seen = seen
            self._changed.append(member)

    def finished(self, member: Member, elapsed: float) -> None:
        """``member`` has its result (``fleet.record``): its clock stops."""
        self._rows[member.label].finished_at = elapsed

    def force_total(self) -> None:
        """The next ``changes`` ends with a total even if no server changed (a time-out)."""
        self._total_due = True

    def changes(self, elapsed: float, fleet: Fleet, waiting: int) -> list[str]:
        """The record's lines of this poll: each changed server, then a total; [] if none."""
        at = self._clock(elapsed)
        lines = []
        for member in self._changed:
            status, task_state = self._rows[member.label].seen or ("?", "-")
            lines.append(
                f"{member.label:<{self._width}}  {at} s  status {status:<8} task_state {task_state}"
            )
        if lines or self._total_due:
            lines.append(f"{'total':<{self._width}}  {at} s  {self._total(fleet, waiting)}")
        self._changed, self._total_due = [], False
        return lines

    def frame(self, elapsed: float, fleet: Fleet, size: Size, next_read_in: float) -> list[str]:
        """The live view: a header, one line per server (as many as fit), and a total."""
        waiting = sum(1 for row in self._rows.values() if row.finished_at is None)
        # Not aligned with the servers' column: with UUIDs as labels that would push the counts
        # past a 100-column terminal's edge.
        total = (
            f"      total  {self._total(fleet, waiting)} · {duration(elapsed)} of at most "
            f"{duration(self._timeout)}"
        )
        if waiting:
            total += f" · next read in {max(0.0, next_read_in):.0f} s"
        shown, hidden = self._fit(size.rows - 2)  # the header and the total take a row each
        body = [self._line(m, elapsed) for m in shown]
        if hidden:
            body.append(self._hidden_line(hidden, size))
        header = (
            f"      {'server':<{self._column}}  {'status':<8}  {'task_state':<13} {'elapsed':>9}"
        )
        return [header, *body, total] if size.rows >= 2 else [total]

    def _fit(self, room: int) -> tuple[list[Member], list[Member]]:
        """The members shown and those left out: all if they fit, else the unfinished and the
        failed first (in the list's order), then none of those already SHUTOFF."""
        if len(self._members) <= room:
            return self._members, []
        room = max(0, room - 1)  # the line that says what is not shown
        first = [m for m in self._members if not self._shut_off(m)]
        shown = first[:room]
        hidden = [m for m in self._members if m not in shown]
        return shown, hidden

    def _shut_off(self, member: Member) -> bool:
        result = member.results.get(5)
        return self._rows[member.label].finished_at is not None and bool(result and result.ok)

    def _line(self, member: Member, elapsed: float) -> str:
        row = self._rows[member.label]
        status, task_state = row.seen or ("?", "- (not read yet)")
        clock = row.finished_at if row.finished_at is not None else elapsed
        result = member.results.get(5) if row.finished_at is not None else None
        outcome = "" if result is None else "  ✔" if result.ok else f"  ✘ {result.summary}"
        return (
            f"      {member.label:<{self._column}}  {status:<8}  {task_state:<13} "
            f"{self._clock(clock)} s{outcome}"
        )

    def _hidden_line(self, hidden: list[Member], size: Size) -> str:
        ok = sum(1 for m in hidden if self._shut_off(m))
        other = len(hidden) - ok
        parts = [f"{ok} SHUTOFF"] + ([f"{other} more waiting or failed"] if other else [])
        return (
            f"      … {len(hidden)} not shown ({', '.join(parts)}): the terminal has "
            f"{size.rows + SPARE_ROWS} rows"
        )

    def _total(self, fleet: Fleet, waiting: int) -> str:
        done, failed = fleet.counts(5)
        return f"{done} SHUTOFF, {failed} failed, {waiting} waiting of {len(self._members)}"

    def _clock(self, elapsed: float) -> str:
        return poll_clock(elapsed, self._interval)
