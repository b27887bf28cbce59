"""The server state machine: declared transitions, Nova's status map and the power states.

A transition is accepted by the API (task_state set, vm_state unchanged, answer 202) and completed
later by the "compute host" (vm_state and power_state set, task_state cleared). When it completes
depends on the timing (``emulator.config.Timing``): inside the request, after some seconds of the
emulator's clock (checked lazily on each read), or only when the control plane advances it.

Sources: nova/compute/vm_states.py, nova/compute/task_states.py, nova/objects/fields.py
(PowerState), nova/compute/api.py (``check_instance_state`` on stop/start/reboot) and
nova/api/openstack/common.py (``_STATE_MAP``).
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.compute.errors import Conflict

# nova/compute/vm_states.py
ACTIVE = "active"
STOPPED = "stopped"
ERROR = "error"
PAUSED = "paused"
SUSPENDED = "suspended"

# nova/compute/task_states.py
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
REBOOTING = "rebooting"
REBOOTING_HARD = "rebooting_hard"
REBOOT_PENDING = "reboot_pending"
REBOOT_STARTED = "reboot_started"
REBOOT_PENDING_HARD = "reboot_pending_hard"
REBOOT_STARTED_HARD = "reboot_started_hard"
RESUMING = "resuming"
UNPAUSING = "unpausing"
PAUSING = "pausing"
SUSPENDING = "suspending"

# nova/objects/fields.py PowerState
NOSTATE = 0
RUNNING = 1
PAUSED_POWER = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED_POWER = 7

# nova/api/openstack/common.py _STATE_MAP, for the vm/task states this emulator can reach
_STATE_MAP: dict[str, dict[str | None, str]] = {
    ACTIVE: {
        None: "ACTIVE",
        REBOOTING: "REBOOT",
        REBOOT_PENDING: "REBOOT",
        REBOOT_STARTED: "REBOOT",
        REBOOTING_HARD: "HARD_REBOOT",
        REBOOT_PENDING_HARD: "HARD_REBOOT",
        REBOOT_STARTED_HARD: "HARD_REBOOT",
    },
    STOPPED: {None: "SHUTOFF"},
    ERROR: {None: "ERROR"},
    PAUSED: {None: "PAUSED"},
    SUSPENDED: {None: "SUSPENDED"},
    "building": {None: "BUILD"},
    "deleted": {None: "DELETED"},
    "soft-delete": {None: "SOFT_DELETED"},
    "shelved": {None: "SHELVED"},
    "shelved_offloaded": {None: "SHELVED_OFFLOADED"},
    "rescued": {None: "RESCUE"},
    "resized": {None: "VERIFY_RESIZE"},
}

# Every status a client may filter on (the values of Nova's map, plus what it derives).
KNOWN_STATUSES = frozenset(s for states in _STATE_MAP.values() for s in states.values()) | {
    "MIGRATING",
    "RESIZE",
    "REBUILD",
    "PASSWORD",
    "REVERT_RESIZE",
    "UNKNOWN",
}

# The state a seed or the control plane can put a server in: status -> (vm_state, power_state).
SETTABLE_STATES: dict[str, tuple[str, int]] = {
    "ACTIVE": (ACTIVE, RUNNING),
    "SHUTOFF": (STOPPED, SHUTDOWN),
    "ERROR": (ERROR, NOSTATE),
}


def status_from_state(vm_state: str, task_state: str | None) -> str:
    """The API ``status`` of a server (nova/api/openstack/common.py ``status_from_state``)."""
    task_map = _STATE_MAP.get(vm_state)
    if task_map is None:
        return "UNKNOWN"
    return task_map.get(task_state, task_map[None])


@dataclass(frozen=True)
class StateCheck:
    """One ``@check_instance_state`` of nova/compute/api.py: allowed vm and task states."""

    vm_states: tuple[str, ...]
    task_states: tuple[str | None, ...]


@dataclass(frozen=True)
class Transition:
    """A declared transition: the checks, the task state while it runs, and where it ends."""

    name: str  # e.g. "stop": the word in Nova's 409 message "Cannot 'stop' instance …"
    checks: tuple[StateCheck, ...]
    task_state: str
    final_vm_state: str
    final_power_state: int

    def check(self, server_id: str, vm_state: str, task_state: str | None) -> None:
        """Raise Nova's 409 when the server's state does not allow this transition."""
        for check in self.checks:
            # check_instance_state tests the vm_state before the task_state.
            if vm_state not in check.vm_states:
                raise Conflict.invalid_state(self.name, server_id, "vm_state", vm_state)
            if task_state not in check.task_states:
                raise Conflict.invalid_state(self.name, server_id, "task_state", str(task_state))


# nova/compute/vm_states.py ALLOW_SOFT_REBOOT / ALLOW_HARD_REBOOT
_ALLOW_SOFT_REBOOT = (ACTIVE,)
_ALLOW_HARD_REBOOT = (ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR)
# nova/compute/task_states.py ALLOW_REBOOT
_ALLOW_REBOOT: tuple[str | None, ...] = (
    None,
    REBOOTING,
    REBOOT_PENDING,
    REBOOT_STARTED,
    RESUMING,
    REBOOTING_HARD,
    UNPAUSING,
    PAUSING,
    SUSPENDING,
)
# compute/api.py API.reboot's own decorator, checked before _soft_reboot / _hard_reboot's.
_REBOOT_OUTER = StateCheck(_ALLOW_HARD_REBOOT, _ALLOW_REBOOT)

TRANSITIONS: dict[str, Transition] = {
    # compute/api.py stop: vm_state in (ACTIVE, ERROR), task_state None
    "stop": Transition(
        "stop", (StateCheck((ACTIVE, ERROR), (None,)),), POWERING_OFF, STOPPED, SHUTDOWN
    ),
    # compute/api.py start: vm_state STOPPED, task_state None
    "start": Transition("start", (StateCheck((STOPPED,), (None,)),), POWERING_ON, ACTIVE, RUNNING),
    "reboot_soft": Transition(
        "reboot",
        (_REBOOT_OUTER, StateCheck(_ALLOW_SOFT_REBOOT, (None,))),
        REBOOTING,
        ACTIVE,
        RUNNING,
    ),
    "reboot_hard": Transition(
        "reboot",
        (_REBOOT_OUTER, StateCheck(_ALLOW_HARD_REBOOT, _ALLOW_REBOOT)),
        REBOOTING_HARD,
        ACTIVE,
        RUNNING,
    ),
}
