"""Compute state: servers and flavors of one emulator, their lifecycle and its history.

Every method that reads or changes state holds one ``threading.RLock``, so concurrent requests
never interleave inside a transition. Pending transitions in ``seconds`` mode complete lazily:
whoever reads a server after its due time (by the emulator's clock) completes it first, dated at
the due time, so no timer threads exist and moving the clock is enough.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from emulator.clock import Clock, isoformat_z
from emulator.compute import lifecycle
from emulator.compute.errors import BadRequest, Conflict, ItemNotFound
from emulator.config import EmulatorConfig, Timing, located
from emulator.seed import FlavorSeed, ServerSeed

SECRET_METADATA_KEYS = frozenset({"admin_pass"})


@dataclass(frozen=True)
class Pending:
    """A transition the API accepted and the host has not finished."""

    transition: lifecycle.Transition
    accepted_at: float  # epoch seconds on the emulator's clock
    due_at: float | None  # None: waits for advance()


@dataclass
class ServerRecord:
    """One server's mutable state; the backend hands out copies only."""

    spec: ServerSeed
    vm_state: str
    task_state: str | None
    power_state: int
    locked: bool
    updated: datetime
    timing: Timing | None = None  # None: the emulator's default
    pending: Pending | None = None
    # The last instance fault ({"code", "created", "message"}); Nova shows it while ERROR.
    fault: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def status(self) -> str:
        """Nova's API status, derived from vm_state and task_state."""
        return lifecycle.status_from_state(self.vm_state, self.task_state)


@dataclass
class _History:
    entries: list[dict[str, Any]] = field(default_factory=list)


