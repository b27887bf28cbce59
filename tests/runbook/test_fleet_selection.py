"""Which servers a fleet is: the list refused before anything is sent when it cannot be right,
and step 3 refusing, with each server's reason, names that are no one server's. Against the
real emulator, the runbook as a subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator import EmulatorServer
from tests.runbook.conftest import base_env, requests_to, run_runbook
from tests.runbook.fleet_servers import CONFIRMED, add_servers, fleet_env, list_file

pytestmark = pytest.mark.slow


def test_a_name_several_servers_have_is_refused_with_their_ids(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    first = add_servers(fjcloud_emulator, "web")["web"]
    second = add_servers(fjcloud_emulator, "web")["web"]
    add_servers(fjcloud_emulator, "db")
    args = [*live_args, *CONFIRMED, "--servers", str(list_file(tmp_path, "web", "db", "nosuch"))]

    result = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 1
    assert result.step_line(3).startswith("FAILED")
    assert first in result.output
    assert second in result.output
    assert "no server named 'nosuch'" in result.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_a_server_given_twice_is_refused_before_anything_is_sent(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    ids = add_servers(fjcloud_emulator, "web-1", "web-2")
    twice = ["--server-id", ids["web-1"], "--server-id", ids["web-2"], "--server-id", ids["web-1"]]

    result = run_runbook([*live_args, *CONFIRMED, *twice], fleet_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 4, result.output  # a usage error
    assert f"{ids['web-1']!r} is given twice" in result.output
    assert fjcloud_emulator.requests_log() == []


def test_a_server_named_and_given_by_id_is_refused_at_step_3(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    ids = add_servers(fjcloud_emulator, "web-1", "web-2")
    servers = list_file(tmp_path, "web-1", "web-2", ids["web-1"])

    result = run_runbook(
        [*live_args, *CONFIRMED, "--servers", str(servers)], fleet_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 1
    assert result.step_line(3).startswith("FAILED")
    assert f"{ids['web-1']} and web-1 are the same server" in result.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


@pytest.mark.parametrize(
    ("lines", "extra", "said"),
    [
        ((), [], "no server in it"),
        (("# wave 1", "  # nothing yet"), [], "no server in it"),
        (("web-1", "web\x01-2"), [], "line 2: 'web\\x01-2' contains U+0001"),
        (("web-1", "dbf93607-f105-4e86"), [], "looks like a server id but is not a whole UUID"),
        (("web-1",), ["--server-id", "dbf93607-f105-4e86-842c-02ae504efe36"], "both name servers"),
        (("web-1", "web-2"), ["--parallel", "0"], "--parallel must be >= 1 (got 0)"),
        (("web-1", "web-2"), ["--parallel", "-2"], "--parallel must be >= 1 (got -2)"),
    ],
    ids=[
        "empty",
        "only-comments",
        "control-char",
        "uuid-cut-short",
        "with-server-id",
        "parallel-0",
        "parallel-negative",
    ],
)
def test_a_bad_list_or_option_is_a_usage_error_before_any_password_is_sent(
    fjcloud_emulator: EmulatorServer,
    tmp_path: Path,
    live_args: list[str],
    lines: tuple[str, ...],
    extra: list[str],
    said: str,
) -> None:
    add_servers(fjcloud_emulator, "web-1", "web-2")
    servers = tmp_path / "servers.txt"
    servers.write_text("".join(line + "\n" for line in lines), encoding="utf-8")

    result = run_runbook(
        [*live_args, *CONFIRMED, "--servers", str(servers), *extra],
        fleet_env(fjcloud_emulator, tmp_path),
    )

    assert result.returncode == 4, result.output  # pytest's usage error
    assert said in result.output
    assert fjcloud_emulator.requests_log() == []  # not even the password


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--rehearsal-servers", "0"], "--rehearsal-servers must be 1–1000 (got 0)"),
        (["--rehearsal-servers", "1001"], "--rehearsal-servers must be 1–1000 (got 1001)"),
        (["--rehearsal-servers", "3", "--target", "live"], "cannot be used with --target live"),
    ],
    ids=["zero", "too-many", "live"],
)
def test_a_rehearsal_fleet_out_of_range_or_live_is_a_usage_error(
    tmp_path: Path, args: list[str], said: str
) -> None:
    result = run_runbook(args, base_env(tmp_path))

    assert result.returncode == 4, result.output
    assert said in result.output


def test_repeated_server_ids_must_be_ids(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # --server-id (metavar UUID) once is SERVER_ID, which refuses a name; repeated, a name was
    # taken as one and resolved at step 3, after the password was sent.
    ids = add_servers(fjcloud_emulator, "web-1", "web-2")
    args = ["--server-id", ids["web-1"], "--server-id", "web-2"]

    result = run_runbook([*live_args, *CONFIRMED, *args], fleet_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 4, result.output
    assert "--server-id: 'web-2' is not a server id" in result.output
    assert "names go in a --servers file" in result.output
    assert fjcloud_emulator.requests_log() == []


def test_step_3_names_each_server_it_refuses_with_what_to_do_and_similar_names(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Issue #14: a name with none or several matches refuses, "listing candidates with ids"; the
    # run "names each failed server with its reason and what to do".
    ids = add_servers(fjcloud_emulator, "web-1", "db-1")
    twins = [add_servers(fjcloud_emulator, "dup")["dup"] for _ in range(2)]
    servers = list_file(tmp_path, "web-1", "dup", "Web-01")

    result = run_runbook(
        [*live_args, *CONFIRMED, "--servers", str(servers)], fleet_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 1, result.output
    assert result.step_line(3).startswith("FAILED")
    assert f"similar names: web-1 ({ids['web-1']})" in result.output  # a typo: the case
    assert "set it with" not in result.output  # not a variable to set: the list to fix
    failures = result.output.split("2 of 3 servers FAILED:", 1)[1]
    assert "- dup (id not resolved), step 3: 2 servers are named 'dup'" in failures
    assert all(twin in failures for twin in twins)
    assert "what to do: give the id of the one to stop instead of the name" in failures
    assert "- Web-01 (id not resolved), step 3: no server named 'Web-01'" in failures
    assert "what to do: give the exact name or the id" in failures
    table = result.output.split("what was done", 1)[1]
    assert f"web-1   {ids['web-1']}" in table
    assert "read: ACTIVE" in table
    evidence = (tmp_path / "evidence" / "runbook.md").read_text(encoding="utf-8")
    assert "### dup (`id not resolved`)" in evidence
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_an_id_no_server_of_the_project_has_is_named_with_what_to_do_in_a_fleets_words(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # It was '- - (id not resolved), step 3: 404 …' with the single server's 'check SERVER_ID'.
    add_servers(fjcloud_emulator, "web-1")
    unknown = "11111111-2222-4333-8444-555555555555"
    servers = list_file(tmp_path, "web-1", unknown)

    result = run_runbook(
        [*live_args, *CONFIRMED, "--servers", str(servers)], fleet_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 1, result.output
    failures = result.output.split("1 of 2 servers FAILED:", 1)[1]
    assert f"- {unknown}, step 3: 404 Not Found" in failures
    assert "what to do: check the id in the list" in failures
    assert "SERVER_ID" not in failures
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []
