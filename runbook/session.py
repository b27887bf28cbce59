"""Which procedure an invocation belongs to: open (or create) its journal, check the pin, close.

- A live run continues the procedure the state file points at (or the one in ``--evidence``);
  otherwise, or with ``--new-procedure``, it starts a new one in a new folder
  ``evidence/<UTC time>-<random>/``. Every invocation appends an ``invocation`` record (who, on
  which host, which version, the masked command line, UTC time, a unique id).
- Before anything is sent, what this invocation is given is compared with the identity pinned at
  step 3 (``runbook.procedure``): a difference refuses.
- At the end: ``invocation_end``, ``runbook.json`` / ``runbook.md`` rendered from the journal, and
  the state file removed once the procedure is complete.
"""

from __future__ import annotations

import getpass
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runbook.compute import ServerView
from runbook.crashpoints import ENV_VAR, CrashPoints
from runbook.errors import StateFileError
from runbook.evidence import new_folder, write_evidence
from runbook.fleet import SERVERS_SOURCE, Fleet, source_options
from runbook.fleet_resume import FROM_JOURNAL
from runbook.journal import JOURNAL_NAME, Journal, JournalError, new_id
from runbook.options import NEW_PROCEDURE_OPTION
from runbook.procedure import (
    Mismatch,
    PinnedServer,
    ProcedureIdentity,
    compare_identity,
    completed_step,
    is_complete,
    last_variables,
    pinned_identity,
    refuse_mismatches,
)
from runbook.sources import environment, resolve_sources
from runbook.statefile import StatePointer, load_state, remove_state, save_state
from runbook.steps import STEPS
from runbook.variables import Variables

if TYPE_CHECKING:
    from runbook.context import Runbook

EVIDENCE_BASE = Path("evidence")


@dataclass
class Session:
    """The procedure this invocation works on, and how it got there."""

    journal: Journal
    procedure: str
    folder: Path | None
    target: str
    who: str
    crash_points: CrashPoints
    state_file: Path | None  # None: nothing to keep (rehearsal, dry run, memory journal)
    emulator: Any = None
    announcements: list[str] = field(default_factory=list)
    pin_checked: bool = False

    def save_pointer(self, variables: Variables) -> None:
        """Point the state file at this procedure, with the token in use (mode 0600)."""
        if self.state_file is not None and self.folder is not None:
            pointer = StatePointer(
                self.procedure,
                str(self.folder.resolve()),
                variables.token,
                variables.token_expires_at,
            )
            save_state(self.state_file, self.target, pointer)


def open_session(run: Runbook) -> Session:
    """Read the sources (or start the emulator), then open this invocation's procedure."""
    options, state = run.options, run.state
    emulator = None
    given = source_options(run.config)  # one --server-id is SERVER_ID; a fleet is run.fleet
    if options.live:
        state.sources = resolve_sources(given, environment())
    else:
        from runbook.rehearsal import start_emulator  # only a rehearsal needs the emulator

        emulator, credentials, server_id = start_emulator(
            options.region, fleet_names(run.fleet, options.rehearsal_servers)
        )
        state.sources = resolve_sources(given, credentials)
        if run.fleet is None and not state.sources.get("server_name"):  # --server-name: step 3
            state.sources.set("SERVER_ID", server_id, "the emulator's seed")
        if options.dry_run:  # no token, so no catalog: the emulator knows its COMPUTE
            state.sources.set("COMPUTE", emulator.compute_url, "the emulator")
    if run.fleet is not None:
        state.sources.set(SERVERS_SOURCE, f"{len(run.fleet)} servers", _fleet_origin(run))
    state.variables.auth_url = state.sources.get("auth_url")
    new_procedure = bool(run.config.getoption(NEW_PROCEDURE_OPTION, False))
    pointer = (
        load_state(options.state_file, options.target)
        if options.live and not new_procedure
        else None
    )
    folder = _folder(run, pointer, new_procedure)
    invocation = new_id()
    journal, notes = _journal(run, folder, invocation, new_procedure)
    if run.fleet is not None and _fleet_origin(run) == FROM_JOURNAL:
        notes.append(f"servers: the procedure's pinned list of {len(run.fleet)} (from the journal)")
    procedure = str(next(journal.contents.of_kind("procedure"))["procedure"])
    keep = options.live and not options.dry_run and folder is not None
    crash_points = CrashPoints(environment(), state.sources.get("auth_url"))
    session = Session(
        journal=journal,
        procedure=procedure,
        folder=folder,
        target=options.target,
        who=_who(),
        crash_points=crash_points,
        state_file=options.state_file if keep else None,
        emulator=emulator,
        announcements=notes,
    )
    journal.append("invocation", **_invocation_facts(run, session))
    if crash_points.point:
        notes.append(f"TEST HOOK {ENV_VAR}={crash_points.point}: this run kills itself there")
    elif crash_points.ignored:
        notes.append(f"{ENV_VAR} ignored: honoured only against an emulator on 127.0.0.1")
    _restore(run, session, pointer)
    session.save_pointer(state.variables)
    return session


