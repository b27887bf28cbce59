"""After a fleet's pre-work, pages 2–5 for each server in a procedure of its own — the command the
fleet's report prints, run as printed — against the real emulator, the runbook as a subprocess."""

from __future__ import annotations

import re
import shlex
import uuid
from pathlib import Path

import pytest

from emulator import EmulatorServer
from tests.runbook.conftest import POLL, requests_to, run_runbook
from tests.runbook.fleet_servers import CONFIRMED, fleet_env, list_file

pytestmark = pytest.mark.slow


class Servers(dict[str, str]):
    """``{name: server id}`` of servers that boot from a volume of their own, as FJcloud-O's do;
    ``volumes[name]`` is that system volume."""

    def __init__(self, server: EmulatorServer, *names: str) -> None:
        super().__init__()
        self.volumes: dict[str, str] = {}
        for name in names:
            volume = str(uuid.uuid4())
            added = server.add_server(name=name, status="ACTIVE", volumes_attached=[volume])
            self[name], self.volumes[name] = str(added["id"]), volume


def _fleet_pre_work(server: EmulatorServer, tmp_path: Path, ids: Servers) -> str:
    args = ["--target", "live", "--state-file", str(tmp_path / "fleet.state.json"),
            "--evidence", str(tmp_path / "fleet-evidence"), *POLL, *CONFIRMED,
            "--servers", str(list_file(tmp_path, *ids))]  # fmt: skip
    result = run_runbook(args, fleet_env(server, tmp_path))
    assert result.returncode == 0, result.output
    return result.output


def _uploads(server: EmulatorServer, volume: str) -> list[dict[str, object]]:
    """The requests for an action on ``volume`` (os-volume_upload_image: page 2.3)."""
    return requests_to(server.requests_log(), "POST", f"/volumes/{volume}/action")


def test_the_fleets_report_says_how_to_export_each_server_and_that_command_does(
    fjcloud_emulator: EmulatorServer, tmp_path: Path
) -> None:
    ids = Servers(fjcloud_emulator, "web-1", "web-2")
    output = _fleet_pre_work(fjcloud_emulator, tmp_path, ids)
    printed = re.search(
        r"`(pytest runbook --target live --page 2-5 [^`]+)` \(here for web-1\)", output
    )
    assert printed is not None, output
    command = shlex.split(printed.group(1))
    assert command[command.index("--server-id") + 1] == ids["web-1"]
    assert command[command.index("--state-file") + 1] == "web-1.state.json"

    state = ["--state-file", str(tmp_path / "web-1.state.json")]  # the printed one, in tmp_path
    args = [*command[2:command.index("--state-file")], *state,
            "--evidence", str(tmp_path / "web-1-evidence"), *POLL, *CONFIRMED,
            "--download-dir", str(tmp_path / "files")]  # fmt: skip
    export = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))

    assert export.returncode == 0, export.output
    assert "PASSED        5.4 イメージファイルの取得" in export.output
    assert len(_uploads(fjcloud_emulator, ids.volumes["web-1"])) == 1
    assert _uploads(fjcloud_emulator, ids.volumes["web-2"]) == []  # one server at a time


def test_pages_2_to_5_of_one_server_given_by_name(
    fjcloud_emulator: EmulatorServer, tmp_path: Path
) -> None:
    ids = Servers(fjcloud_emulator, "web-1", "web-2")
    _fleet_pre_work(fjcloud_emulator, tmp_path, ids)
    args = ["--target", "live", "--page", "2-5", "--server-name", "web-2",
            "--state-file", str(tmp_path / "web-2.state.json"),
            "--evidence", str(tmp_path / "web-2-evidence"), *POLL, *CONFIRMED,
            "--download-dir", str(tmp_path / "files")]  # fmt: skip

    export = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))

    assert export.returncode == 0, export.output
    assert f"--server-name 'web-2': the one server with that name is {ids['web-2']}" in (
        export.output
    )
    assert len(_uploads(fjcloud_emulator, ids.volumes["web-2"])) == 1


def test_pages_2_to_5_asked_of_the_fleets_procedure_are_refused_with_the_per_server_command(
    fjcloud_emulator: EmulatorServer, tmp_path: Path
) -> None:
    ids = Servers(fjcloud_emulator, "web-1", "web-2")
    _fleet_pre_work(fjcloud_emulator, tmp_path, ids)
    args = ["--target", "live", "--page", "2-5", "--state-file", str(tmp_path / "fleet.state.json"),
            *POLL, *CONFIRMED]  # fmt: skip

    refused = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))  # its list: the journal's

    assert refused.returncode == 4, refused.output  # a usage error: nothing asked or sent
    assert "--page 2,3,4,5 with a fleet of 2 servers runs nothing" in refused.output
    # The list as the pre-work was given it (names): the first one's own invocation.
    assert "--page 2-5 --server-name web-1 --state-file web-1.state.json" in refused.output
    assert _uploads(fjcloud_emulator, ids.volumes["web-1"]) == []
