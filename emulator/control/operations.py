"""What the control plane does, as functions of an ``EmulatorState``.

The HTTP routes (``/_emulator/…``), the thread server and the in-process mock all call these, so
the three stay identical.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.compute.errors import ComputeFault
from emulator.config import Timing
from emulator.control.errors import ControlError, InvalidRequest
from emulator.control.faults import parse_fault
from emulator.seed import SERVER_STATUSES, Seed, SeedError, server_seed_from_dict

if TYPE_CHECKING:  # emulator.state imports this package while it loads
    from emulator.state import EmulatorState


# Past these, datetimes overflow (the clock) or the value is a mistake (a stop lasting a day).
MAX_CLOCK_OFFSET_SECONDS = 100 * 365 * 24 * 3600.0
MAX_TRANSITION_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class DemoLogin:
    """The seed's demo user and the project it works in (what ``OS_*`` variables point at)."""

    user_name: str
    user_domain_name: str
    password: str  # a demo value from the seed, not a real secret
    project_id: str
    project_name: str
    project_domain_name: str


def demo_login(seed: Seed) -> DemoLogin:
    """The first user of the seed and the first project it has a role on."""
    if not seed.users or not seed.projects:
        raise ControlError("the seed has no user or no project to log in with")
    user = seed.users[0]
    project_ids = [assignment.project_id for assignment in user.roles]
    project = next((p for p in seed.projects if p.id in project_ids), seed.projects[0])
    domains = {domain.id: domain.name for domain in seed.domains}
    return DemoLogin(
        user_name=user.name,
        user_domain_name=domains[user.domain_id],
        password=user.password,
        project_id=project.id,
        project_name=project.name,
        project_domain_name=domains[project.domain_id],
    )


@contextmanager
def compute_errors() -> Iterator[None]:
    """Re-raise the compute backend's errors (e.g. ItemNotFound, 404) as control-plane errors."""
    try:
        yield
    except ComputeFault as exc:
        error = ControlError(exc.message)
        error.code = exc.code
        raise error from exc


def health(state: EmulatorState) -> dict[str, Any]:
    """``GET /_emulator/health``: cheap, no locks taken."""
    return {
        "status": "ok",
        "region": state.config.region,
        "compute_api": state.config.compute_version,
        "endpoint_style": state.config.endpoint_style,
    }


def summary(state: EmulatorState) -> dict[str, Any]:
    """``GET /_emulator/state``: config summary plus identity and compute snapshots, no secrets."""
    config = state.config
    return {
        "config": {
            "region": config.region,
            "compute_api": config.compute_version,
            "timing": config.timing.as_dict(),
            "token_lifetime_seconds": config.token_lifetime_seconds,
            "lockout": {
                "enabled": config.lockout.enabled,
                "attempts": config.lockout.attempts,
                "window_seconds": config.lockout.window_seconds,
                "duration_seconds": config.lockout.duration_seconds,
            },
            "max_body_bytes": config.max_body_bytes,
            "endpoint_style": config.endpoint_style,
        },
        "clock": {"now": state.clock.now().isoformat(), "offset_seconds": state.clock.offset},
        "identity": state.identity.snapshot(),
        "compute": state.compute.snapshot(),
        "blockstorage": state.blockstorage.snapshot(),
        "image": state.image.snapshot(),
        "importexport": state.importexport.snapshot(),
        "objectstorage": state.objectstorage.snapshot(),
        "faults": state.control.faults.list(),
        "requests_logged": len(state.control.requests.entries()),
    }


def add_server(state: EmulatorState, fields: Any) -> dict[str, Any]:
    """Add a server described like a seed ``servers[]`` entry; errors name the field."""
    if not isinstance(fields, dict):
        raise InvalidRequest("server: the body must be a JSON object like a seed servers[] entry")
    try:
        spec = server_seed_from_dict(fields, state.config.seed, source="server")
    except SeedError as exc:
        raise InvalidRequest(str(exc)) from None
    if spec.timing is not None:
        checked_timing(Timing.parse(spec.timing), "server.timing")
    with compute_errors():
        server: dict[str, Any] = state.compute.add_server(spec)
    # Its volumes_attached become volumes in block storage, as the seed's servers' do.
    state.blockstorage.add_server_volumes(spec)
    return server


