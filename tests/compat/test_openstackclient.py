"""python-openstackclient (the ``openstack`` CLI) as a subprocess against the thread server.

Each invocation costs about a second (the CLI loads its plugins), so the assertions are batched:
eleven invocations in all. The CLI runs with a temporary HOME, an empty clouds.yaml and only the
emulator's ``OS_*`` variables, so nothing from the user's configuration can interfere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

import emulator
from tests.compat.helpers import MAX_MICROVERSION, SERVER_NAME, compute_requests, compute_version

CLI_TIMEOUT_SECONDS = 60


class OpenStackCli:
    """``openstack <args>`` in a subprocess with a clean environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "openstackclient.shell", *args]
        return subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=CLI_TIMEOUT_SECONDS
        )

    def __call__(self, *args: str) -> Any:
        """Run, require success, and return the parsed ``-f json`` output (else stdout)."""
        done = self.run(*args)
        # stdout may hold a token value (token issue): show only stderr on failure.
        assert done.returncode == 0, f"openstack {' '.join(args)} failed:\n{done.stderr}"
        return json.loads(done.stdout) if "json" in args else done.stdout


@pytest.fixture
def openstack_cli(thread_server: emulator.EmulatorServer, tmp_path: Path) -> OpenStackCli:
    """The CLI pointed at ``thread_server``: temp HOME, empty clouds.yaml, only its ``OS_*``."""
    home = tmp_path / "home"
    home.mkdir()
    clouds_yaml = tmp_path / "clouds.yaml"
    clouds_yaml.write_text("clouds: {}\n")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "OS_CLIENT_CONFIG_FILE": str(clouds_yaml),
        **thread_server.credentials,
    }
    return OpenStackCli(env)


def test_stop_by_name_show_by_id_start_and_list(
    thread_server: emulator.EmulatorServer, openstack_cli: OpenStackCli
) -> None:
    server_id = thread_server.server_ids[0]

    # By name: the CLI tries GET servers/<name>, gets 404, then lists with ?name= (osc_lib
    # utils.find_resource / openstacksdk find_server).
    assert openstack_cli("server", "stop", SERVER_NAME) == ""
    shown = openstack_cli("server", "show", server_id, "-f", "json")
    assert (shown["id"], shown["name"], shown["status"]) == (server_id, SERVER_NAME, "SHUTOFF")
    assert shown["OS-EXT-STS:vm_state"] == "stopped"
    assert shown["OS-EXT-STS:power_state"] in (4, "Shutdown")
    assert shown["project_id"] == thread_server.project_id

    assert openstack_cli("server", "start", server_id) == ""
    listed = openstack_cli("server", "list", "-f", "json")
    assert [(s["ID"], s["Name"], s["Status"]) for s in listed] == [
        (server_id, SERVER_NAME, "ACTIVE")
    ]
    assert listed[0]["Networks"] == {"service_net": ["172.16.31.108"]}

    actions = [e for e in compute_requests(thread_server) if e["method"] == "POST"]
    assert [(e["request_body"], e["status"]) for e in actions] == [
        ({"os-stop": None}, 202),
        ({"os-start": None}, 202),
    ]
    version = compute_version(thread_server)
    assert all(f"/compute/{version}/" in e["path"] for e in actions)
    # The CLI (through openstacksdk) negotiates the microversion from the version document on
    # /v2.1 and sends it with every call; on /v2 there is nothing to negotiate.
    echoed = {e["response_headers"].get("OpenStack-API-Version") for e in actions}
    assert echoed == ({f"compute {MAX_MICROVERSION}"} if version == "v2.1" else {None})


@pytest.mark.parametrize("thread_server", ["jp-east-1"], indirect=True)
def test_token_issue_show_by_name_and_a_conflict(
    thread_server: emulator.EmulatorServer, openstack_cli: OpenStackCli
) -> None:
    token = openstack_cli("token", "issue", "-f", "json")
    assert token["project_id"] == thread_server.project_id
    assert set(token) == {"expires", "id", "project_id", "user_id"}
    # The CLI's token is a live Keystone token: validating it answers 200 with the same project.
    validated = requests.get(
        thread_server.auth_url + "/auth/tokens",
        headers={"X-Auth-Token": token["id"], "X-Subject-Token": token["id"]},
        timeout=10,
    )
    assert validated.status_code == 200
    assert validated.json()["token"]["project"]["id"] == thread_server.project_id

    shown = openstack_cli("server", "show", SERVER_NAME, "-f", "json")
    assert (shown["id"], shown["status"]) == (thread_server.server_ids[0], "ACTIVE")
    assert shown["OS-EXT-AZ:availability_zone"] == f"{thread_server.region}a"
    lookups = [
        (e["path"].rsplit("/", 1)[-1], e["query"], e["status"])
        for e in compute_requests(thread_server)
        if e["method"] == "GET" and "/servers" in e["path"]
    ]
    # Name lookup as Nova sees it: the name as an id is 404, then a list filtered by name.
    assert lookups == [(SERVER_NAME, "", 404), ("detail", f"name={SERVER_NAME}", 200)]

    # Starting a running server: the CLI exits 1 and prints Nova's 409 message.
    refused = openstack_cli.run("server", "start", thread_server.server_ids[0])
    assert refused.returncode == 1
    assert "ConflictException: 409" in refused.stderr
    assert (
        f"Cannot 'start' instance {thread_server.server_ids[0]} while it is in vm_state active"
        in refused.stderr
    )
