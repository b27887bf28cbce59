"""The state file: which procedure this directory is working on, and the one secret it needs.

The procedure's state is its journal (``runbook.journal``, in the evidence folder): pinned
identity, steps, variables, every request. The state file only points at that journal and keeps
the TOKEN (it lives 3 hours; without it steps 4–5 would need the password again), which must
never enter the journal an auditor reads. Never the password. It is created with mode 0600 and
refused when others can read it, like ssh does with a private key; it is removed when the
procedure is complete.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from runbook.errors import StateFileError
from runbook.journal import utc_now

DEFAULT_STATE_FILE = ".fjcloud-runbook-state.json"
FORMAT_VERSION = 2


@dataclass(frozen=True)
class StatePointer:
    """The procedure in progress: its id, its folder (journal + evidence) and its token."""

    procedure: str
    folder: str
    token: str | None = None
    token_expires_at: str | None = None


def save_state(path: Path, target: str, pointer: StatePointer) -> None:
    """Write the state atomically with mode 0600."""
    data: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "saved_at": utc_now(),
        "target": target,
        **asdict(pointer),
    }
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)  # O_CREAT's mode does not apply to an existing file
        os.replace(temporary, path)
    except OSError as exc:
        raise StateFileError(
            f"cannot write the state file {path}: {exc}",
            hint="choose another path with --state-file",
        ) from exc


def load_state(path: Path, target: str) -> StatePointer | None:
    """The procedure in progress, or None when there is no state file."""
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
    if data.get("format") != FORMAT_VERSION:
        raise StateFileError(
            f"the state file {path} is of format {data.get('format')!r}, not {FORMAT_VERSION} "
            "(written by an older runbook, before the journal)",
            hint=f"delete {path} and run from step 1 again",
        )
    if data.get("target") != target:
        raise StateFileError(
            f"the state file {path} was written for target {data.get('target')!r}, not {target!r}",
            hint=f"delete {path}, or run with --target {data.get('target')}",
        )
    return StatePointer(
        procedure=str(data.get("procedure")),
        folder=str(data.get("folder")),
        token=data.get("token"),
        token_expires_at=data.get("token_expires_at"),
    )


def remove_state(path: Path) -> bool:
    """Delete the state file (the procedure is complete); True when there was one."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
