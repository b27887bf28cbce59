"""Preflight: what can be checked offline is refused before the first question and before any
password is sent (issue 10), and the domain-scope refusal does not misfire (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator import EmulatorServer
from tests.runbook.conftest import live_env, requests_to, run_runbook

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
