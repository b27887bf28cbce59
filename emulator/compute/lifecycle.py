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

# nova/api/openstack/common.py _STATE_MAP, in full (None stands for Nova's 'default' key), so that
# status filters on states this emulator never reaches still behave like Nova's.
_REBUILD: dict[str | None, str] = {
    "rebuilding": "REBUILD",
    "rebuild_block_device_mapping": "REBUILD",
    "rebuild_spawning": "REBUILD",
}
_RESIZE: dict[str | None, str] = {
    "resize_prep": "RESIZE",
    "resize_migrating": "RESIZE",
    "resize_migrated": "RESIZE",
    "resize_finish": "RESIZE",
}
_STATE_MAP: dict[str, dict[str | None, str]] = {
    ACTIVE: {
        None: "ACTIVE",
        REBOOTING: "REBOOT",
        REBOOT_PENDING: "REBOOT",
        REBOOT_STARTED: "REBOOT",
        REBOOTING_HARD: "HARD_REBOOT",
        REBOOT_PENDING_HARD: "HARD_REBOOT",
        REBOOT_STARTED_HARD: "HARD_REBOOT",
        "updating_password": "PASSWORD",
        **_REBUILD,
        "migrating": "MIGRATING",
        **_RESIZE,
    },
    "building": {None: "BUILD"},
    STOPPED: {None: "SHUTOFF", **_RESIZE, **_REBUILD},
    "resized": {None: "VERIFY_RESIZE", "resize_reverting": "REVERT_RESIZE"},
    PAUSED: {None: "PAUSED", "migrating": "MIGRATING"},
    SUSPENDED: {None: "SUSPENDED"},
    "rescued": {None: "RESCUE"},
    ERROR: {None: "ERROR", **_REBUILD},
    "deleted": {None: "DELETED"},
    "soft-delete": {None: "SOFT_DELETED"},
    "shelved": {None: "SHELVED"},
    "shelved_offloaded": {None: "SHELVED_OFFLOADED"},
}  # fmt: skip

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
class StatusFilter:
    """``?status=`` as Nova applies it: vm_state in a set, and task_state in a set unless any."""

    vm_states: frozenset[str]
    task_states: frozenset[str] | None  # None: any task state (a 'default' status was asked for)

    def matches(self, vm_state: str, task_state: str | None) -> bool:
        """Whether a server in this state is listed."""
        if vm_state not in self.vm_states:
            return False
        return self.task_states is None or task_state in self.task_states


def status_filter(statuses: list[str]) -> StatusFilter | None:
    """nova/api/openstack/common.py task_and_vm_state_from_status; None if no status is known.

    Like Nova, ``status=ACTIVE`` selects vm_state ``active`` whatever the task state (so a server
    that is powering off or rebooting is listed too), and unknown statuses among known ones are
    ignored.
    """
    lowered = {s.strip().lower() for s in statuses}
    vm_states: set[str] = set()
    task_states: set[str] = set()
    any_task = False
    for vm_state, task_map in _STATE_MAP.items():
        for task_state, status in task_map.items():
            if status.lower() in lowered:
                vm_states.add(vm_state)
                if task_state is None:
                    any_task = True
                else:
                    task_states.add(task_state)
    if not vm_states:
        return None
    return StatusFilter(frozenset(vm_states), None if any_task else frozenset(task_states))


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
