"""What a procedure's journal says: its pinned identity, its steps, its stops.

A procedure is pinned once step 3 has resolved it: identity endpoint, region, project and the
servers (id *and* name) it acts on — a list, so a fleet (several servers, one procedure) uses the
same record. Every later invocation compares what it is given now with the pinned identity before
it sends anything (``compare_identity``); a difference refuses, it never silently picks a side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from runbook.errors import RunbookError
from runbook.sources import Sources

STOP_ACTION = "os-stop"
LAST_STEP = 507  # runbook.steps: page 5's step 7
# stop_check conclusions that say the stop reached Nova (it is under way or done).
ARRIVED = ("arrived", "under way", "done")


class IdentityMismatch(RunbookError):
    """What this invocation is given differs from the pinned identity of the procedure."""


@dataclass(frozen=True)
class PinnedServer:
    """One server of the procedure: its id and its name when it was pinned."""

    id: str
    name: str


@dataclass(frozen=True)
class ProcedureIdentity:
    """Where and on what the procedure acts, as step 3 resolved it."""

    auth_url: str | None
    region: str | None
    project_id: str | None
    project_name: str | None
    compute: str | None
    servers: tuple[PinnedServer, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``servers`` a list of ``{"id", "name"}``)."""
        data = asdict(self)
        data["servers"] = [asdict(server) for server in self.servers]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProcedureIdentity:
        """Inverse of ``as_dict``."""
        return cls(
            auth_url=data.get("auth_url"),
            region=data.get("region"),
            project_id=data.get("project_id"),
            project_name=data.get("project_name"),
            compute=data.get("compute"),
            servers=tuple(
                PinnedServer(str(s.get("id")), str(s.get("name"))) for s in data.get("servers", [])
            ),
        )

    def server_ids(self) -> list[str]:
        """The pinned servers' ids."""
        return [server.id for server in self.servers]


@dataclass(frozen=True)
class Mismatch:
    """One value given now that differs from the pinned one."""

    name: str
    pinned: str
    given: str
    origin: str

    def describe(self) -> str:
        """``SERVER_ID: pinned 1234… (step 3 of this procedure), given 5678… (--server-id)``."""
        return f"{self.name}: pinned {self.pinned}, given {self.given} (from {self.origin})"


def _norm_url(value: str) -> str:
    return value.strip().rstrip("/")


def compare_identity(pinned: ProcedureIdentity, sources: Sources) -> list[Mismatch]:
    """Every value in ``sources`` (options, document variables, OS_*, clouds.yaml) that differs.

    Each source is compared, not only the one that wins the source order: a stale
    ``OS_PROJECT_ID`` under a matching ``--project-id`` still names another target.
    """
    checks: list[tuple[str, str, str | None, Any]] = [
        ("auth_url", "identity endpoint", pinned.auth_url, _norm_url),
        ("region", "region", pinned.region, str.strip),
        ("PROJECT_ID", "PROJECT_ID", pinned.project_id, str.strip),
        ("project_name", "project name", pinned.project_name, str.strip),
        ("COMPUTE", "COMPUTE", pinned.compute, _compute_base),
    ]
    found: list[Mismatch] = []
    for key, label, value, norm in checks:
        for given, origin in sources.every(key):
            if value and norm(given) != norm(value):
                found.append(Mismatch(label, value, given.strip(), origin))
    shown = ", ".join(f"{s.id} ({s.name})" for s in pinned.servers)
    ids = [server.id.lower() for server in pinned.servers]  # a UUID, in any case
    names = [server.name for server in pinned.servers]  # Nova's names are case-sensitive
    for key, label, known, norm in (
        ("SERVER_ID", "SERVER_ID", ids, str.lower),
        ("server_name", "server name", names, str),
    ):
        for given, origin in sources.every(key):
            if known and norm(given.strip()) not in known:
                found.append(Mismatch(label, shown, given.strip(), origin))
    return found


def _compute_base(value: str) -> str:
    # COMPUTE may be given with its /v2/<project> tail; the pinned value is the base.
    base = _norm_url(value)
    for marker in ("/v2.1/", "/v2/"):
        if marker in base + "/":
            return (base + "/").split(marker, 1)[0]
    return base


def refuse_mismatches(mismatches: list[Mismatch], procedure: str, folder: str) -> None:
    """Raise ``IdentityMismatch`` naming both values of each difference and the ways out."""
    if not mismatches:
        return
    lines = "; ".join(m.describe() for m in mismatches)
    raise IdentityMismatch(
        f"refusing: this invocation is given another target than procedure {procedure} "
        f"(pinned at step 3, journal in {folder}) — {lines}. Nothing was sent.",
        hint="to continue the pinned procedure, unset or correct the values above; to work on "
        "another target, start a new procedure explicitly with --new-procedure",
    )


@dataclass
class StopAttempt:
    """One os-stop intent of the journal and what is known of it."""

    intent: dict[str, Any]
    outcome: dict[str, Any] | None = None
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """The answer, or a later re-read, says the stop was accepted (it is under way or done)."""
        if self.outcome is not None and self.outcome.get("status") == 202:
            return True
        return any(check.get("conclusion") in ARRIVED for check in self.checks)

    @property
    def never_arrived(self) -> bool:
        """A re-read of the server (recorded) showed no trace of this stop."""
        return any(check.get("conclusion") == "never arrived" for check in self.checks)


def stop_attempts(records: Iterable[dict[str, Any]], server_id: str) -> list[StopAttempt]:
    """The os-stop intents for ``server_id``, in order, with their outcomes and later checks."""
    attempts: dict[str, StopAttempt] = {}
    for record in records:
        kind = record.get("kind")
        if kind == "intent" and record.get("action") == STOP_ACTION:
            if record.get("server_id") == server_id:
                attempts[str(record["id"])] = StopAttempt(record)
        elif kind == "outcome" and record.get("intent") in attempts:
            attempts[str(record["intent"])].outcome = record
        elif kind == "stop_check" and record.get("intent") in attempts:
            attempts[str(record["intent"])].checks.append(record)
    return list(attempts.values())


def pinned_identity(records: Iterable[dict[str, Any]]) -> ProcedureIdentity | None:
    """The identity pinned at step 3 (the first ``pinned`` record), or None before that."""
    for record in records:
        if record.get("kind") == "pinned":
            return ProcedureIdentity.from_dict(record.get("identity") or {})
    return None


def last_variables(records: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The variables as last resolved (no token: it is never journalled)."""
    found = None
    for record in records:
        if record.get("kind") == "variables":
            found = record.get("variables")
    return found


def step_outcomes(records: Iterable[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Each step's latest ``step_end`` record."""
    ends: dict[int, dict[str, Any]] = {}
    for record in records:
        if record.get("kind") == "step_end":
            ends[int(record["step"])] = record
    return ends


def completed_step(records: Iterable[dict[str, Any]]) -> int:
    """The highest step that ever ended passed or skipped (done, differently) in the procedure.

    Any invocation counts: a later one refused before it could act does not undo a stop.
    """
    done = [
        int(record["step"])
        for record in records
        if record.get("kind") == "step_end"
        and record.get("outcome") in ("passed", "skipped")
        and not record.get("dry_run")
    ]
    return max(done, default=0)


def is_complete(records: Iterable[dict[str, Any]]) -> bool:
    """The last step of the last page (5.7, the server started again) ended, passed or skipped
    (outside a dry run): the procedure is done. Page 1 alone leaves it open for pages 2–5."""
    end = step_outcomes(records).get(LAST_STEP)
    return (
        end is not None and end.get("outcome") in ("passed", "skipped") and not end.get("dry_run")
    )
