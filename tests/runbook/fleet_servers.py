"""What the fleet's tests share: servers added to the emulator, a list file, the environment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emulator import EmulatorServer
from tests.runbook.conftest import live_env, requests_to, run_runbook

CONFIRMED = ["--yes", "--confirm-manual"]


def add_servers(server: EmulatorServer, *names: str) -> dict[str, str]:
    """Add ACTIVE servers; ``{name: id}``."""
    return {name: str(server.add_server(name=name, status="ACTIVE")["id"]) for name in names}


def list_file(tmp_path: Path, *lines: str) -> Path:
    """A --servers file of ``lines``."""
    path = tmp_path / "servers.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fleet_env(server: EmulatorServer, tmp_path: Path, **extra: str) -> dict[str, str]:
    """``live_env`` without SERVER_ID (a fleet has none)."""
    return live_env(server, tmp_path, SERVER_ID=None, **extra)  # a fleet has no SERVER_ID


def stop_statuses(server: EmulatorServer, server_id: str) -> list[int]:
    """The status of every os-stop POST the emulator received for ``server_id``."""
    return [
        int(e["status"])
        for e in requests_to(server.requests_log(), "POST", f"/servers/{server_id}/action")
    ]


def journal_records(tmp_path: Path) -> list[dict[str, Any]]:
    """The records of the journal in ``tmp_path``'s evidence folder."""
    text = (tmp_path / "evidence" / "journal.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def pinned_fleet(
    server: EmulatorServer, tmp_path: Path, live_args: list[str], *names: str
) -> tuple[dict[str, str], list[str]]:
    """ACTIVE servers ``names`` listed by name and pinned by a run ``--to-step 3``: ``(ids, args)``,
    the arguments (confirmed) to continue the procedure with."""
    ids = add_servers(server, *names)
    args = [*live_args, *CONFIRMED, "--servers", str(list_file(tmp_path, *names))]
    pinned = run_runbook([*args, "--to-step", "3"], fleet_env(server, tmp_path))
    assert pinned.returncode == 0, pinned.output
    return ids, args
