"""Steps 1, 3 and 4 for a fleet (``runbook.fleet``): the same steps, for every selected server.

Step 3 reads every server before anything is stopped (one paged ``servers/detail`` listing, the
names resolved exactly) and pins the list; step 4 reads them again, asks **one** question for the
whole table and stops each with the single server's idempotent stop (``runbook.stopping``), at
most ``--parallel`` requests in flight. One server's failure never stops the others: it is that
server's result, reported by its own test item.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from runbook.compute import ServerNotFound, ServerView
from runbook.console import display_width, pad
from runbook.curl import export_lines, show_command, stop_command
from runbook.errors import ApiError, NotConfirmed, RunbookError
from runbook.fleet import Fleet, Member, Result, member_compute
from runbook.fleet_list import as_uuid
from runbook.fleet_pin import members_from_pin, pin_fleet
from runbook.fleet_wait import read_states, wait_fleet
from runbook.procedure import stop_attempts
from runbook.resolve import check_zone, similar_names
from runbook.stopping import earlier_stop, stop_server

if TYPE_CHECKING:
    from runbook.context import Runbook

GONE_HINT = (
    "the server was deleted (or moved out of the project) after step 3: check `openstack server "
    "list`. The other servers are not affected; when it is gone, continue without it: run "
    "--from-step 4 with a list that leaves it out"
)


def confirm_manual_step(run: Runbook, fleet: Fleet) -> None:
    """Step 1: list the servers; the operator confirms the guest settings of each, one by one."""
    note_lines(run, [f"- {m.label}   (from {m.origin})" for m in fleet.members.values()])
    opts = run.options
    if not opts.live:
        run.done(f"rehearsal: acknowledged automatically for {len(fleet)} servers")
        return
    if opts.dry_run:
        run.done("dry run: not asked")
        return
    if opts.confirm_manual:  # one flag confirms every server at once: one record names them all
        names = ", ".join(fleet.members)
        run.confirmed("--confirm-manual", f"step 1 done inside the guest of each of: {names}")
        run.done(f"confirmed for each of {len(fleet)} servers by --confirm-manual")
        return
    for member in fleet.members.values():
        question = f"step 1 done inside the guest of {member.label}"
        answer = run.console.confirm(
            f"Have the guest settings of {member.label!r} been initialised (一部の設定の初期化)?"
        )
        if answer is None:
            raise NotConfirmed(
                "step 1 is manual and there is no terminal to confirm it on; nothing was sent",
                hint="do it inside every guest, then pass --confirm-manual",
            )
        if not answer:
            raise NotConfirmed(
                f"step 1 not confirmed for {member.label!r}; nothing was sent",
                hint="do it inside that guest first (or leave the server out of the list), then "
                "run again",
            )
        run.confirmed("answered yes at the prompt", question)
    run.done(f"confirmed for each of {len(fleet)} servers by the operator at the prompt")


def check_fleet(run: Runbook, fleet: Fleet) -> None:
    """Step 3: every server resolved to one id and read, shown in one table, pinned as a list."""
    if not run.variables.token:
        for member in fleet.members.values():
            run.note(f"{member.label}: not read (no TOKEN yet)")
        run.done(f"dry run: {len(fleet)} servers listed; not read (no TOKEN yet)")
        return
    compute = run.compute()
    # GET {COMPUTE}/{v2|v2.1}/{PROJECT_ID}/servers/detail (every page): one listing reads the whole
    # fleet; Nova's name filter is a regular expression, so names are compared exactly here.
    listed, fleet.listing_pages = compute.servers_detail()
    by_id = {server.id: server for server in listed}
    problems: list[tuple[Member, RunbookError]] = []
    for member in fleet.members.values():
        try:
            member.view = _resolve(run, member, listed, by_id)
            check_zone(run.variables, member.view.availability_zone)  # a zone of the region
        except RunbookError as exc:
            problems.append((member, exc))
            continue
        member.server_id, member.name = member.view.id, member.view.name
    owners: dict[str, Member] = {}
    for member in fleet.members.values():
        if member.server_id and member.server_id in owners:
            other = owners[member.server_id]
            same = RunbookError(
                f"{member.label} and {other.label} are the same server ({member.server_id})",
                hint=f"give each server once: leave {member.label!r} or {other.label!r} out of "
                "the list",
            )
            problems.append((member, same))
        elif member.server_id:
            owners[member.server_id] = member
    show_table(run, [m for m in fleet.members.values() if m.view is not None])
    # Each server's result of step 3 (the evidence's section per server; the table of outcomes
    # names each one that cannot be used, with what to do).
    refused = {member.label for member, _ in problems}
    for member in fleet.members.values():
        if member.label not in refused and member.view is not None:
            view = member.view
            read = f"read: {view.status}, task_state {view.task_state or '-'}"
            fleet.record(member, 3, Result(True, f"{read}, zone {view.availability_zone or '-'}"))
    for member, error in problems:
        fleet.record(member, 3, Result.failed(error))
    fleet.flush(run)
    if problems:
        raise RunbookError(
            f"the servers: {len(problems)} of {len(fleet)} cannot be used — "
            + "; ".join(f"{m.label} ({m.origin}): {error.message}" for m, error in problems)
            + ". Nothing was stopped",
            hint="fix the list (`openstack server list` shows names and ids), then run again",
        )
    pin_fleet(run, list(fleet.members.values()))
    statuses: dict[str, int] = {}
    for member in fleet.members.values():
        status = member.view.status if member.view else "?"
        statuses[status] = statuses.get(status, 0) + 1
    shown = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    run.done(f"variables checked; {len(fleet)} servers read ({shown}), pinned")


def _resolve(
    run: Runbook, member: Member, listed: list[ServerView], by_id: dict[str, ServerView]
) -> ServerView:
    if member.label in by_id:
        return by_id[member.label]
    if as_uuid(member.label) is not None:
        # Not in the project's listing: the server's own GET gives Nova's answer (404 …).
        try:
            return member_compute(run, member.label).show_server()
        except ServerNotFound as exc:
            exc.hint = (
                f"check the id in the list (`openstack server list` shows the project's) and "
                f"PROJECT_ID (the server must be in the token's project, {run.variables.project_id})"
            )
            raise
    candidates = [server for server in listed if server.name == member.label]
    if len(candidates) == 1:
        return candidates[0]
    project = run.variables.project_id
    if not candidates:
        similar = similar_names(member.label, [(srv.name, srv.id) for srv in listed])
        raise RunbookError(
            f"no server named {member.label!r} in project {project} (names are compared exactly)"
            + (f"; similar names: {similar}" if similar else ""),
            hint="give the exact name or the id (`openstack server list` shows both)",
        )
    ids = ", ".join(f"{server.id} ({server.status})" for server in candidates)
    raise RunbookError(
        f"{len(candidates)} servers are named {member.label!r}: {ids} — list the id of the one "
        "meant instead of the name",
        hint="give the id of the one to stop instead of the name (`openstack server show <id>` "
        "tells them apart)",
    )


def show_table(run: Runbook, members: list[Member]) -> None:
    """One line per server: name, id, status, task_state, availability zone (display widths)."""
    rows = [("name", "id", "status", "task_state", "availability zone")]
    for member in members:
        view = member.view
        if view is not None:
            rows.append(
                (
                    view.name,
                    view.id,
                    view.status,
                    view.task_state or "-",
                    view.availability_zone or "-",
                )
            )
    widths = [max(display_width(row[i]) for row in rows) + 2 for i in range(4)]
    note_lines(
        run, ["".join(pad(c, widths[i]) for i, c in enumerate(row[:4])) + row[4] for row in rows]
    )


def note_lines(run: Runbook, lines: list[str]) -> None:
    """Several lines as ONE note: one journal record (each is fsynced) for a table of 200 servers."""
    run.note("\n      ".join(lines))


def dry_run_commands(run: Runbook, members: list[Member], step: int) -> None:
    """The document's curl command of step 4 or 5 for each server."""
    verify, version = run.http_settings().verify, run.variables.compute_version or "v2"
    command = stop_command(version, verify) if step == 4 else show_command(version, verify)
    for member in members:
        server_id = member.server_id or as_uuid(member.label)
        lines = export_lines({"SERVER_ID": server_id})
        if server_id is None:
            lines.insert(0, f"# {member.label}: its id is resolved in step 3")
        run.curl("\n".join([*lines, command]))


