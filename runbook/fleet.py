"""A fleet: several servers in one procedure — which servers, and what became of each.

Selected with ``--server-id`` (repeated), ``--servers FILE`` or, in a rehearsal,
``--rehearsal-servers N``. A single ``--server-id`` (or the document's ``SERVER_ID``) is not a
fleet: the steps run exactly as for one server. In a fleet, steps 4 and 5 are parametrised by the
servers' labels (as given: a UUID or a name), so ``-k web-1`` and ``--lf`` select servers; step 4's
first item confirms and stops every selected server, step 5's first item waits for all of them, and
each item then reports its own server's outcome. The journal holds one ``fleet_server`` record per
server and step: the evidence's section per server, and what a rerun continues from.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from runbook.compute import ComputeApi, ServerView
from runbook.errors import ApiError, RunbookError
from runbook.fleet_list import NAMES_IN_A_FILE, Selector, as_uuid, parse_selector, read_servers_file
from runbook.fleet_resume import pinned_labels

if TYPE_CHECKING:
    from runbook.context import Runbook

FLEET_PARAM = "fleet_server"
SERVERS_SOURCE = "servers"  # in ``Sources``: "N servers" when a fleet is selected
_LABELS_KEY = pytest.StashKey["list[Selector] | None"]()


def selection(config: pytest.Config) -> list[Selector] | None:
    """The fleet this run was given (None: not a fleet); duplicates refused. Cached per run."""
    if _LABELS_KEY in config.stash:
        return config.stash[_LABELS_KEY]
    ids = _server_ids(config)
    # One --server-id is the single-server procedure (its id checked as SERVER_ID is); repeated,
    # each must be a server id, as its name says: names go in a --servers file.
    given = (
        [parse_selector(s, "--server-id", "--server-id", ids_only=NAMES_IN_A_FILE) for s in ids]
        if len(ids) > 1
        else [Selector(as_uuid(s) or s.strip(), "--server-id") for s in ids]
    )
    servers_file = config.getoption("runbook_servers", None)
    if servers_file:
        if given:
            raise pytest.UsageError(
                f"runbook: --servers {servers_file} and --server-id both name servers: give the "
                "fleet in one place (the ids can go in the file, one per line). Nothing was asked "
                "or sent."
            )
        given = read_servers_file(Path(str(servers_file)))
    rehearsal = config.getoption("runbook_rehearsal_servers", None)
    if rehearsal:
        if given:
            raise pytest.UsageError(
                "runbook: --rehearsal-servers seeds its own servers: do not also give "
                "--server-id or --servers"
            )
        given = [Selector(name, "--rehearsal-servers") for name in rehearsal_names(int(rehearsal))]
    pinned = pinned_labels(config) if not given else None  # a rerun naming no server
    if pinned:
        given = [Selector(label, origin) for label, origin in pinned]
    fleet = given if (servers_file or rehearsal or pinned or len(given) > 1) else None
    if fleet is not None:
        _refuse_duplicates(fleet)
        if servers_file and not fleet:
            raise pytest.UsageError(f"runbook: --servers {servers_file}: no server in it")
    config.stash[_LABELS_KEY] = fleet
    return fleet


def _server_ids(config: pytest.Config) -> list[str]:
    value = config.getoption("runbook_server_id", None)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _refuse_duplicates(fleet: list[Selector]) -> None:
    seen: dict[str, Selector] = {}
    for selector in fleet:
        if selector.text in seen:
            raise pytest.UsageError(
                f"runbook: {selector.text!r} is given twice ({seen[selector.text].origin} and "
                f"{selector.origin}): each server once, so that it is stopped once. Nothing was "
                "asked or sent."
            )
        seen[selector.text] = selector


def rehearsal_names(count: int) -> list[str]:
    """``fleet-01`` … (as many digits as ``count`` needs, at least two)."""
    digits = max(2, len(str(count)))
    return [f"fleet-{n:0{digits}d}" for n in range(1, count + 1)]


def source_options(config: pytest.Config) -> dict[str, Any]:
    """The options as ``runbook.sources`` reads them: one ``--server-id`` is SERVER_ID, a fleet none."""
    options = dict(vars(config.option))
    ids = _server_ids(config)
    options["runbook_server_id"] = ids[0] if len(ids) == 1 and selection(config) is None else None
    return options


@dataclass
class Result:
    """What one step did for one server: ``ok`` or the error that explains why not."""

    ok: bool
    summary: str
    error: RunbookError | None = None

    @classmethod
    def failed(cls, error: RunbookError, prefix: str = "") -> Result:
        """A failure; an API error's summary without its URL (the id is in the table)."""
        text = error.message.split(" → ", 1)[-1] if isinstance(error, ApiError) else error.message
        return cls(False, prefix + text, error)


