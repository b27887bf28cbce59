"""``--target emulator``: the bundled emulator in this process, with its default seed and fast timing."""

from __future__ import annotations

from typing import Any

from runbook.errors import RunbookError


def start_emulator(region: str | None) -> tuple[Any, dict[str, str], str]:
    """Start an ``EmulatorServer`` on 127.0.0.1 (a free port): ``(server, OS_* credentials, SERVER_ID)``."""
    from emulator import EmulatorServer

    try:
        server = EmulatorServer(region=region) if region else EmulatorServer()
    except ValueError as exc:  # an unknown region
        raise RunbookError(
            f"cannot start the emulator: {exc}", hint="choose a region with --region"
        ) from exc
    server.start()
    credentials = {
        name: str(value) for name, value in server.credentials.items() if value is not None
    }
    return server, credentials, str(server.server_ids[0])