def stop_fleet(run: Runbook, fleet: Fleet, members: list[Member]) -> None:
    """Step 4 for every selected server: fresh reads, one confirmation, parallel idempotent stops."""
    opts = run.options
    unresolved = [m for m in members if m.server_id is None]
    if unresolved and not opts.dry_run:
        members_from_pin(run, unresolved)
    if opts.dry_run:
        dry_run_commands(run, members, 4)
        for member in members:
            fleet.record(member, 4, Result(True, "dry run: not sent"))
        return
    states = read_states(run, fleet, members)  # the state now, not as it was at step 3
    to_stop: list[Member] = []
    for member in members:
        state = states[member.label]
        if isinstance(state, ServerNotFound):  # deleted since step 3: its own failure
            state.hint = GONE_HINT
            fleet.record(member, 4, Result.failed(state, "gone: "))
            continue
        if isinstance(state, RunbookError):
            fleet.record(member, 4, Result.failed(state))
            continue
        member.view = state
        try:
            decided = _decide(run, member, state)
        except RunbookError as exc:
            fleet.record(member, 4, Result.failed(exc))
            continue
        if decided is None:
            to_stop.append(member)
        else:
            fleet.record(member, 4, Result(True, decided))
    fleet.flush(run)
    if to_stop:
        _confirm(run, to_stop)
        plural = "s" if len(to_stop) != 1 else ""
        run.note(
            f"stopping {len(to_stop)} server{plural}, at most {opts.parallel} requests at once"
        )
        with ThreadPoolExecutor(max_workers=min(opts.parallel, len(to_stop))) as pool:
            for member, result in zip(
                to_stop, pool.map(lambda m: _stop_one(run, m), to_stop), strict=True
            ):
                fleet.record(member, 4, result)
                mark = "ok" if result.ok else "FAILED"  # journalled as its fleet_server record
                run.console.line(f"      {member.label}: {mark}: {result.summary}")
                fleet.announced.add((4, member.label))


