"""A fleet: several servers in one procedure, against the real emulator over HTTP, the runbook as a
subprocess. Each server's os-stop requests are counted in the emulator's request log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator import EmulatorServer
from tests.runbook.conftest import Background, base_env, requests_to, run_runbook
from tests.runbook.fleet_servers import (
    CONFIRMED,
    add_servers,
    fleet_env,
    journal_records,
    list_file,
    pinned_fleet,
    stop_statuses,
)

pytestmark = pytest.mark.slow


def test_rehearsal_of_thirty_servers_reports_each_server(tmp_path: Path) -> None:
    result = run_runbook(["--rehearsal-servers", "30", "-v"], base_env(tmp_path))

    assert result.returncode == 0, result.output
    for name in ("fleet-01", "fleet-17", "fleet-30"):
        assert f"test_step4_stop_server[{name}] PASSED" in result.output
        assert f"test_step5_check_server_status[{name}] PASSED" in result.output
    table = result.output.split("server    id", 1)[1].splitlines()[1:31]
    assert all(" ok      ok " in row for row in table), table
    assert "30 of 30 servers ok" in result.step_line(5) + result.output


def test_names_and_ids_from_a_file_one_confirmation_one_stop_each(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    ids = add_servers(fjcloud_emulator, "web-1", "web-2", "db-1")
    servers = list_file(tmp_path, "# the web tier", "web-1", "web-2  # by name", ids["db-1"])

    result = run_runbook(
        [*live_args, *CONFIRMED, "--servers", str(servers)], fleet_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 0, result.output
    for server_id in ids.values():
        assert stop_statuses(fjcloud_emulator, server_id) == [202]
    assert stop_statuses(fjcloud_emulator, fjcloud_emulator.server_ids[0]) == []  # not listed
    records = journal_records(tmp_path)
    step4 = [r for r in records if r["kind"] == "confirmation" and r["step"] == 4]
    assert len(step4) == 1
    assert "stop 3 servers" in step4[0]["question"]
    step1 = [r for r in records if r["kind"] == "confirmation" and r["step"] == 1]
    assert len(step1) == 1  # --confirm-manual: one act, one record naming every server
    assert all(label in step1[0]["question"] for label in ("web-1", "web-2", ids["db-1"]))
    pinned = next(r for r in records if r["kind"] == "pinned")["identity"]["servers"]
    assert sorted(s["id"] for s in pinned) == sorted(ids.values())
    evidence = (tmp_path / "evidence" / "runbook.md").read_text(encoding="utf-8")
    assert "## Servers of the fleet" in evidence
    for name, server_id in ids.items():
        assert f"### {name} (`{server_id}`)" in evidence


def test_locked_and_gone_servers_fail_alone_and_a_rerun_stops_only_those(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    ids = add_servers(fjcloud_emulator, "web-1", "web-2", "web-3", "web-4")
    fjcloud_emulator.set_server_state(ids["web-2"], "ACTIVE", locked=True)  # 409 InstanceIsLocked
    fault = fjcloud_emulator.inject_fault(
        method="POST",
        path=f"*/servers/{ids['web-3']}/action",
        action="respond",
        status=404,
        body={"itemNotFound": {"code": 404, "message": "Instance could not be found."}},
    )
    servers = list_file(tmp_path, *ids)
    args = [*live_args, *CONFIRMED, "--servers", str(servers), "-v"]

    first = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))

    assert first.returncode == 1, first.output
    assert "test_step4_stop_server[web-2] FAILED" in first.output
    assert "test_step4_stop_server[web-3] FAILED" in first.output
    assert "test_step5_check_server_status[web-1] PASSED" in first.output
    assert "test_step5_check_server_status[web-4] PASSED" in first.output
    assert "test_step5_check_server_status[web-2] SKIPPED" in first.output
    summary = first.output.split("2 of 4 servers FAILED:", 1)[1]
    assert f"web-2 ({ids['web-2']}), step 4:" in summary
    assert "unlock" in summary
    assert f"web-3 ({ids['web-3']}), step 4: gone:" in summary
    assert "continue with --from-step 4" in first.output

    fjcloud_emulator.set_server_state(ids["web-2"], "ACTIVE", locked=False)
    fjcloud_emulator.remove_fault(fault["id"])
    second = run_runbook([*args, "--from-step", "4"], fleet_env(fjcloud_emulator, tmp_path))

    assert second.returncode == 0, second.output
    assert stop_statuses(fjcloud_emulator, ids["web-1"]) == [202]  # never touched again
    assert stop_statuses(fjcloud_emulator, ids["web-4"]) == [202]
    assert stop_statuses(fjcloud_emulator, ids["web-2"]) == [409, 202]
    assert stop_statuses(fjcloud_emulator, ids["web-3"]) == [404, 202]
    assert (
        second.output.count("is done (status SHUTOFF, task_state -): not sent or asked again") >= 2
    )


def test_error_while_waiting_fails_that_server_only(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    ids = add_servers(fjcloud_emulator, "app-1", "app-2", "app-3")
    fjcloud_emulator.set_timing("immediate")
    fjcloud_emulator.set_timing("manual", ids["app-2"])  # app-2 stays powering-off
    servers = list_file(tmp_path, *ids)
    run = Background(
        [*live_args, *CONFIRMED, "--servers", str(servers), "-v"],
        fleet_env(fjcloud_emulator, tmp_path),
        fjcloud_emulator,
    )

    def polling(log: list[dict[str, Any]]) -> bool:
        posts = [
            i for i, e in enumerate(log) if e["method"] == "POST" and e["path"].endswith("/action")
        ]
        return len(posts) == 3 and any(e["method"] == "GET" for e in log[posts[-1] + 1 :])

    run.wait_for(polling, "step 5 to poll after the three stops")
    fjcloud_emulator.set_server_state(ids["app-2"], "ERROR")
    result = run.finish()

    assert result.returncode == 1, result.output
    assert "test_step5_check_server_status[app-1] PASSED" in result.output
    assert "test_step5_check_server_status[app-3] PASSED" in result.output
    assert "test_step5_check_server_status[app-2] FAILED" in result.output
    assert "the server is in ERROR and no stop is under way" in result.output


def test_a_server_in_error_is_stopped_with_the_others_and_waited_for_to_shutoff(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # nova/compute/api.py stop accepts vm_state error; the status reads ERROR while it powers off.
    ids = add_servers(fjcloud_emulator, "app-1", "app-2")
    fjcloud_emulator.set_server_state(ids["app-2"], "ERROR")
    fjcloud_emulator.set_timing(0.3)
    args = [*live_args, *CONFIRMED, "--servers", str(list_file(tmp_path, *ids)), "-v"]

    result = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 0, result.output
    assert "test_step5_check_server_status[app-2] PASSED" in result.output
    assert stop_statuses(fjcloud_emulator, ids["app-2"]) == [202]


def test_a_timeout_fails_only_the_server_still_stopping(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    ids = add_servers(fjcloud_emulator, "app-1", "app-2")
    fjcloud_emulator.set_timing("immediate")
    fjcloud_emulator.set_timing("manual", ids["app-2"])
    args = [*live_args, *CONFIRMED, "--servers", str(list_file(tmp_path, *ids))]

    result = run_runbook(
        [*args, "--poll-timeout", "0.3", "-v"], fleet_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 1, result.output
    assert "test_step5_check_server_status[app-1] PASSED" in result.output
    assert "test_step5_check_server_status[app-2] FAILED" in result.output
    assert "not SHUTOFF after 0.3 s" in result.output


@pytest.mark.parametrize(
    "kill_at",
    [
        "os-stop/intent-journalled@3",  # the 3rd stop's intent is on disk, its POST not sent
        "os-stop/answered@3",  # the 3rd POST arrived, its answer is not journalled
        "os-stop/outcome-journalled@2",
        "wait/polled@1",
    ],
)
def test_sigkill_in_the_middle_of_a_fleet_then_a_rerun_stops_each_server_once(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str], kill_at: str
) -> None:
    ids = add_servers(fjcloud_emulator, *(f"vm-{n}" for n in range(1, 6)))
    args = [*live_args, *CONFIRMED, "--servers", str(list_file(tmp_path, *ids)), "--parallel", "1"]

    killed = run_runbook(
        args, fleet_env(fjcloud_emulator, tmp_path, FJCLOUD_RUNBOOK_TEST_KILL_AT=kill_at)
    )
    assert killed.returncode == -9, killed.output
    rerun = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))

    assert rerun.returncode == 0, rerun.output
    for server_id in ids.values():
        statuses = stop_statuses(fjcloud_emulator, server_id)
        assert statuses == [202], (server_id, statuses, rerun.output)


def test_dry_run_prints_the_curl_commands_of_each_server(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    ids = add_servers(fjcloud_emulator, "web-1", "web-2")
    args = [*live_args, "--dry-run", "--servers", str(list_file(tmp_path, *ids.values()))]

    result = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 0, result.output
    for server_id in ids.values():
        assert f"export SERVER_ID={server_id}" in result.output
        assert f"{server_id}  {server_id}  ok" in result.output  # its id in the table, known
    assert result.output.count("-d '{\"os-stop\": null}'") == 2
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_minus_k_selects_the_servers_a_rehearsal_stops(tmp_path: Path) -> None:
    result = run_runbook(
        ["--rehearsal-servers", "4", "-v", "-k", "not fleet or fleet-03"], base_env(tmp_path)
    )

    assert result.returncode == 0, result.output
    assert "test_step4_stop_server[fleet-03] PASSED" in result.output
    assert "test_step4_stop_server[fleet-01]" not in result.output
    assert "1 of 1 servers ok; 3 of the 4 listed not selected" in result.output


def test_bracketed_label_selects_exactly_that_server_not_its_prefix_siblings(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # -k matches substrings (pytest): "web-1" is in "web-10" too; "[web-1]" ends at the label.
    ids = add_servers(fjcloud_emulator, "web-1", "web-10", "web-11")
    args = [*live_args, *CONFIRMED, "--servers", str(list_file(tmp_path, *ids))]

    result = run_runbook(
        [*args, "-v", "-k", "not fleet or [web-1]"], fleet_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 0, result.output
    assert "test_step3_set_variables PASSED" in result.output  # the steps of no server run
    assert stop_statuses(fjcloud_emulator, ids["web-1"]) == [202]
    assert stop_statuses(fjcloud_emulator, ids["web-10"]) == []
    assert stop_statuses(fjcloud_emulator, ids["web-11"]) == []


def test_another_list_on_a_pinned_procedure_is_refused(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    add_servers(fjcloud_emulator, "web-1", "web-2", "web-3")
    first = list_file(tmp_path, "web-1", "web-2")
    pinned = run_runbook(
        [*live_args, *CONFIRMED, "--servers", str(first), "--to-step", "3"],
        fleet_env(fjcloud_emulator, tmp_path),
    )
    assert pinned.returncode == 0, pinned.output
    other = list_file(tmp_path, "web-1", "web-3")

    result = run_runbook(
        [*live_args, "--yes", "--servers", str(other), "--from-step", "4"],
        fleet_env(fjcloud_emulator, tmp_path),
    )

    assert result.returncode == 1
    assert "'web-3'" in result.output
    assert "is not one of the servers pinned at step 3" in result.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_a_rerun_naming_no_servers_continues_with_the_pinned_list_and_stops_only_the_rest(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Issue #14: "a rerun continues with the servers not yet done (from the journal) without
    # touching those already stopped" -- the list comes from the journal's pin, not the operator.
    ids = add_servers(fjcloud_emulator, "web-1", "web-2", "web-3")
    fjcloud_emulator.set_server_state(ids["web-2"], "ACTIVE", locked=True)  # 409 InstanceIsLocked
    servers = list_file(tmp_path, "web-1", "web-2", ids["web-3"])
    first = run_runbook(
        [*live_args, *CONFIRMED, "--servers", str(servers)], fleet_env(fjcloud_emulator, tmp_path)
    )
    assert first.returncode == 1, first.output
    assert stop_statuses(fjcloud_emulator, ids["web-2"]) == [409]

    fjcloud_emulator.set_server_state(ids["web-2"], "ACTIVE", locked=False)
    second = run_runbook(
        [*live_args, "--yes", "--from-step", "4", "-v"], fleet_env(fjcloud_emulator, tmp_path)
    )

    assert second.returncode == 0, second.output
    assert "servers: the procedure's pinned list of 3 (from the journal)" in second.output
    assert "test_step4_stop_server[web-2] PASSED" in second.output
    assert f"test_step5_check_server_status[{ids['web-3']}] PASSED" in second.output  # its label
    assert stop_statuses(fjcloud_emulator, ids["web-2"]) == [409, 202]
    assert stop_statuses(fjcloud_emulator, ids["web-1"]) == [202]  # not touched again
    assert stop_statuses(fjcloud_emulator, ids["web-3"]) == [202]


def test_a_server_deleted_after_step_3_is_gone_and_the_others_are_stopped(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    ids, args = pinned_fleet(fjcloud_emulator, tmp_path, live_args, "web-1", "web-2", "web-3")
    fjcloud_emulator.delete_server(ids["web-2"])

    result = run_runbook([*args, "--from-step", "4", "-v"], fleet_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 1, result.output
    assert "test_step5_check_server_status[web-1] PASSED" in result.output
    assert "test_step5_check_server_status[web-3] PASSED" in result.output
    failures = result.output.split("1 of 3 servers FAILED:", 1)[1]
    assert f"- web-2 ({ids['web-2']}), step 4: gone: 404" in failures
    assert "continue without it: run --from-step 4 with a list that leaves it out" in failures
    assert "check SERVER_ID" not in failures  # the single server's hint: not a fleet's words
    assert stop_statuses(fjcloud_emulator, ids["web-2"]) == []


def test_no_terminal_and_no_yes_refuses_once_for_the_whole_fleet(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    ids = add_servers(fjcloud_emulator, "web-1", "web-2", "web-3")
    args = [*live_args, "--confirm-manual", "--servers", str(list_file(tmp_path, *ids))]

    result = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))  # stdin is no terminal

    assert result.returncode == 1, result.output
    reason = "there is no terminal to confirm on and --yes was not given"
    assert result.step_line(4).startswith("FAILED")
    step4 = result.output.split(result.step_line(4), 1)[1].splitlines()[1]  # its reason
    assert step4.count(reason) == 1, step4  # one refusal, said once
    assert "web-1, web-2, web-3 (refusing to stop 3 servers" in step4
    failures = result.output.split("3 of 3 servers FAILED:", 1)[1]
    assert failures.count(reason) == 1
    assert failures.count("what to do: run it on a terminal") == 1
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_a_rerun_whose_saved_token_expired_gets_a_new_one_once_and_stops_each_server_once(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # A single server's --from-step 4 renews an expired token with the password (one POST
    # /v3/auth/tokens); a fleet's failed every server at the restored token's lookup (401).
    ids, args = pinned_fleet(fjcloud_emulator, tmp_path, live_args, "web-1", "web-2", "web-3")
    fjcloud_emulator.advance_clock(3 * 3600 + 1)  # Keystone's tokens last 3 hours: all expired
    fjcloud_emulator.clear_requests_log()

    result = run_runbook([*args, "--from-step", "4"], fleet_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 0, result.output
    assert "token refused (401): getting a new one with the password, once" in result.output
    assert len(requests_to(fjcloud_emulator.requests_log(), "POST", "/auth/tokens")) == 1
    for server_id in ids.values():
        assert stop_statuses(fjcloud_emulator, server_id) == [202]


def test_each_servers_stop_is_printed_once(tmp_path: Path) -> None:
    # The first item of step 4 prints every server's stop as it is answered; it printed its own
    # again after them ('fleet-01: ok: os-stop sent' then 'fleet-01: os-stop sent'), which read
    # as a second stop. The other items print their own server's, once.
    result = run_runbook(["--rehearsal-servers", "3", "--page", "1"], base_env(tmp_path))

    assert result.returncode == 0, result.output
    step4 = result.output.split("[4/5]", 1)[1].split("[5/5]", 1)[0]
    for label in ("fleet-01", "fleet-02", "fleet-03"):
        assert step4.count(f"      {label}: ok: os-stop sent: 202 Accepted") == 1, step4
    assert step4.count("fleet-01: os-stop sent") == 0, step4
    assert step4.count("fleet-02: os-stop sent: 202 Accepted") == 1, step4  # its own item


def test_a_rerun_after_to_step_3_naming_no_servers_keeps_the_labels_as_given(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # The labels of a rerun without the list come from the journal's per-server results; after
    # --to-step 3 there were none, and a server given by its id came back under its name.
    ids = add_servers(fjcloud_emulator, "web-1", "web-2")
    servers = list_file(tmp_path, "web-1", ids["web-2"])
    pinned = run_runbook(
        [*live_args, *CONFIRMED, "--servers", str(servers), "--to-step", "3"],
        fleet_env(fjcloud_emulator, tmp_path),
    )
    assert pinned.returncode == 0, pinned.output

    result = run_runbook(
        [*live_args, "--yes", "--from-step", "4", "-v"], fleet_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 0, result.output
    assert f"test_step4_stop_server[{ids['web-2']}] PASSED" in result.output
    assert "test_step4_stop_server[web-1] PASSED" in result.output
