"""The state kept between invocations (``--to-step 3`` now, ``--from-step 4`` later).

It holds the resolved variables — COMPUTE, PROJECT_ID, SERVER_ID, the region, the auth URL and
the TOKEN (it lives 3 hours; without it steps 4–5 would need the password again) — but never the
password. The file is created with mode 0600 and refused when others can read it, like ssh does
with a private key.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from runbook.errors import StateFileError
from runbook.variables import Variables

DEFAULT_STATE_FILE = ".fjcloud-runbook-state.json"
FORMAT_VERSION = 1


def save_state(path: Path, target: str, variables: Variables, completed_step: int) -> None:
    """Write the state atomically with mode 0600."""
    data: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "saved_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "target": target,
        "completed_step": completed_step,
        "variables": variables.as_dict(),
    }
    temporary = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
        os.chmod(temporary, 0o600)  # O_CREAT's mode does not apply to an existing file
        os.replace(temporary, path)
    except OSError as exc:
        raise StateFileError(
            f"cannot write the state file {path}: {exc}",
            hint="choose another path with --state-file",
        ) from exc


def load_state(path: Path, target: str) -> tuple[Variables, int] | None:
    """The saved variables and the last completed step, or None when there is no file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise StateFileError(
            f"the state file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):o}); it holds a token",
            hint=f"chmod 600 {path} (or delete it and run from step 2 again)",
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StateFileError(
            f"cannot read the state file {path}: {exc}",
            hint=f"delete {path} and run from step 2 again",
        ) from exc
    if data.get("format") != FORMAT_VERSION or data.get("target") != target:
        raise StateFileError(
            f"the state file {path} was written for target {data.get('target')!r}, not {target!r}",
            hint=f"delete {path}, or run with --target {data.get('target')}",
        )
    return Variables.from_dict(data.get("variables") or {}), int(data.get("completed_step") or 0)


def remove_state(path: Path) -> bool:
    """Delete the state file (the procedure is complete); True when there was one."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