def fleet_names(fleet: Fleet | None, rehearsal_servers: int | None) -> list[str]:
    """The servers a fleet rehearsal seeds in the emulator (``--rehearsal-servers``)."""
    return list(fleet.members) if fleet is not None and rehearsal_servers else []


def _fleet_origin(run: Runbook) -> str:
    if run.options.rehearsal_servers:
        return "--rehearsal-servers"
    if run.fleet is not None and all(m.origin == FROM_JOURNAL for m in run.fleet.members.values()):
        return FROM_JOURNAL  # a rerun that named no server
    servers_file = run.config.getoption("runbook_servers", None)
    return f"--servers {servers_file}" if servers_file else "--server-id (repeated)"


def _folder(run: Runbook, pointer: StatePointer | None, new_procedure: bool) -> Path | None:
    options = run.options
    if pointer is not None:
        folder = Path(pointer.folder)
        if options.evidence is not None and options.evidence.resolve() != folder.resolve():
            raise StateFileError(
                f"the state file {options.state_file} continues procedure {pointer.procedure} in "
                f"{folder}, but --evidence says {options.evidence}",
                hint=f"continue it with --evidence {folder} (or without --evidence), or start a "
                "new procedure explicitly with --new-procedure",
            )
        if not (folder / JOURNAL_NAME).is_file():
            raise StateFileError(
                f"the state file {options.state_file} points at {folder / JOURNAL_NAME}, "
                "which does not exist",
                hint=f"if that procedure's folder was moved, move it back; else delete "
                f"{options.state_file} and start again with --new-procedure",
            )
        return folder
    if options.evidence is not None:
        return options.evidence
    if options.live and not options.no_evidence:
        return new_folder(EVIDENCE_BASE)
    return None  # a rehearsal without --evidence, or --no-evidence: a journal in memory


def _journal(
    run: Runbook, folder: Path | None, invocation: str, new_procedure: bool
) -> tuple[Journal, list[str]]:
    options, secrets = run.options, run.secrets
    notes: list[str] = []
    if folder is None:
        journal = Journal(None, secrets, invocation)
        if options.live:
            notes.append(
                "--no-evidence: the journal is kept in memory only; a crash leaves no record "
                "and no later invocation can continue this procedure"
            )
    elif (folder / JOURNAL_NAME).exists() and options.live and not new_procedure:
        journal = Journal.open(folder, secrets, invocation)
        _refuse_complete(journal, folder)
        return journal, notes
    else:
        if (folder / JOURNAL_NAME).exists():
            raise JournalError(
                f"{folder} already holds the journal of another procedure",
                hint="give a new --evidence folder (or none: each procedure gets its own)",
            )
        journal = Journal.create(folder, secrets, invocation)
    journal.append(
        "procedure",
        procedure=new_id(),
        target=options.target,
        format=1,
        runbook="移行前の作業 — export pre-work (export-preparation.ja.txt)",
    )
    return journal, notes


def _refuse_complete(journal: Journal, folder: Path) -> None:
    if is_complete(journal.records):
        raise JournalError(
            f"the procedure in {folder} is complete (its last step, 5.7, ended); it cannot be continued",
            hint="start a new procedure: --new-procedure, with a new --evidence folder or none",
        )


def _restore(run: Runbook, session: Session, pointer: StatePointer | None) -> None:
    """Continue the procedure: its variables from the journal, its token from the state file."""
    records = session.journal.records
    invocations = sum(1 for _ in session.journal.contents.of_kind("invocation"))
    if invocations <= 1:
        return
    saved = last_variables(records)
    where = f"journal {_shown(session.journal.path)}, {len(records)} records"
    done = completed_step(records)
    source = f"resumed from {run.options.state_file}" if pointer else "continuing"
    session.announcements.append(
        f"{source}: procedure {session.procedure} ({where}; steps up to {STEPS[done].label if done in STEPS else done} done)"
    )
    torn = session.journal.contents.torn
    if torn:
        session.announcements.append(
            "the journal has a torn last write (a crash): "
            + "; ".join(t.describe() for t in torn)
            + " — every complete record before it is kept"
        )
    if saved is None:
        return
    variables = Variables.from_dict(saved)
    variables.origins = {name: "the journal" for name in ("COMPUTE", "PROJECT_ID", "SERVER_ID")}
    given = run.sources.get("TOKEN")
    if given and pointer is not None and pointer.token:
        session.announcements.append(
            f"TOKEN given ({run.sources.origin('TOKEN')}): used instead of the state file's token"
        )
    elif pointer is not None and pointer.procedure == session.procedure and pointer.token:
        variables.token, variables.token_expires_at = pointer.token, pointer.token_expires_at
        variables.origins["TOKEN"] = "the state file"  # noqa: S105 - a source name
        run.secrets.add(pointer.token)
    run.state.variables = variables


