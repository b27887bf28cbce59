"""Steps 4–5 while the server is changing: the runbook runs in the background, the test moves the
emulator (manual timing, forced states, the clock) while it polls. No wall-clock assertions."""

from __future__ import annotations

from pathlib import Path

import requests

from emulator import EmulatorServer
from tests.runbook.conftest import Background, live_env, polling_started, requests_to, run_runbook

CONFIRMED = ["--yes", "--confirm-manual"]


def _stop_it_ourselves(server: EmulatorServer) -> None:
    """Someone else's os-stop: the server is then powering-off (manual timing keeps it there)."""
    creds = server.credentials
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": creds["OS_USERNAME"], "domain": {"name": creds["OS_USER_DOMAIN_NAME"]},
        "password": creds["OS_PASSWORD"]}}}, "scope": {"project": {"id": server.project_id}}}}  # fmt: skip
    token = requests.post(server.auth_url + "/auth/tokens", json=body, timeout=5).headers[
        "X-Subject-Token"
    ]
    url = f"{server.compute_url}/v2/{server.project_id}/servers/{server.server_ids[0]}/action"
    answer = requests.post(url, json={"os-stop": None}, headers={"X-Auth-Token": token}, timeout=5)
    assert answer.status_code == 202


def test_409_while_powering_off_goes_on_to_step_5(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # nova/compute/api.py: "Cannot 'stop' instance <uuid> while it is in task_state powering-off".
    fjcloud_emulator.set_timing("manual")
    _stop_it_ourselves(fjcloud_emulator)
    fjcloud_emulator.clear_requests_log()
    run = Background(
        [*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path), fjcloud_emulator
    )

    run.wait_for(polling_started(fjcloud_emulator.server_ids[0]), "step 5 to poll")
    fjcloud_emulator.advance(fjcloud_emulator.server_ids[0])
    result = run.finish()

    assert result.returncode == 0, result.output
    assert [
        e["status"] for e in requests_to(fjcloud_emulator.requests_log(), "POST", "/action")
    ] == [409]
    assert "already powering off (409 from Nova): step 5 waits for it" in result.output
    assert "task_state powering-off" in result.output  # the progress lines
    assert result.step_line(5).startswith("PASSED")


def test_error_state_while_waiting_fails_step_5(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    fjcloud_emulator.set_timing("manual")
    run = Background(
        [*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path), fjcloud_emulator
    )

    run.wait_for(polling_started(fjcloud_emulator.server_ids[0]), "step 5 to poll")
    fjcloud_emulator.set_server_state(fjcloud_emulator.server_ids[0], "ERROR")
    result = run.finish()

    assert result.returncode == 1
    assert result.step_line(5).startswith("FAILED")
    assert "the server is in ERROR and no stop is under way" in result.output
    assert "FJcloud-O support" in result.output


def test_a_server_in_error_is_stopped_and_step_5_waits_through_its_powering_off(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # nova/compute/api.py stop: check_instance_state(vm_state=[ACTIVE, ERROR]); while it powers
    # off, status_from_state shows ERROR (vm_state error, task_state powering-off).
    server_id = fjcloud_emulator.server_ids[0]
    fjcloud_emulator.set_server_state(server_id, "ERROR")
    fjcloud_emulator.set_timing("manual")
    run = Background(
        [*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path), fjcloud_emulator
    )

    run.wait_for(polling_started(server_id), "step 5 to poll")
    fjcloud_emulator.advance(server_id)
    result = run.finish()

    assert result.returncode == 0, result.output
    assert "status ERROR    task_state powering-off" in result.output
    assert result.step_line(5).startswith("PASSED")


def test_timeout_fails_step_5_with_the_last_state(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    fjcloud_emulator.set_timing("manual")  # the stop never completes

    result = run_runbook(
        [*live_args, *CONFIRMED, "--poll-timeout", "0.3"], live_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 1
    assert result.step_line(5).startswith("FAILED")
    assert (
        "not SHUTOFF after 0.3 s: status ACTIVE, vm_state active, task_state powering-off"
        in result.output
    )
    assert "--from-step 5" in result.output


def test_server_vanishing_while_waiting_fails_step_5(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    fjcloud_emulator.set_timing("manual")
    run = Background(
        [*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path), fjcloud_emulator
    )

    run.wait_for(polling_started(fjcloud_emulator.server_ids[0]), "step 5 to poll")
    fjcloud_emulator.delete_server(fjcloud_emulator.server_ids[0])
    result = run.finish()

    assert result.returncode == 1
    assert "the server vanished while waiting for SHUTOFF" in result.output
    assert "could not be found" in result.output


def test_token_expiring_mid_run_is_renewed_once(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # The token lives 3 hours; keystoneauth re-authenticates once on 401, and so does the runbook.
    server_id = fjcloud_emulator.server_ids[0]
    fjcloud_emulator.set_timing("manual")
    run = Background(
        [*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path), fjcloud_emulator
    )

    run.wait_for(polling_started(server_id), "step 5 to poll")
    fjcloud_emulator.advance_clock(3 * 3600 + 1)
    run.wait_for(lambda log: len(requests_to(log, "POST", "/auth/tokens")) == 2, "a new token")
    fjcloud_emulator.advance(server_id)
    result = run.finish()

    assert result.returncode == 0, result.output
    assert 401 in [
        e["status"] for e in requests_to(fjcloud_emulator.requests_log(), "GET", server_id)
    ]
    assert "token refused (401): getting a new one with the password, once" in result.output


def test_stop_method_guest_sends_nothing_and_waits(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    server_id = fjcloud_emulator.server_ids[0]
    args = [*live_args, *CONFIRMED, "--stop-method", "guest"]
    run = Background(args, live_env(fjcloud_emulator, tmp_path), fjcloud_emulator)

    # Steps 3 and 4 read the server once each; then step 5 polls.
    run.wait_for(lambda log: len(requests_to(log, "GET", server_id)) >= 3, "step 5 to poll")
    fjcloud_emulator.set_server_state(server_id, "SHUTOFF")  # the operator shut the guest down
    result = run.finish()

    assert result.returncode == 0, result.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []
    assert "nothing sent (--stop-method guest)" in result.output


def test_server_back_to_active_without_a_task_fails_at_once(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Nova sets task_state powering-off before answering 202 and clears it when the stop fails:
    # ACTIVE with no task after an accepted stop means it will never reach SHUTOFF.
    fjcloud_emulator.set_timing("manual")
    run = Background(
        [*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path), fjcloud_emulator
    )

    run.wait_for(polling_started(fjcloud_emulator.server_ids[0]), "step 5 to poll")
    fjcloud_emulator.set_server_state(fjcloud_emulator.server_ids[0], "ACTIVE")
    result = run.finish()

    assert result.returncode == 1
    assert "the server is ACTIVE with no task after the stop was accepted" in result.output
    assert "not SHUTOFF after" not in result.output  # failed without waiting for the timeout
