"""``--target emulator``: the bundled emulator in this process, with its default seed and fast timing."""

from __future__ import annotations

import gc
import uuid
from typing import Any

from runbook.errors import RunbookError

# A rehearsal stops the server in 0.05 s: long enough for step 5's first reads (every 0.02 s, see
# options.EMULATOR_POLL) to show the powering-off state, short enough for an instant rehearsal.
REHEARSAL_TRANSITION_SECONDS = 0.05


def start_emulator(
    region: str | None, fleet: list[str] | None = None
) -> tuple[Any, dict[str, str], str]:
    """Start an ``EmulatorServer`` on 127.0.0.1 (a free port): ``(server, OS_* credentials, SERVER_ID)``.

    ``fleet``: names of extra ACTIVE servers to seed (``--rehearsal-servers N``), each with a
    system volume.
    """
    gc.freeze()  # see below: the emulator's imports' collections then skip pytest's objects
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
        # Each boots from a system volume of its own, as FJcloud-O's servers (and the seed's) do.
        server.add_server(name=name, status="ACTIVE", volumes_attached=[str(uuid.uuid4())])
    # Everything loaded so far (pytest, requests, Flask, the emulator's app) lives until the
    # process ends; moved out of the cyclic collector's generations, it is no longer scanned by
    # every full collection (pytest's own gc.collect() at the end included). Measured with
    # bench/rehearsal.py: the rehearsal's full collections were a third of its CPU time.
    # Reference counting still frees whatever is dropped; only cycles already made stay.
    gc.freeze()
    credentials = {
        name: str(value) for name, value in server.credentials.items() if value is not None
    }
    return server, credentials, str(server.server_ids[0])