def _decide(run: Runbook, member: Member, server: ServerView) -> str | None:
    """What was done without asking (None: it is to be stopped), as for one server."""
    check_zone(run.variables, server.availability_zone)  # also when resuming
    attempts = stop_attempts(run.journal.records, server.id)
    earlier = earlier_stop(attempts, server, run.journal, _noter(run, member))
    member.stop_accepted = any(
        attempt.accepted for attempt in stop_attempts(run.journal.records, server.id)
    )
    if earlier is not None:
        return earlier
    if server.status == "SHUTOFF":
        return "already stopped (SHUTOFF): no request sent"
    if run.options.stop_method == "guest":
        return "nothing sent (--stop-method guest): the operator shuts the guest down"
    return None


def _noter(run: Runbook, member: Member) -> Callable[[str], None]:
    return lambda text: run.note(f"{member.label}: {text}")


def _confirm(run: Runbook, members: list[Member]) -> None:
    """ONE question for the whole table (or --yes / a rehearsal), journalled with every id."""
    opts, v = run.options, run.variables
    show_table(run, members)
    ids = ", ".join(f"{m.name} ({m.server_id})" for m in members)
    what = f"stop {len(members)} servers in region {v.region or '-'}: {ids}"
    if opts.live and not opts.yes:
        answer = run.console.confirm(
            f"Stop these {len(members)} servers (region {v.region or '-'}, project "
            f"{v.project_id})? The stop API is equivalent to a forced stop."
        )
        if answer is None:
            raise NotConfirmed(
                f"refusing to stop {len(members)} servers: there is no terminal to confirm on "
                "and --yes was not given. Nothing was stopped.",
                hint="run it on a terminal to be asked, or pass --yes to confirm non-interactively",
            )
        if not answer:
            raise NotConfirmed(
                f"not confirmed: none of the {len(members)} servers was stopped",
                hint="run again with --from-step 4 when they may be stopped",
            )
        run.confirmed("answered yes at the prompt", what)
        run.note("confirmed at the prompt")
    else:
        run.confirmed("--yes" if opts.live else "rehearsal (the emulator's servers)", what)


