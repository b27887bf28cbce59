"""``--target emulator``: the bundled emulator in this process, with its default seed and fast timing."""

from __future__ import annotations

from typing import Any

from runbook.errors import RunbookError

# A rehearsal stops the server in 0.05 s: long enough for step 5's first reads (every 0.02 s, see
# options.EMULATOR_POLL) to show the powering-off state, short enough for an instant rehearsal.
REHEARSAL_TRANSITION_SECONDS = 0.05


def start_emulator(
    region: str | None, fleet: list[str] | None = None
) -> tuple[Any, dict[str, str], str]:
    """Start an ``EmulatorServer`` on 127.0.0.1 (a free port): ``(server, OS_* credentials, SERVER_ID)``.

    ``fleet``: names of extra ACTIVE servers to seed (``--rehearsal-servers N``).
    """
    from emulator import EmulatorServer

    try:
        options: dict[str, Any] = {"timing": REHEARSAL_TRANSITION_SECONDS}
        server = EmulatorServer(region=region, **options) if region else EmulatorServer(**options)
    except ValueError as exc:  # an unknown region
        raise RunbookError(
            f"cannot start the emulator: {exc}", hint="choose a region with --region"
        ) from exc
    server.start()
    for name in fleet or ():
        server.add_server(name=name, status="ACTIVE")
    credentials = {
        name: str(value) for name, value in server.credentials.items() if value is not None
    }
    return server, credentials, str(server.server_ids[0])
