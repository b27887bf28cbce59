"""After a fleet's pre-work: pages 2–5 export one server at a time, each in a procedure of its own.

A fleet procedure covers page 1 (移行前の作業). The export of a server — its image (at most four
uploads per hour per project [P7]), the export, the download — is a procedure per server, with
its own state file, so that each can be continued on its own after a crash or a wait of hours.
The command is said where the operator looks next: at the end of the fleet's report, and in the
refusal of an invocation that asks a fleet procedure for pages 2–5.
"""

from __future__ import annotations

import re

RUNBOOK = "pytest runbook --target live"


def state_file_for(name: str) -> str:
    """``web-1.state.json``: a server's own state file, named after it (a safe file name)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".-") or "server"
    return f"{safe}.state.json"


def export_command(name: str, server_id: str | None) -> str:
    """The invocation that exports one server of a fleet (pages 2–5); run again, it continues.
    Without the id (a server listed by name), ``--server-name``: resolved as step 3 does."""
    server = f"--server-id {server_id}" if server_id else f"--server-name {name}"
    return f"{RUNBOOK} --page 2-5 {server} --state-file {state_file_for(name)}"


def export_hint(name: str, server_id: str | None) -> str:
    """One sentence: how to go on to pages 2–5 after a fleet's pre-work, with one server's example."""
    return (
        "pages 2–5 export one server at a time, each in a procedure of its own (its own state "
        "file, so each can be continued): for each server, "
        f"`{export_command(name, server_id)}` (here for {name})"
    )
