"""Preflight: what can be checked offline is refused before the first question and before any
password is sent (issue 10), and the domain-scope refusal does not misfire (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator import EmulatorServer
from tests.runbook.conftest import Result, base_env, live_env, requests_to, run_runbook

CONFIRMED = ["--yes", "--confirm-manual"]


@pytest.mark.parametrize("variable", ["OS_DOMAIN_NAME", "OS_DOMAIN_ID"])
def test_os_domain_with_a_project_is_the_users_domain_not_a_domain_scope(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str], variable: str
) -> None:
    # gophercloud's environment loader reads OS_DOMAIN_NAME/OS_DOMAIN_ID for the user's domain;
    # openstacksdk (openstack/config/loader.py _handle_domain_id) makes it the default of the user's
    # and the project's domain when a project is given. Only without a project is it a scope.
    domain = fjcloud_emulator.snapshot()["identity"]["domains"][0]
    value = domain["name"] if variable == "OS_DOMAIN_NAME" else domain["id"]
    env = live_env(fjcloud_emulator, tmp_path, OS_USER_DOMAIN_NAME=None, **{variable: value})

    result = run_runbook([*live_args, *CONFIRMED, "--to-step", "2"], env)

    assert result.returncode == 0, result.output
    (login,) = requests_to(fjcloud_emulator.requests_log(), "POST", "/auth/tokens")
    assert login["status"] == 201


def _nothing_sent_or_asked(server: EmulatorServer, result: Result) -> None:
    assert result.returncode == 1, result.output
    assert result.step_line(1).startswith("ERROR"), result.step_line(1)  # before step 1 asks
    assert "pass --confirm-manual" not in result.output  # step 1's question was never reached
    assert server.requests_log() == []  # no password, no request at all


def test_a_server_name_in_server_id_is_refused_at_preflight_saying_how_to_find_the_id(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Today: refused only at step 3, after the password was sent, with no way to find the id.
    env = live_env(fjcloud_emulator, tmp_path, SERVER_ID="Win2012R2SE")

    result = run_runbook([*live_args, "--yes"], env)

    _nothing_sent_or_asked(fjcloud_emulator, result)
    assert (
        "preflight: SERVER_ID: 'Win2012R2SE' (from SERVER_ID) is not a server id" in result.output
    )
    assert "`openstack server list` (the ID column" in result.output
    assert "pass --server-name NAME" in result.output


def test_missing_os_auth_url_is_reported_before_step_1_asks(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Today: step 1's question (or its refusal without a terminal) came first.
    result = run_runbook(
        [*live_args, "--yes"], live_env(fjcloud_emulator, tmp_path, OS_AUTH_URL=None)
    )

    _nothing_sent_or_asked(fjcloud_emulator, result)
    assert "preflight: OS_AUTH_URL: missing: the identity endpoint" in result.output


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"OS_AUTH_URL": "identity.jp-east-1.cloud.global.fujitsu.com/v3"},
            "is not an http(s) URL",
        ),
        (
            {"OS_REGION_NAME": "jp-east-9"},
            "'jp-east-9' (from OS_REGION_NAME) is not an FJcloud-O region",
        ),
        (
            {"OS_PROJECT_ID": "demo-project"},
            "'demo-project' (from OS_PROJECT_ID) is not a project id",
        ),
        ({"SERVER_ID": None}, "SERVER_ID: missing: which server to stop"),
    ],
)
def test_offline_checks_refuse_before_anything_is_asked_or_sent(
    fjcloud_emulator: EmulatorServer,
    tmp_path: Path,
    live_args: list[str],
    overrides: dict[str, str | None],
    expected: str,
) -> None:
    result = run_runbook([*live_args, "--yes"], live_env(fjcloud_emulator, tmp_path, **overrides))

    _nothing_sent_or_asked(fjcloud_emulator, result)
    assert expected in result.output


def test_from_step_4_without_state_says_what_is_true(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Today: "step 2 gets one" — but step 2 does not run with --from-step 4.
    result = run_runbook(
        [*live_args, "--yes", "--from-step", "4"], live_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 1
    assert result.step_line(4).startswith("ERROR")
    assert (
        "preflight: --from-step 4: no token — step 2 does not run in this invocation"
        in result.output
    )
    assert (
        f"no earlier invocation of this procedure left a token (state file {tmp_path / 'state.json'})"
        in result.output
    )
    assert "step 2 gets one" not in result.output
    assert fjcloud_emulator.requests_log() == []


def test_server_name_option_resolves_to_the_one_server_with_that_name(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    other = fjcloud_emulator.add_server(name="web01", status="ACTIVE")
    env = live_env(fjcloud_emulator, tmp_path, SERVER_ID=None)

    result = run_runbook([*live_args, *CONFIRMED, "--server-name", "web01"], env)

    assert result.returncode == 0, result.output
    assert f"--server-name 'web01': the one server with that name is {other['id']}" in result.output
    posts = requests_to(fjcloud_emulator.requests_log(), "POST", "/action")
    assert [p["path"].split("/")[-2] for p in posts] == [other["id"]]


def test_an_ambiguous_server_name_refuses_listing_the_candidates(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    first = fjcloud_emulator.add_server(name="web", status="ACTIVE")
    second = fjcloud_emulator.add_server(name="web", status="ACTIVE")
    fjcloud_emulator.add_server(name="web-2", status="ACTIVE")  # not the same name
    env = live_env(fjcloud_emulator, tmp_path, SERVER_ID=None)

    result = run_runbook([*live_args, *CONFIRMED, "--server-name", "web"], env)

    assert result.returncode == 1
    assert result.step_line(3).startswith("FAILED")
    assert "--server-name: 2 servers are named 'web' in project" in result.output
    assert first["id"] in result.output
    assert second["id"] in result.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_server_name_and_server_id_together_are_refused(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    result = run_runbook(
        [*live_args, "--yes", "--server-name", "Win2012R2SE"], live_env(fjcloud_emulator, tmp_path)
    )

    _nothing_sent_or_asked(fjcloud_emulator, result)
    assert (
        "preflight: both SERVER_ID (SERVER_ID) and --server-name 'Win2012R2SE' are given"
        in result.output
    )


def test_a_rehearsal_resolves_server_name_too(tmp_path: Path) -> None:
    # The seed's server is "Win2012R2SE": a rehearsal with --server-name rehearses the lookup.
    result = run_runbook(["--page", "1", "--server-name", "Win2012R2SE"], base_env(tmp_path))

    assert result.returncode == 0, result.output
    assert (
        "--server-name 'Win2012R2SE': the one server with that name is "
        "dbf93607-f105-4e86-842c-02ae504efe36" in result.output
    )