@dataclass
class Member:
    """One server of the fleet in this invocation."""

    label: str
    origin: str
    server_id: str | None = None
    name: str | None = None
    view: ServerView | None = None  # the last read
    stop_accepted: bool = False  # a stop is under way or done (this or an earlier invocation)
    results: dict[int, Result] = field(default_factory=dict)

    def shown(self) -> str:
        """``web-1 (1c6f…)`` — the name and the id as far as known (only the id: no name read)."""
        server_id = self.server_id or as_uuid(self.label)
        name = self.name or (None if as_uuid(self.label) else self.label)
        if name is None:
            return str(server_id)
        return f"{name} ({server_id or 'id not resolved'})"

    def failed_at(self) -> int | None:
        """The step whose result for this server failed, if any."""
        return next((step for step, r in sorted(self.results.items()) if not r.ok), None)


def server_results(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every server's result of a step, in order, from the journal's ``fleet_servers`` records."""
    return [
        {**entry, "at": record.get("at")}
        for record in records
        if record.get("kind") == "fleet_servers"
        for entry in record.get("results") or []
    ]


def some(names: list[str], most: int = 5) -> str:
    """``a, b, c`` — or the first ``most`` and how many more (a line of the report stays a line)."""
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"


class Fleet:
    """The fleet's members and what each step did for each, for the report and the journal."""

    def __init__(self, selectors: Iterable[Selector]) -> None:
        self.members = {s.text: Member(s.text, s.origin) for s in selectors}
        self.started_steps: set[int] = set()  # steps whose fleet-wide work has been done
        self.listing_pages: int | None = None  # pages of the last paged servers/detail listing
        self._selected: dict[int, list[Member]] = {}
        self._unjournalled: list[tuple[Member, int, Result]] = []
        self._done5: set[str] | None = None  # labels seen SHUTOFF at step 5 in this procedure
        self.selection_known = False  # set from the session's items before the first step runs
        self.announced: set[tuple[int, str]] = set()  # (step, label): its result already printed
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.members)

    def select(self, step: int, label: str) -> None:
        """The item of ``step`` for ``label`` is in this session (``-k``, ``--lf`` choose them)."""
        self._selected.setdefault(step, [])
        if label in self.members and self.members[label] not in self._selected[step]:
            self._selected[step].append(self.members[label])

    def selected_for(self, step: int) -> list[Member]:
        """The members whose item of ``step`` runs in this session, in the list's order."""
        return list(self._selected.get(step, []))

    def is_first(self, step: int, label: str) -> bool:
        """``label``'s item is the first of ``step`` in this session."""
        selected = self._selected.get(step) or []
        return not selected or selected[0].label == label

    def is_last(self, step: int, label: str) -> bool:
        """``label``'s item is the last of ``step`` in this session."""
        selected = self._selected.get(step) or []
        return not selected or selected[-1].label == label

    def failed_at(self, label: str) -> int | None:
        """The step at which ``label``'s server failed in this invocation, if any."""
        member = self.members.get(label)
        return member.failed_at() if member is not None else None

    def step_outcome(self, step: int, records: list[dict[str, Any]]) -> tuple[str, str | None]:
        """The step's outcome for the whole fleet: FAILED when any server failed at it; step 5
        ``incomplete`` while a server of the list has not been seen SHUTOFF in the procedure."""
        failed = [m for m in self.members.values() if step in m.results and not m.results[step].ok]
        if failed:
            # One reason shared by many (no terminal to confirm on, the token refused) once.
            reasons: dict[str, list[str]] = {}
            for member in failed:
                reasons.setdefault(member.results[step].summary, []).append(member.label)
            names = "; ".join(f"{some(labels)} ({reason})" for reason, labels in reasons.items())
            return "FAILED", f"{len(failed)} of {len(self)} servers failed: {names}"
        if step == 5:
            if self._done5 is None:  # read the journal once; flush adds this invocation's
                self._done5 = {
                    str(r.get("label"))
                    for r in server_results(records)
                    if r["step"] == 5 and r["ok"]
                }
            done = self._done5
            missing = [label for label in self.members if label not in done]
            if missing:
                return "incomplete", (
                    f"{len(missing)} of {len(self)} servers not yet seen SHUTOFF: {some(missing)}"
                )
        return "passed", None

    def summary(self, step: int) -> str:
        """``28 of 30 servers ok, 2 failed`` for the step's line in the report."""
        ok, failed = self.counts(step)
        text = f"{ok} of {ok + failed} servers ok"
        if failed:
            text += f", {failed} failed (see the table of servers below)"
        selected = self.selected_for(step)
        earlier = sum(1 for m in selected if step not in m.results and m.failed_at() is not None)
        if earlier:
            text += f"; {earlier} not run (failed at an earlier step)"
        if len(selected) < len(self):
            text += (
                f"; {len(self) - len(selected)} of the {len(self)} listed not selected (-k, --lf)"
            )
        return text

    def record(self, member: Member, step: int, result: Result) -> None:
        """Keep one server's result of ``step``; ``flush`` journals what was kept since the last."""
        with self._lock:
            member.results[step] = result
            self._unjournalled.append((member, step, result))

    def flush(self, run: Runbook) -> None:
        """One ``fleet_servers`` record for the results kept since the last flush.

        One record per batch, not per server: each record is fsynced, and at 200 servers one per
        server cost seconds. Nothing is decided from these records but the report and the
        evidence's section per server; what was sent is in each request's intent and outcome.
        """
        with self._lock:
            batch, self._unjournalled = self._unjournalled, []
        if batch:
            results = [
                {
                    "step": step,
                    "label": member.label,
                    "server_id": member.server_id,
                    "name": member.name,
                    "ok": result.ok,
                    "summary": result.summary,
                    "reason": result.error.render() if result.error else None,
                }
                for member, step, result in batch
            ]
            run.journal.append("fleet_servers", results=results)
            if self._done5 is not None:
                self._done5 |= {m.label for m, step, r in batch if step == 5 and r.ok}

    def counts(self, step: int) -> tuple[int, int]:
        """``(ok, failed)`` among the members with a result for ``step``."""
        results = [m.results[step] for m in self.members.values() if step in m.results]
        return sum(r.ok for r in results), sum(not r.ok for r in results)


_REAUTH_LOCK = threading.Lock()


def member_compute(run: Runbook, server_id: str) -> ComputeApi:
    """The document's calls for one server: the run's variables with this SERVER_ID.

    A 401 re-authenticates once for the whole fleet (under a lock): a thread that finds the token
    already renewed by another uses that one instead of asking Keystone again.
    """
    view = replace(run.variables, server_id=server_id)
    if run.auth is None and not run.sources.get("password"):  # as Runbook.compute decides
        return ComputeApi(run.client, view, None)

    def reauthenticate() -> str:
        with _REAUTH_LOCK:
            if run.variables.token and run.variables.token != view.token:
                view.token = run.variables.token
                return view.token
            view.token = run.reauthenticate()
            return view.token

    return ComputeApi(run.client, view, reauthenticate)
