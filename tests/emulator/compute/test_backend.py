"""ComputeBackend: timing modes, history, and the control-plane contract (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import pytest

from emulator.clock import Clock
from emulator.compute.backend import ComputeBackend
from emulator.compute.errors import BadRequest, Conflict, ItemNotFound
from emulator.config import EmulatorConfig, Timing
from emulator.seed import load_default_seed, server_seed_from_dict

PROJECT = "790f1c092038413a8dd6771a033b17f5"
SID = "dbf93607-f105-4e86-842c-02ae504efe36"
NEW_ID = "0b6f7d9e-3a1c-4f8e-9d2b-5c4a3e2f1a0b"


def make(timing: str | float = "manual") -> tuple[ComputeBackend, Clock]:
    config = EmulatorConfig(timing=Timing.parse(timing))
    clock = Clock()
    return ComputeBackend(config, clock), clock


def state(backend: ComputeBackend, sid: str = SID) -> tuple[str, str | None, int, str]:
    record = backend.get_server(PROJECT, sid)
    return record.vm_state, record.task_state, record.power_state, record.status


def test_seed_server_starts_active_and_running() -> None:
    backend, _ = make()
    assert state(backend) == ("active", None, 1, "ACTIVE")


def test_immediate_stop_completes_inside_the_call() -> None:
    backend, _ = make("immediate")
    backend.act(PROJECT, SID, "stop", cause="test")
    assert state(backend) == ("stopped", None, 4, "SHUTOFF")
    causes = [(e["task_state"], e["status"]) for e in backend.history(SID)]
    # the accepted powering-off step is recorded even though it completed at once
    assert causes == [(None, "ACTIVE"), ("powering-off", "ACTIVE"), (None, "SHUTOFF")]


def test_seconds_timing_completes_lazily_when_the_clock_passes_the_due_time() -> None:
    backend, clock = make(5.0)
    backend.act(PROJECT, SID, "stop", cause="test")
    assert state(backend) == ("active", "powering-off", 1, "ACTIVE")
    clock.advance(4.9)
    assert state(backend)[3] == "ACTIVE"
    clock.advance(0.2)
    assert state(backend) == ("stopped", None, 4, "SHUTOFF")
    last = backend.history(SID)[-1]
    assert last["cause"] == "stop completed (after 5 s)"


def test_seconds_completion_is_dated_at_the_due_time_not_the_read_time() -> None:
    backend, clock = make(2.0)
    backend.act(PROJECT, SID, "stop", cause="test")
    accepted = backend.get_server(PROJECT, SID).updated
    clock.advance(3600)
    completed = backend.get_server(PROJECT, SID).updated
    assert (completed - accepted).total_seconds() == pytest.approx(2.0, abs=0.01)


def test_manual_timing_waits_for_advance() -> None:
    backend, clock = make("manual")
    backend.act(PROJECT, SID, "stop", cause="test")
    clock.advance(10_000)
    assert state(backend)[1] == "powering-off"
    entry = backend.advance(SID)
    assert (entry["status"], entry["power_state"], entry["pending"]) == ("SHUTOFF", 4, None)
    assert backend.history(SID)[-1]["cause"] == "stop completed (advanced)"


def test_advance_without_pending_transition_changes_nothing() -> None:
    backend, _ = make()
    before = backend.history(SID)
    assert backend.advance(SID)["status"] == "ACTIVE"
    assert backend.history(SID) == before


def test_start_is_the_mirror_of_stop() -> None:
    backend, _ = make()
    backend.act(PROJECT, SID, "stop", cause="t")
    backend.advance(SID)
    backend.act(PROJECT, SID, "start", cause="t")
    assert state(backend) == ("stopped", "powering-on", 4, "SHUTOFF")
    backend.advance(SID)
    assert state(backend) == ("active", None, 1, "ACTIVE")


def test_updated_moves_on_every_transition() -> None:
    backend, clock = make()
    first = backend.get_server(PROJECT, SID).updated
    clock.advance(60)
    backend.act(PROJECT, SID, "stop", cause="t")
    second = backend.get_server(PROJECT, SID).updated
    clock.advance(60)
    backend.advance(SID)
    third = backend.get_server(PROJECT, SID).updated
    assert first < second < third


def test_locked_server_refuses_before_the_state_check() -> None:
    """nova/compute/api.py: @check_instance_lock wraps @check_instance_state."""
    backend, _ = make()
    backend.set_state(SID, "SHUTOFF", locked=True)
    with pytest.raises(Conflict) as caught:
        backend.act(PROJECT, SID, "stop", cause="t")
    assert caught.value.message == f"Instance {SID} is locked"


def test_admin_may_act_on_a_locked_server() -> None:
    """nova/compute/api.py check_instance_lock: ``if instance.locked and not context.is_admin``."""
    backend, _ = make()
    backend.set_state(SID, "ACTIVE", locked=True)
    backend.act(PROJECT, SID, "stop", cause="t", is_admin=True)
    assert state(backend)[1] == "powering-off"


def test_set_timing_per_server_overrides_the_default_and_reschedules() -> None:
    backend, _ = make("manual")
    backend.act(PROJECT, SID, "stop", cause="t")
    backend.set_timing(Timing("immediate"), SID)
    assert state(backend)[3] == "SHUTOFF"
    assert backend.snapshot()["servers"][0]["timing"] == {"mode": "immediate", "seconds": 0.0}
    assert backend.snapshot()["timing"] == {"mode": "manual", "seconds": 0.0}


def test_set_timing_default_applies_to_servers_without_their_own() -> None:
    backend, clock = make("manual")
    backend.act(PROJECT, SID, "stop", cause="t")
    backend.set_timing(Timing("seconds", 1.0))
    clock.advance(1.5)
    assert state(backend)[3] == "SHUTOFF"


def test_set_state_forces_error_and_drops_pending_work() -> None:
    backend, _ = make()
    backend.act(PROJECT, SID, "stop", cause="t")
    entry = backend.set_state(SID, "error")
    assert (entry["status"], entry["vm_state"], entry["task_state"], entry["pending"]) == (
        "ERROR",
        "error",
        None,
        None,
    )
    with pytest.raises(BadRequest, match="status must be one of ACTIVE, SHUTOFF, ERROR"):
        backend.set_state(SID, "PAUSED")


def test_add_server_from_a_spec_and_refuse_a_duplicate_id() -> None:
    backend, _ = make()
    spec = server_seed_from_dict(
        {"id": NEW_ID, "name": "web-2", "status": "SHUTOFF"}, load_default_seed()
    )
    entry = backend.add_server(spec)
    assert (entry["id"], entry["status"], entry["power_state"]) == (NEW_ID, "SHUTOFF", 4)
    assert {s.id for s in backend.list_servers(PROJECT)} == {NEW_ID, SID}
    with pytest.raises(Conflict):
        backend.add_server(spec)


def test_delete_server_makes_it_404_but_keeps_its_history() -> None:
    backend, _ = make()
    backend.delete_server(SID)
    with pytest.raises(ItemNotFound) as caught:
        backend.get_server(PROJECT, SID)
    assert caught.value.message == f"Instance {SID} could not be found."
    assert backend.history(SID)[-1]["status"] == "DELETED"
    with pytest.raises(ItemNotFound):
        backend.advance(SID)


def test_unknown_ids_raise_item_not_found_for_every_control_method() -> None:
    backend, _ = make()
    for call in (
        lambda: backend.advance("nope"),
        lambda: backend.set_state("nope", "ACTIVE"),
        lambda: backend.delete_server("nope"),
        lambda: backend.history("nope"),
        lambda: backend.set_timing(Timing("immediate"), "nope"),
    ):
        with pytest.raises(ItemNotFound) as caught:
            call()
        assert caught.value.message == "Instance nope could not be found."


def test_server_of_another_project_is_not_found() -> None:
    backend, _ = make()
    with pytest.raises(ItemNotFound):
        backend.get_server("0123456789abcdef0123456789abcdef", SID)


def test_snapshot_masks_admin_pass_and_history_entries_have_the_contract_keys() -> None:
    backend, _ = make()
    snapshot = backend.snapshot()
    assert snapshot["servers"][0]["metadata"] == {"admin_pass": "***"}
    assert "Password0" not in repr(snapshot)
    for entry in backend.history(SID):
        assert set(entry) == {"at", "vm_state", "task_state", "power_state", "status", "cause"}


def test_per_server_timing_from_the_seed() -> None:
    seed = load_default_seed()
    spec = server_seed_from_dict({"id": NEW_ID, "name": "slow", "timing": "manual"}, seed)
    config = EmulatorConfig(seed=seed.with_servers(spec), timing=Timing("immediate"))
    backend = ComputeBackend(config, Clock())
    backend.act(PROJECT, NEW_ID, "stop", cause="t")
    backend.act(PROJECT, SID, "stop", cause="t")
    assert state(backend, NEW_ID)[1] == "powering-off"
    assert state(backend, SID)[3] == "SHUTOFF"