class ComputeBackend:
    """All compute state of one emulator (servers, flavors, timing, history)."""

    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._lock = threading.RLock()
        self._timing = config.timing
        self._servers: dict[str, ServerRecord] = {}
        self._history: dict[str, _History] = {}
        self._flavors: dict[str, FlavorSeed] = {f.id: f for f in config.seed.flavors}
        for spec in config.seed.servers:
            self._insert(spec, cause="seed")

    # -- reads -----------------------------------------------------------------------------
    def list_servers(self, project_id: str) -> list[ServerRecord]:
        """Copies of the project's servers, newest first (Nova sorts by created_at desc)."""
        with self._lock:
            records = [r for r in self._servers.values() if r.spec.project_id == project_id]
            for record in records:
                self._settle(record)
            records.sort(key=lambda r: (r.spec.created, r.id), reverse=True)
            return [copy.copy(r) for r in records]

    def get_server(self, project_id: str, server_id: str) -> ServerRecord:
        """A copy of one server of the project; 404 like Nova for any other id."""
        with self._lock:
            record = self._find(server_id, project_id)
            self._settle(record)
            return copy.copy(record)

    def get_flavor(self, flavor_id: str) -> FlavorSeed:
        """One flavor; 404 ``Flavor <id> could not be found.``"""
        # Flavors are the seed's, never changed after __init__: no lock (it is shared by every
        # compute request, and queueing on it under load costs more than these reads).
        flavor = self._flavors.get(flavor_id)
        if flavor is None:
            raise ItemNotFound.flavor(flavor_id)
        return flavor

    def flavor_of(self, record: ServerRecord) -> FlavorSeed:
        """The server's flavor (a bare one when the seed has no flavor list)."""
        return self._flavors.get(record.spec.flavor_id) or FlavorSeed(
            record.spec.flavor_id, record.spec.flavor_id
        )

    def list_flavors(self) -> list[FlavorSeed]:
        """All flavors, ordered like Nova's default (flavorid)."""
        return sorted(self._flavors.values(), key=lambda f: f.id)

    # -- actions (the API side of a transition) ----------------------------------------------
    def act(
        self,
        project_id: str,
        server_id: str,
        transition_name: str,
        cause: str,
        *,
        is_admin: bool = False,
    ) -> None:
        """Accept a transition (``stop``, ``start``, ``reboot_soft``, ``reboot_hard``) or raise 409."""
        transition = lifecycle.TRANSITIONS[transition_name]
        with self._lock:
            record = self._find(server_id, project_id)
            self._settle(record)
            # nova/compute/api.py: @check_instance_lock runs before @check_instance_state and
            # lets an admin context through.
            if record.locked and not is_admin:
                raise Conflict.locked(record.id)
            transition.check(record.id, record.vm_state, record.task_state)
            now = self.clock.time()
            timing = record.timing or self._timing
            due = None if timing.mode == "manual" else now + timing.seconds
            record.pending = Pending(transition, now, due)
            record.task_state = transition.task_state
            record.updated = _at(now)
            self._record(record, cause, now)
            if timing.mode == "immediate":
                self._complete(record, now, f"{transition.name} completed (immediate)")

    # -- control plane (docs/ARCHITECTURE.md "Compute -> control plane") ----------------------
    def add_server(self, spec: ServerSeed) -> dict[str, Any]:
        """Add a server (``POST /_emulator/servers``); returns its snapshot entry."""
        with self._lock:
            if spec.id in self._servers:
                raise Conflict(f"A server with id {spec.id} already exists.")
            return self._entry(self._insert(spec, cause="added by the control plane"))

    def set_timing(self, timing: Timing, server_id: str | None = None) -> None:
        """Set the default timing (``server_id`` None) or one server's; reschedules pending work."""
        timing = Timing.parse(timing)
        with self._lock:
            if server_id is None:
                self._timing = timing
                targets = [r for r in self._servers.values() if r.timing is None]
            else:
                record = self._find(server_id)
                record.timing = timing
                targets = [record]
            for record in targets:
                self._reschedule(record)

    def advance(self, server_id: str) -> dict[str, Any]:
        """Complete the server's pending transition now (a no-op when nothing is pending)."""
        with self._lock:
            record = self._find(server_id)
            self._settle(record)
            if record.pending is not None:
                name = record.pending.transition.name
                self._complete(record, self.clock.time(), f"{name} completed (advanced)")
            return self._entry(record)

    def set_state(
        self, server_id: str, status: str, *, locked: bool | None = None
    ) -> dict[str, Any]:
        """Force ACTIVE / SHUTOFF / ERROR (drops any pending transition) and optionally the lock."""
        wanted = str(status).upper()
        if wanted not in lifecycle.SETTABLE_STATES:
            choices = ", ".join(lifecycle.SETTABLE_STATES)
            raise BadRequest(f"status must be one of {choices}, not {status!r}")
        with self._lock:
            record = self._find(server_id)
            now = self.clock.time()
            record.vm_state, record.power_state = lifecycle.SETTABLE_STATES[wanted]
            record.task_state = None
            record.pending = None
            if locked is not None:
                record.locked = locked
            if wanted == "ERROR":
                record.fault = {
                    "code": 500,
                    "created": isoformat_z(_at(now)),
                    "message": "The emulator's control plane put this server into ERROR.",
                }
            record.updated = _at(now)
            self._record(record, f"set_state {wanted} by the control plane", now)
            return self._entry(record)

    def delete_server(self, server_id: str) -> None:
        """Remove a server ("the server vanished"); its history stays readable."""
        with self._lock:
            record = self._find(server_id)
            del self._servers[server_id]
            self._history[server_id].entries.append(
                {
                    "at": isoformat_z(self.clock.now()),
                    "vm_state": "deleted",
                    "task_state": None,
                    "power_state": record.power_state,
                    "status": "DELETED",
                    "cause": "deleted by the control plane",
                }
            )

    def history(self, server_id: str) -> list[dict[str, Any]]:
        """Every state change of the server, oldest first, each with its cause."""
        with self._lock:
            if server_id in self._servers:
                self._settle(self._servers[server_id])
            if server_id not in self._history:
                raise ItemNotFound.instance(server_id)
            return [dict(entry) for entry in self._history[server_id].entries]

    def snapshot(self) -> dict[str, Any]:
        """Timing and every server's state, ``admin_pass`` masked."""
        with self._lock:
            for record in self._servers.values():
                self._settle(record)
            return {
                "timing": self._timing.as_dict(),
                "servers": [self._entry(r) for r in self._servers.values()],
            }

    # -- internals (callers hold the lock) ---------------------------------------------------
    def _insert(self, spec: ServerSeed, cause: str) -> ServerRecord:
        spec = located(spec, self.config.region)  # a server added later names no zone either
        vm_state, power_state = lifecycle.SETTABLE_STATES[spec.status]
        timing = Timing.parse(spec.timing) if spec.timing is not None else None
        record = ServerRecord(
            spec, vm_state, None, power_state, spec.locked, _initial_updated(spec), timing
        )
        self._servers[spec.id] = record
        self._history[spec.id] = _History()
        self._record(record, cause, self.clock.time())
        return record

    def _find(self, server_id: str, project_id: str | None = None) -> ServerRecord:
        record = self._servers.get(server_id)
        if record is None or (project_id is not None and record.spec.project_id != project_id):
            raise ItemNotFound.instance(server_id)
        return record

    def _settle(self, record: ServerRecord) -> None:
        """Complete a due ``seconds`` transition, dated at its due time."""
        pending = record.pending
        if (
            pending is not None
            and pending.due_at is not None
            and pending.due_at <= self.clock.time()
        ):
            timing = record.timing or self._timing
            self._complete(
                record,
                pending.due_at,
                f"{pending.transition.name} completed (after {timing.seconds:g} s)",
            )

    def _reschedule(self, record: ServerRecord) -> None:
        pending = record.pending
        if pending is None:
            return
        timing = record.timing or self._timing
        if timing.mode == "immediate":
            self._complete(
                record, self.clock.time(), f"{pending.transition.name} completed (immediate)"
            )
            return
        due = None if timing.mode == "manual" else pending.accepted_at + timing.seconds
        record.pending = Pending(pending.transition, pending.accepted_at, due)
        self._settle(record)

    def _complete(self, record: ServerRecord, at: float, cause: str) -> None:
        assert record.pending is not None
        transition = record.pending.transition
        record.vm_state = transition.final_vm_state
        record.power_state = transition.final_power_state
        record.task_state = None
        record.pending = None
        record.updated = _at(at)
        self._record(record, cause, at)

    def _record(self, record: ServerRecord, cause: str, at: float) -> None:
        self._history[record.id].entries.append(
            {
                "at": isoformat_z(_at(at)),
                "vm_state": record.vm_state,
                "task_state": record.task_state,
                "power_state": record.power_state,
                "status": record.status,
                "cause": cause,
            }
        )

    def _entry(self, record: ServerRecord) -> dict[str, Any]:
        spec = record.spec
        pending = record.pending
        return {
            "id": spec.id,
            "name": spec.name,
            "project_id": spec.project_id,
            "user_id": spec.user_id,
            "status": record.status,
            "vm_state": record.vm_state,
            "task_state": record.task_state,
            "power_state": record.power_state,
            "locked": record.locked,
            "updated": isoformat_z(record.updated),
            "timing": (record.timing or self._timing).as_dict(),
            "timing_is_default": record.timing is None,
            "pending": None
            if pending is None
            else {
                "transition": pending.transition.name,
                "task_state": pending.transition.task_state,
                "accepted_at": isoformat_z(_at(pending.accepted_at)),
                "due_at": None if pending.due_at is None else isoformat_z(_at(pending.due_at)),
            },
            "metadata": mask_metadata(spec.metadata),
        }


def mask_metadata(metadata: dict[str, str]) -> dict[str, str]:
    """Metadata with secret values (``admin_pass``) replaced by ``***``."""
    return {k: ("***" if k in SECRET_METADATA_KEYS else v) for k, v in metadata.items()}


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


_NOVA_STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)")


def _initial_updated(spec: ServerSeed) -> datetime:
    """A seeded server was last updated when it was launched (or created, if never launched)."""
    for text in (spec.launched_at, spec.created):
        match = _NOVA_STAMP.match(text or "")
        if match:
            return datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(
                tzinfo=timezone.utc
            )
    return datetime(1970, 1, 1, tzinfo=timezone.utc)