def add_fault(state: EmulatorState, spec: Any) -> dict[str, Any]:
    """Validate and activate a fault rule; returns it with its id."""
    return state.control.faults.add(parse_fault(spec)).as_dict()


def set_timing(state: EmulatorState, body: Any) -> dict[str, Any]:
    """``{"mode": "immediate"|"seconds"|"manual", "seconds": S, "server_id": optional}``."""
    if not isinstance(body, dict):
        raise InvalidRequest("timing: the body must be a JSON object with 'mode'")
    server_id = body.get("server_id")
    if server_id is not None and not isinstance(server_id, str):
        raise InvalidRequest(f"timing.server_id: must be a server id string, got {server_id!r}")
    spec = {key: value for key, value in body.items() if key != "server_id"}
    mode = spec.get("mode")
    if mode not in ("immediate", "seconds", "manual"):
        raise InvalidRequest(f"timing.mode: must be immediate, seconds or manual, got {mode!r}")
    try:
        timing = Timing.parse(spec)
    except ValueError as exc:
        raise InvalidRequest(f"timing.seconds: {exc}") from None
    apply_timing(state, timing, server_id)
    return {"timing": timing.as_dict(), "server_id": server_id}


def checked_timing(timing: Timing, where: str) -> Timing:
    """Refuse NaN, infinity and absurd durations (they would break every later request)."""
    if not math.isfinite(timing.seconds) or timing.seconds > MAX_TRANSITION_SECONDS:
        raise InvalidRequest(
            f"{where}: must be a finite number of seconds 0-{MAX_TRANSITION_SECONDS:g}, "
            f"got {timing.seconds!r}"
        )
    return timing


def apply_timing(state: EmulatorState, timing: Timing, server_id: str | None) -> None:
    checked_timing(timing, "timing.seconds")
    with compute_errors():
        state.compute.set_timing(timing, server_id)
    if server_id is None:
        # The default timing is every state machine's: uploads and exports follow it too.
        state.image.set_timing(timing)
        state.importexport.set_timing(timing)


def advance(state: EmulatorState, server_id: str) -> dict[str, Any]:
    """Complete the server's pending transition now."""
    with compute_errors():
        server: dict[str, Any] = state.compute.advance(server_id)
    return server


def set_server_state(state: EmulatorState, server_id: str, body: Any) -> dict[str, Any]:
    """Force ``{"status": "ACTIVE"|"SHUTOFF"|"ERROR", "locked": optional bool}``."""
    if not isinstance(body, dict):
        raise InvalidRequest("state: the body must be a JSON object with 'status'")
    status = body.get("status")
    if not isinstance(status, str) or status.upper() not in SERVER_STATUSES:
        raise InvalidRequest(
            f"state.status: must be one of {', '.join(SERVER_STATUSES)}, got {status!r}"
        )
    locked = body.get("locked")
    if locked is not None and not isinstance(locked, bool):
        raise InvalidRequest(f"state.locked: must be true, false or null, got {locked!r}")
    with compute_errors():
        server: dict[str, Any] = state.compute.set_state(server_id, status.upper(), locked=locked)
    return server


def delete_server(state: EmulatorState, server_id: str) -> None:
    with compute_errors():
        state.compute.delete_server(server_id)


def advance_clock(state: EmulatorState, body: Any) -> dict[str, Any]:
    """``{"seconds": N}``: move the emulator's clock forward (tokens expire, lockouts end)."""
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not 0 <= seconds <= MAX_CLOCK_OFFSET_SECONDS - state.clock.offset
    ):
        raise InvalidRequest(
            f"clock.seconds: must be a number >= 0 that keeps the clock within "
            f"{MAX_CLOCK_OFFSET_SECONDS:g} s (100 years) of now, got {seconds!r}"
        )
    state.clock.advance(float(seconds))
    return {"now": state.clock.now().isoformat(), "offset_seconds": state.clock.offset}
