"""Step 3's resolution (runbook/resolve.py): a name no server has is refused with the project's
servers whose names are close to it, for --server-name as for a fleet's list."""

from __future__ import annotations

from pathlib import Path

from emulator import EmulatorServer
from runbook.resolve import similar_names
from tests.runbook.conftest import live_env, requests_to, run_runbook

WEB = [("web-1", "id-1"), ("Web-01", "id-2"), ("db-1", "id-3"), ("web-1", "id-4")]


def test_similar_names_are_another_case_or_a_typo_with_each_servers_id() -> None:
    assert similar_names("WEB-1", WEB) == "web-1 (id-1), web-1 (id-4), Web-01 (id-2)"
    assert similar_names("wbe-1", WEB).startswith("web-1 (id-1)")


def test_nothing_is_similar_to_a_name_far_from_every_server() -> None:
    assert similar_names("mail", WEB) == ""


def test_server_name_with_no_such_server_lists_the_similar_ones(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    other = fjcloud_emulator.add_server(name="web01", status="ACTIVE")
    env = live_env(fjcloud_emulator, tmp_path, SERVER_ID=None)

    result = run_runbook([*live_args, "--yes", "--confirm-manual", "--server-name", "Web01"], env)

    assert result.returncode == 1, result.output
    assert "no server named 'Web01'" in result.output
    assert f"similar names: web01 ({other['id']})" in result.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []
