"""Step 5 for a fleet: wait for every stopped server at one polling cadence, with a progress view.

Cost: each poll reads every server still waiting once at most — by one GET per server, or by
one paged ``servers/detail`` listing of the project when that takes fewer requests (see
``listing_is_cheaper``). The next poll starts ``--poll-interval`` after the previous one started,
so no server is read more than once per interval whatever the fleet's size.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from runbook.compute import ServerNotFound, ServerView
from runbook.errors import RunbookError, WaitFailed
from runbook.fleet import Fleet, Member, Result, member_compute
from runbook.fleet_progress import FleetProgress
from runbook.procedure import stop_attempts
from runbook.stopping import in_error

if TYPE_CHECKING:
    from runbook.context import Runbook

State = ServerView | RunbookError
# Until one listing has shown how many pages the project's servers take, a listing is assumed to
# cost one page: cheaper than GETs from two servers on (Nova's max_limit is 1000 by default,
# nova/conf/api.py; FJcloud-O does not document its own — so the real count replaces the guess
# as soon as one listing was read).
_ASSUMED_PAGES = 1
# A terminal's view is redrawn this often between two reads, so its elapsed times move.
TICK = 1.0


def listing_is_cheaper(fleet: Fleet, waiting: int) -> bool:
    """One paged ``servers/detail`` (``pages`` requests) versus ``waiting`` single GETs.

    The listing reads every server of the project, so for a small fleet in a large project (3 of
    5 000 servers: 5 pages) single GETs are cheaper; for 200 servers of a 250-server project one
    page replaces 200 requests. Decided again at every poll, as servers finish.
    """
    pages = fleet.listing_pages if fleet.listing_pages is not None else _ASSUMED_PAGES
    return waiting > pages


def read_states(run: Runbook, fleet: Fleet, members: list[Member]) -> dict[str, State]:
    """Each member's server as it is now (or the error reading it gave: 404 → ``ServerNotFound``)."""
    if not members:
        return {}
    if listing_is_cheaper(fleet, len(members)):
        # GET {COMPUTE}/{v2|v2.1}/{PROJECT_ID}/servers/detail, every page
        listed, fleet.listing_pages = run.compute().servers_detail()
        by_id = {server.id: server for server in listed}
        states: dict[str, State] = {
            m.label: by_id[m.server_id] for m in members if m.server_id in by_id
        }
        # Absent from the listing: the server's own GET says why (404: deleted or moved).
        for member in members:
            if member.label not in states:
                states[member.label] = _read_one(run, member)
        return states
    workers = min(run.options.parallel, len(members))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        read = list(pool.map(lambda m: _read_one(run, m), members))
    return {member.label: state for member, state in zip(members, read, strict=True)}


def _read_one(run: Runbook, member: Member) -> State:
    """GET {COMPUTE}/{v2|v2.1}/{PROJECT_ID}/servers/{SERVER_ID}."""
    assert member.server_id is not None
    try:
        return member_compute(run, member.server_id).show_server()
    except RunbookError as exc:
        return exc