def verify_pin(run: Runbook) -> None:
    """Before anything is sent: what this invocation is given must match the pinned identity."""
    session = run.session
    if session is None or session.pin_checked:
        return
    session.pin_checked = True
    pinned = pinned_identity(session.journal.records)
    if pinned is None or not run.options.live:
        return
    _refuse(run, compare_identity(pinned, run.sources))


def pin_procedure(run: Runbook, server: ServerView) -> None:
    """Pin the identity once the server is read (step 3, or 4 when resuming); later: compare."""

    def other_server(pinned: ProcedureIdentity) -> Mismatch | None:
        if server.id in pinned.server_ids():
            return None
        return Mismatch("SERVER_ID", ", ".join(pinned.server_ids()), server.id, "step 3")

    pin_identity(run, (PinnedServer(server.id, server.name),), other_server)


def pin_identity(
    run: Runbook,
    servers: tuple[PinnedServer, ...],
    servers_mismatch: Callable[[ProcedureIdentity], Mismatch | None],
) -> None:
    """Pin the identity with ``servers`` (one, or a fleet); later: compare, refusing any difference.

    ``servers_mismatch`` says how the servers given now differ from the pinned ones (None: not).
    """
    session, v = run.session, run.variables
    if session is None or run.options.dry_run:
        return
    resolved = ProcedureIdentity(
        auth_url=v.auth_url or run.sources.get("auth_url"),
        region=v.region,
        project_id=v.project_id,
        project_name=run.grant.project_name if run.grant else None,
        compute=v.compute,
        servers=servers,
    )
    pinned = pinned_identity(session.journal.records)
    if pinned is None:
        session.journal.append("pinned", step=run.state.current_step, identity=resolved.as_dict())
    else:
        found = [
            Mismatch(name, str(old), str(new), "this invocation's step 3")
            for name, old, new in (
                ("identity endpoint", pinned.auth_url, resolved.auth_url),
                ("region", pinned.region, resolved.region),
                ("PROJECT_ID", pinned.project_id, resolved.project_id),
                ("COMPUTE", pinned.compute, resolved.compute),
            )
            if old and new and old.rstrip("/") != new.rstrip("/")
        ]
        other = servers_mismatch(pinned)
        if other is not None:
            found.append(other)
        _refuse(run, found)
    saved = {key: value for key, value in v.as_dict().items() if key != "token"}
    session.journal.append("variables", step=run.state.current_step, variables=saved)


def _refuse(run: Runbook, found: list[Mismatch]) -> None:
    if not found or run.session is None:
        return
    session = run.session
    session.journal.append("refused", reasons=[m.describe() for m in found])
    refuse_mismatches(found, session.procedure, str(_shown(session.folder)))


def close_session(run: Runbook, exit_status: int) -> tuple[list[Path], str | None]:
    """Journal the end, render the evidence, settle the state file: ``(paths, state note)``."""
    session = run.session
    if session is None:
        return [], None
    session.journal.append("invocation_end", exit_status=exit_status)
    paths: list[Path] = []
    if session.folder is not None and not run.options.no_evidence:
        paths = [
            _shown(path)
            for path in write_evidence(session.folder, run.secrets, session.journal.invocation)
        ]
    session.journal.close()
    note = None
    complete = session.state_file is not None and is_complete(session.journal.records)
    if complete and session.state_file is not None and remove_state(session.state_file):
        note = f"state file {session.state_file} removed (the procedure is complete)"
    return paths, note


def _shown(path: Path | None) -> Path:
    """``path`` relative to the current directory when it is under it (as the operator typed it)."""
    if path is None:
        return Path("-")
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = f"uid {os.getuid()}"
    return f"{user}@{socket.gethostname()}"


def _invocation_facts(run: Runbook, session: Session) -> dict[str, Any]:
    options = run.options
    user, _, host = session.who.partition("@")
    try:
        version = metadata.version("fjcloud-export-prep")
    except metadata.PackageNotFoundError:
        version = "unknown (not installed)"
    return {
        "user": user,
        "host": host,
        "pid": os.getpid(),
        "version": version,
        "argv": _masked_argv(sys.argv, run),
        "cwd": os.getcwd(),
        "target": options.target,
        "dry_run": options.dry_run,
        "steps": [options.from_step, options.to_step],
        "procedure": session.procedure,
    }


def _masked_argv(argv: list[str], run: Runbook) -> list[str]:
    """The command line with the value of ``--token`` (the one secret option) masked."""
    masked, hide_next = [], False
    if argv and argv[0].endswith(("pytest/__main__.py", "pytest\\__main__.py")):
        argv = ["python -m pytest", *argv[1:]]  # what was typed, not the module's path
    for arg in argv:
        if hide_next:
            masked.append("***")
            hide_next = False
        elif arg == "--token":
            masked.append(arg)
            hide_next = True
        elif arg.startswith("--token="):
            masked.append("--token=***")
        else:
            masked.append(run.secrets.mask_text(arg))
    return masked
