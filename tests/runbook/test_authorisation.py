"""Authorisation known at step 2 and the region verified before step 4 (issue 10).

The token's roles tell whether the user may stop servers; FJcloud-O's docs do not state the
mapping (runbook/roles.py says what is inferred). COMPUTE must be the token catalog's compute
endpoint for the region the confirmation names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator import EmulatorServer
from runbook.variables import zone_in_region
from tests.runbook.conftest import live_env, requests_to, run_runbook

CONFIRMED = ["--yes", "--confirm-manual"]
NEEDED = "needs the role cpf_systemowner or cpf_operator on the server's project"


def test_an_observer_fails_step_3_with_the_roles_needed_and_stops_nothing(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Today: the observer learnt at step 4, after confirming, from a 403 without a hint.
    env = live_env(fjcloud_emulator, tmp_path, OS_USERNAME="demo-observer")

    result = run_runbook([*live_args, *CONFIRMED], env)

    assert result.returncode == 1
    assert result.step_line(2).startswith("PASSED")
    assert "roles cpf_observer: may NOT stop servers" in result.output  # known at step 2
    assert result.step_line(3).startswith("FAILED")
    assert "the token's user may not stop servers" in result.output
    assert NEEDED in result.output
    assert "FJcloud-O's documentation does not state which roles may stop a server" in result.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_an_observer_may_still_run_up_to_step_3(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path, OS_USERNAME="demo-observer")

    result = run_runbook([*live_args, *CONFIRMED, "--to-step", "3"], env)

    assert result.returncode == 0, result.output
    assert result.step_line(3).startswith("PASSED")


def test_any_403_gets_the_roles_hint(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # A policy the roles did not predict (FJcloud-O's mapping is not documented): Nova's 403.
    fault = {"forbidden": {"code": 403, "message": "Policy doesn't allow os_compute_api:servers:stop to be performed."}}  # fmt: skip
    fjcloud_emulator.inject_fault(method="POST", path="*/action", status=403, body=fault, times=1)

    result = run_runbook([*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 1
    assert result.step_line(4).startswith("FAILED")
    assert "403 Forbidden: Policy doesn't allow os_compute_api:servers:stop" in result.output
    assert NEEDED in result.output


def test_compute_of_another_region_is_refused_before_step_4(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Observed: COMPUTE exported for jp-east-1 with --region jp-east-3; the run passed and the
    # step-4 prompt named jp-east-3.
    env = live_env(fjcloud_emulator, tmp_path, COMPUTE=fjcloud_emulator.compute_url)

    result = run_runbook([*live_args, *CONFIRMED, "--region", "jp-east-3"], env)

    assert result.returncode == 1
    assert result.step_line(3).startswith("FAILED")
    assert "'jp-east-3' has no compute endpoint in the token's catalog (it has: jp-east-1)" in (
        result.output
    )
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_compute_that_is_not_the_catalogs_endpoint_for_the_region_is_refused(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Same emulator, another host name: not the catalog's endpoint (scheme, host and port must
    # match). Refused before any request goes to it.
    compute = fjcloud_emulator.compute_url.replace("127.0.0.1", "localhost")
    env = live_env(fjcloud_emulator, tmp_path, COMPUTE=compute)

    result = run_runbook([*live_args, *CONFIRMED], env)

    assert result.returncode == 1
    assert result.step_line(3).startswith("FAILED")
    assert f"COMPUTE: {compute} (from COMPUTE) is not region jp-east-1's compute endpoint" in (
        result.output
    )
    assert f"the token's catalog says {fjcloud_emulator.compute_url} for jp-east-1" in result.output
    assert [e for e in fjcloud_emulator.requests_log() if "/compute" in e["path"]] == []


def test_the_catalogs_own_compute_passes_and_says_it_was_verified(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path, COMPUTE=fjcloud_emulator.compute_url)

    result = run_runbook([*live_args, *CONFIRMED], env)

    assert result.returncode == 0, result.output
    assert (
        "region     = jp-east-1   (verified: COMPUTE is the token catalog's public compute "
        "endpoint for jp-east-1)" in result.output
    )
    assert len(requests_to(fjcloud_emulator.requests_log(), "POST", "/action")) == 1


def test_a_server_whose_zone_is_not_in_the_region_is_refused_before_step_4(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    stray = fjcloud_emulator.add_server(
        name="west", status="ACTIVE", availability_zone="jp-west-1a"
    )
    env = live_env(fjcloud_emulator, tmp_path, SERVER_ID=stray["id"])

    result = run_runbook([*live_args, *CONFIRMED], env)

    assert result.returncode == 1
    assert result.step_line(3).startswith("FAILED")
    assert (
        "the server is in availability zone jp-west-1a, which is not a zone of region jp-east-1"
        in result.output
    )
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_the_servers_zone_in_the_region_is_said_to_be_verified(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    result = run_runbook(
        [*live_args, *CONFIRMED, "--to-step", "3"], live_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 0, result.output
    assert "zone       = jp-east-1a   (a zone of region jp-east-1)" in result.output


@pytest.mark.parametrize(
    ("zone", "region", "inside"),
    [
        ("jp-east-1a", "jp-east-1", True),
        ("jp-east-1b", "jp-east-1", True),
        ("jp-east-3a", "jp-east-3", True),
        ("jp-east-1a", "jp-east-3", False),
        ("jp-east-12a", "jp-east-1", False),
        ("jp-east-1", "jp-east-1", False),
        ("uk-1a", "uk-1", True),
    ],
)
def test_zone_in_region(zone: str, region: str, inside: bool) -> None:
    assert zone_in_region(zone, region) is inside
