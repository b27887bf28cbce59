"""The declared transitions and Nova's status map (emulator/compute/lifecycle.py)."""

from __future__ import annotations

import pytest

from emulator.compute import lifecycle
from emulator.compute.errors import Conflict

SID = "dbf93607-f105-4e86-842c-02ae504efe36"


@pytest.mark.parametrize(
    ("vm_state", "task_state", "status"),
    [
        ("active", None, "ACTIVE"),
        ("active", "powering-off", "ACTIVE"),  # status stays ACTIVE while powering off
        ("stopped", None, "SHUTOFF"),
        ("stopped", "powering-on", "SHUTOFF"),
        ("active", "rebooting", "REBOOT"),
        ("active", "rebooting_hard", "HARD_REBOOT"),
        ("error", None, "ERROR"),
        ("no-such-state", None, "UNKNOWN"),
    ],
)
def test_status_from_state_matches_nova_state_map(
    vm_state: str, task_state: str | None, status: str
) -> None:
    """nova/api/openstack/common.py _STATE_MAP / status_from_state."""
    assert lifecycle.status_from_state(vm_state, task_state) == status


@pytest.mark.parametrize(
    ("transition", "vm_state", "task_state", "message"),
    [
        ("stop", "stopped", None, f"Cannot 'stop' instance {SID} while it is in vm_state stopped"),
        ("stop", "active", "powering-off", f"Cannot 'stop' instance {SID} while it is in task_state powering-off"),
        ("start", "active", None, f"Cannot 'start' instance {SID} while it is in vm_state active"),
        ("start", "stopped", "powering-on", f"Cannot 'start' instance {SID} while it is in task_state powering-on"),
        ("start", "error", None, f"Cannot 'start' instance {SID} while it is in vm_state error"),
        ("reboot_soft", "stopped", None, f"Cannot 'reboot' instance {SID} while it is in vm_state stopped"),
        ("reboot_soft", "active", "rebooting", f"Cannot 'reboot' instance {SID} while it is in task_state rebooting"),
        ("reboot_soft", "active", "powering-off", f"Cannot 'reboot' instance {SID} while it is in task_state powering-off"),
        ("reboot_hard", "active", "powering-off", f"Cannot 'reboot' instance {SID} while it is in task_state powering-off"),
    ],
)  # fmt: skip
def test_refused_transitions_give_novas_409_message(
    transition: str, vm_state: str, task_state: str | None, message: str
) -> None:
    """nova/compute/api.py check_instance_state + common.raise_http_conflict_for_instance_invalid_state."""
    with pytest.raises(Conflict) as caught:
        lifecycle.TRANSITIONS[transition].check(SID, vm_state, task_state)
    assert caught.value.message == message
    assert (caught.value.code, caught.value.key) == (409, "conflictingRequest")


@pytest.mark.parametrize(
    ("transition", "vm_state", "task_state"),
    [
        ("stop", "active", None),
        ("stop", "error", None),  # nova allows stopping an ERROR server
        ("start", "stopped", None),
        ("reboot_soft", "active", None),
        ("reboot_hard", "stopped", None),
        ("reboot_hard", "error", None),
        ("reboot_hard", "active", "rebooting"),  # a hard reboot may override a soft one
    ],
)
def test_allowed_transitions_pass_the_checks(
    transition: str, vm_state: str, task_state: str | None
) -> None:
    lifecycle.TRANSITIONS[transition].check(SID, vm_state, task_state)


def test_transitions_end_where_nova_ends_them() -> None:
    """stop: stopped / power 4 (shutdown); start and reboots: active / power 1 (running)."""
    ends = {
        name: (t.task_state, t.final_vm_state, t.final_power_state)
        for name, t in lifecycle.TRANSITIONS.items()
    }
    assert ends == {
        "stop": ("powering-off", "stopped", 4),
        "start": ("powering-on", "active", 1),
        "reboot_soft": ("rebooting", "active", 1),
        "reboot_hard": ("rebooting_hard", "active", 1),
    }


@pytest.mark.parametrize(
    ("statuses", "vm_state", "task_state", "listed"),
    [
        (["ACTIVE"], "active", None, True),
        (["active"], "active", "powering-off", True),  # Nova filters ACTIVE by vm_state only
        (["ACTIVE"], "active", "rebooting", True),
        (["REBOOT"], "active", "rebooting", True),
        (["REBOOT"], "active", None, False),
        (["SHUTOFF"], "stopped", "powering-on", True),
        (["SHUTOFF"], "active", "powering-off", False),
        (["ACTIVE", "BOGUS"], "active", None, True),  # unknown ones among known are ignored
        (["HARD_REBOOT", "ERROR"], "error", None, True),
    ],
)
def test_status_filter_like_nova(
    statuses: list[str], vm_state: str, task_state: str | None, listed: bool
) -> None:
    """nova/api/openstack/common.py task_and_vm_state_from_status + servers.py _get_servers."""
    wanted = lifecycle.status_filter(statuses)
    assert wanted is not None
    assert wanted.matches(vm_state, task_state) is listed


def test_status_filter_with_only_unknown_statuses_is_none() -> None:
    assert lifecycle.status_filter(["RUNNING", "bogus"]) is None
    assert lifecycle.status_filter(["MIGRATING"]) is not None  # known to Nova, just unreachable