def _stop_one(run: Runbook, member: Member) -> Result:
    """POST os-stop for one server (journalled intent and outcome), judged as for one server."""
    assert member.server_id is not None
    compute = member_compute(run, member.server_id)
    try:
        outcome = stop_server(compute, _noter(run, member), run.journal)
    except ApiError as exc:
        if exc.status == 404 and exc.hint is None:  # Nova's itemNotFound for the action
            exc.hint = GONE_HINT
        return Result.failed(exc, "gone: " if exc.status == 404 else "")
    except RunbookError as exc:
        return Result.failed(exc)
    member.stop_accepted = outcome.accepted
    return Result(True, outcome.summary)


def fleet_item(run: Runbook, step: int, label: str) -> None:
    """One server's item of step 4 or 5: the first item does the fleet's work, each reports its own.

    Work that fails for the whole fleet (no confirmation, no token …) is every server's result.
    """
    fleet = run.fleet
    assert fleet is not None
    does_the_work = step not in fleet.started_steps
    if does_the_work:
        fleet.started_steps.add(step)
        members = [m for m in fleet.selected_for(step) if m.failed_at() is None]
        try:
            _ensure_variables(run)  # when resuming with --from-step 4 or 5
            with run.polling():  # the fleet's own lines instead of one per request
                if step == 4:
                    stop_fleet(run, fleet, members)
                else:
                    wait_step(run, fleet, members)
        except RunbookError as exc:
            for member in members:
                if step not in member.results:
                    fleet.record(member, step, Result.failed(exc))
        finally:
            fleet.flush(run)
    run.done(fleet.summary(step))
    result = fleet.members[label].results.get(step)
    if result is None:
        raise RunbookError(f"{label}: step {step} did not act on this server")
    if not result.ok:
        raise result.error or RunbookError(result.summary)
    if not (does_the_work and (step, label) in fleet.announced):  # printed with the others
        run.console.line(
            f"      {label}: {result.summary}"
        )  # journalled as its fleet_server record


def _ensure_variables(run: Runbook) -> None:
    """``run.ensure_variables()``, a saved token that has expired renewed once with the password.

    A fleet has no one SERVER_ID, so a rerun from step 4 or 5 always resolves its variables and
    reads the saved token's catalog (GET /v3/auth/tokens); a 401 there is what a single server's
    first request meets, and is answered the same way (``member_compute``): one new token.
    """
    try:
        run.ensure_variables()
    except ApiError as exc:
        if exc.status != 401 or (run.auth is None and not run.sources.get("password")):
            raise
        run.reauthenticate()
        run.ensure_variables()


def wait_step(run: Runbook, fleet: Fleet, members: list[Member]) -> None:
    """Step 5 for every selected server still in the running."""
    opts = run.options
    unresolved = [m for m in members if m.server_id is None]
    if unresolved and not opts.dry_run:
        members_from_pin(run, unresolved)
    if opts.dry_run:
        dry_run_commands(run, members, 5)
        for member in members:
            fleet.record(member, 5, Result(True, "dry run: not polled"))
        return
    run.note(
        f"waiting for SHUTOFF of {len(members)} servers: every {opts.poll_interval:g} s, up to "
        f"{opts.poll_timeout:g} s"
    )
    wait_fleet(run, fleet, members)
