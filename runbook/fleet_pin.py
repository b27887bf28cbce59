"""A fleet's place in the procedure's identity: every server pinned at step 3, compared later.

The journal's ``pinned`` record has a list of servers (``runbook.procedure``); a fleet fills it with
all of them. A later invocation resolves its list again (step 3) or takes the ids from the pin
(steps 4–5 only); either way a server that is not the pinned one refuses before anything is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runbook.chainoptions import parse_pages
from runbook.errors import VariableError
from runbook.fleet import Member
from runbook.fleet_export import export_hint
from runbook.procedure import (
    IdentityMismatch,
    Mismatch,
    PinnedServer,
    ProcedureIdentity,
    pinned_identity,
)
from runbook.session import pin_identity

if TYPE_CHECKING:
    from runbook.context import Runbook


def pin_fleet(run: Runbook, members: list[Member]) -> None:
    """Pin the procedure's identity with every server (or compare with the pinned list)."""
    servers = tuple(PinnedServer(m.server_id or "", m.name or "") for m in members)
    given = [s.id for s in servers]

    def other_servers(pinned: ProcedureIdentity) -> Mismatch | None:
        if sorted(pinned.server_ids()) == sorted(given):
            return None
        return _servers_mismatch(pinned, given)

    pin_identity(run, servers, other_servers)


def _servers_mismatch(pinned: ProcedureIdentity, given: list[str]) -> Mismatch:
    shown = ", ".join(f"{s.name} ({s.id})" for s in pinned.servers)
    return Mismatch("servers", shown, ", ".join(given), "this invocation's list of servers")


def members_from_pin(run: Runbook, members: list[Member]) -> None:
    """Steps 4–5 without step 3 in this invocation: each server's id from the pinned list."""
    pinned = pinned_identity(run.journal.records) if run.session else None
    if pinned is None:
        raise VariableError(
            "the servers",
            "not resolved: step 3 did not run in this invocation and the procedure has no "
            "pinned list of servers",
            sources="run from step 3 (it reads and pins every server)",
        )
    for member in members:
        match = [s for s in pinned.servers if member.label in (s.id, s.name)]
        if len(match) != 1:
            mismatch = _servers_mismatch(pinned, [member.label])
            run.journal.append("refused", reasons=[mismatch.describe()])
            raise IdentityMismatch(
                f"refusing: {member.label!r} ({member.origin}) is not one of the servers pinned "
                f"at step 3 of procedure {run.session.procedure if run.session else '-'} — "
                f"{mismatch.describe()}. Nothing was sent.",
                hint="continue with the pinned list (the same --servers file), or start a new "
                "procedure explicitly with --new-procedure",
            )
        member.server_id, member.name = match[0].id, match[0].name


def refuse_fleet_without_list(run: Runbook) -> None:
    """A procedure pinned with several servers continues only with its list (before preflight).

    Without it, this invocation would be a single-server one, and preflight would ask for a
    SERVER_ID: say instead which procedure this is and how to continue it.
    """
    if run.fleet is not None or run.session is None or not run.options.live:
        return
    pinned = pinned_identity(run.journal.records)
    if pinned is None or len(pinned.servers) < 2 or run.sources.get("SERVER_ID"):
        return
    shown = ", ".join(f"{s.name} ({s.id})" for s in pinned.servers)
    run.journal.append("refused", reasons=[f"a fleet procedure without its list: {shown}"])
    hint = (
        "continue it with the same list (--servers FILE, or --server-id once per server); "
        "or start a new procedure explicitly with --new-procedure"
    )
    if any(page > 1 for page in parse_pages(run.config.getoption("runbook_pages", None))):
        first = pinned.servers[0]
        hint = export_hint(first.name or first.id, first.id)  # a fleet's procedure is page 1 only
    raise IdentityMismatch(
        f"refusing: procedure {run.session.procedure} is a fleet of {len(pinned.servers)} servers "
        f"(pinned at step 3: {shown}), and this invocation names none. Nothing was sent.",
        hint=hint,
    )
