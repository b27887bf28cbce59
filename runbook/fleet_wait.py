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
from runbook.procedure import stop_attempts

if TYPE_CHECKING:
    from runbook.context import Runbook

State = ServerView | RunbookError
# Until one listing has shown how many pages the project's servers take, a listing is assumed to
# cost one page: cheaper than GETs from two servers on (Nova's max_limit is 1000 by default,
# nova/conf/api.py; FJcloud-O does not document its own — so the real count replaces the guess
# as soon as one listing was read).
_ASSUMED_PAGES = 1


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
    """Poll until every member is SHUTOFF or failed (ERROR, gone, stopped no more, timed out)."""
    opts = run.options
    width = max((len(m.label) for m in members), default=4)
    shown: dict[str, tuple[str, str]] = {}
    pending = list(members)
    started = clock()
    while pending:
        poll_started = clock()
        states = read_states(run, fleet, pending)
        elapsed = clock() - started
        waiting: list[Member] = []
        changed = False
        lines: list[str] = []  # one note per poll: one journal record, not one per server
        for member in pending:
            state = states[member.label]
            result = _judge(run, member, state, elapsed)
            seen = _seen(state)
            if shown.get(member.label) != seen:
                shown[member.label] = seen
                changed = True
                lines.append(
                    f"{member.label:<{width}}  {_clock(elapsed, opts.poll_interval)} s  "
                    f"status {seen[0]:<8} task_state {seen[1]}"
                )
            if result is None:
                waiting.append(member)
            else:
                fleet.record(member, 5, result)
        if waiting and elapsed >= opts.poll_timeout:
            for member in waiting:
                state = states[member.label]
                line = state.state_line() if isinstance(state, ServerView) else str(state)
                error = WaitFailed(
                    f"not SHUTOFF after {opts.poll_timeout:g} s: {line}",
                    hint="the stop may still complete: run again with --from-step 5 (it waits "
                    "only for the servers not yet done), or with a larger --poll-timeout",
                )
                fleet.record(member, 5, Result(False, error.message, error))
            waiting = []
            changed = True
        if changed:
            done, failed = fleet.counts(5)
            lines.append(
                f"{'total':<{width}}  {_clock(elapsed, opts.poll_interval)} s  {done} SHUTOFF, "
                f"{failed} failed, {len(waiting)} waiting of {len(members)}"
            )
        fleet.flush(run)  # this poll's results: one record
        if lines:
            run.progress("\n      ".join(lines))  # also the crash tests' instant wait/polled
        else:
            run.checkpoint("wait/polled")
        pending = waiting
        if pending:
            spent = clock() - poll_started
            left = opts.poll_timeout - elapsed
            sleep(max(0.0, min(opts.poll_interval - spent, left)))


def _clock(elapsed: float, interval: float) -> str:
    # Sub-0.1 s polls (rehearsals) need two decimals, or every line reads "0.0 s".
    return f"{elapsed:7.2f}" if interval < 0.1 else f"{elapsed:7.1f}"


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
    if state.status == "ERROR":
        fault = f" ({state.fault})" if state.fault else ""
        error = WaitFailed(
            f"the server went to ERROR while stopping{fault}: {state.state_line()}",
            hint="the cloud could not stop it: look at `openstack server show` and give the "
            "request ids in the evidence to FJcloud-O support",
        )
        return Result(False, error.message, error)
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