def wait_fleet(
    run: Runbook,
    fleet: Fleet,
    members: list[Member],
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Poll until every member is SHUTOFF or failed (ERROR, gone, stopped no more, timed out).

    On a terminal the progress is one view redrawn in place (``FleetProgress``); elsewhere, and
    always in the journal, a line per server whose status or task_state changed, and a total.
    """
    opts = run.options
    with run.console.live_view(opts.progress) as view:
        progress = FleetProgress(members, opts.poll_interval, opts.poll_timeout)
        pending = list(members)
        started = next_read = clock()

        def redraw() -> None:
            if view is not None:
                now = clock()
                view.draw(progress.frame(now - started, fleet, view.size(), next_read - now))

        while pending:
            poll_started = clock()
            next_read = poll_started + opts.poll_interval
            states = read_states(run, fleet, pending)
            elapsed = clock() - started
            waiting = _judge_all(run, fleet, pending, states, elapsed, progress)
            if waiting and elapsed >= opts.poll_timeout:
                _time_out(fleet, waiting, states, opts.poll_timeout, progress)
                waiting = []
            lines = progress.changes(elapsed, fleet, len(waiting))
            fleet.flush(run)  # this poll's results: one record
            if lines:
                # The journal's history (and the crash tests' instant wait/polled); printed only
                # where no view is redrawn.
                run.progress("\n      ".join(lines), shown=view is None)
            else:
                run.checkpoint("wait/polled")
            pending = waiting
            redraw()
            if pending:
                deadline = min(next_read, started + opts.poll_timeout)
                _sleep_until(deadline, clock, sleep, redraw if view is not None else None)


def _sleep_until(
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    redraw: Callable[[], None] | None,
) -> None:
    """Sleep until ``deadline``; with a view to ``redraw``, in steps of ``TICK`` so its clocks
    move between two reads (redrawing sends no request)."""
    while True:
        left = deadline - clock()
        if left <= 0:
            return
        if redraw is None:
            sleep(left)
            return
        sleep(min(TICK, left))
        redraw()


def _judge_all(
    run: Runbook,
    fleet: Fleet,
    pending: list[Member],
    states: dict[str, State],
    elapsed: float,
    progress: FleetProgress,
) -> list[Member]:
    """Record each finished member's result; the members still waiting."""
    waiting: list[Member] = []
    for member in pending:
        state = states[member.label]
        progress.seen(member, _seen(state))
        result = _judge(run, member, state, elapsed)
        if result is None:
            waiting.append(member)
        else:
            fleet.record(member, 5, result)
            progress.finished(member, elapsed)
    return waiting


def _time_out(
    fleet: Fleet,
    waiting: list[Member],
    states: dict[str, State],
    timeout: float,
    progress: FleetProgress,
) -> None:
    for member in waiting:
        state = states[member.label]
        line = state.state_line() if isinstance(state, ServerView) else str(state)
        error = WaitFailed(
            f"not SHUTOFF after {timeout:g} s: {line}",
            hint="the stop may still complete: run again with --from-step 5 (it waits "
            "only for the servers not yet done), or with a larger --poll-timeout",
        )
        fleet.record(member, 5, Result(False, error.message, error))
        progress.finished(member, timeout)
    progress.force_total()


def _seen(state: State) -> tuple[str, str]:
    if isinstance(state, ServerView):
        return state.status, state.task_state or "-"
    if isinstance(state, ServerNotFound):
        return "GONE", "- (404)"
    return "?", f"- (read failed: {state.message})"


def _judge(run: Runbook, member: Member, state: State, elapsed: float) -> Result | None:
    """The member's result now, or None while it is still stopping."""
    if isinstance(state, ServerNotFound):
        error = WaitFailed(
            f"the server vanished while waiting for SHUTOFF: {state.message}",
            hint="it was deleted (or moved out of the project): nothing left to export from it",
        )
        return Result(False, "gone: " + state.message.split(" → ", 1)[-1], error)
    if isinstance(state, RunbookError):
        return None  # a read that failed after its retries: the next poll reads it again
    member.view = state
    if state.status == "SHUTOFF":
        return Result(
            True,
            f"SHUTOFF after {elapsed:.1f} s, vm_state {state.vm_state}, "
            f"power_state {state.power_state}",
        )
    failed = in_error(state)
    if failed is not None:
        return Result(False, failed.message, failed)
    accepted = member.stop_accepted or any(
        attempt.accepted for attempt in stop_attempts(run.journal.records, state.id)
    )
    if accepted and state.status == "ACTIVE" and state.task_state is None:
        error = WaitFailed(
            f"the server is ACTIVE with no task after the stop was accepted: {state.state_line()}",
            hint="the stop did not take effect (it failed on the cloud, or someone started the "
            "server again): check `openstack server show`, then run --from-step 4",
        )
        return Result(False, error.message, error)
    return None
