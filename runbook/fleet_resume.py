"""A rerun of a fleet procedure that names no servers: its list is the one pinned in its journal.

Read at pytest's configure time (the fleet's items are parametrised at collection, before the
procedure's journal is opened), so only read here: the state file's pointer (or ``--evidence``)
says which journal, and its ``pinned`` record which servers. Anything unreadable is left to the
session to report when it opens the journal (with its own clear error); this only returns None.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runbook.errors import RunbookError
from runbook.journal import JOURNAL_NAME, read_journal
from runbook.options import NEW_PROCEDURE_OPTION, RunbookOptions
from runbook.procedure import pinned_identity
from runbook.sources import environment
from runbook.statefile import load_state

FROM_JOURNAL = "the procedure's journal"


def pinned_labels(config: pytest.Config) -> list[tuple[str, str]] | None:
    """``[(label, origin)]`` of the pinned fleet when this live invocation names no server.

    Each server's label is the one the procedure gave it (its ``fleet_servers`` records), so that
    ``-k``/``--lf``, the per-server items and step 5's "seen SHUTOFF" keep matching; a server
    without one gets its name when that is unique in the list, else its id.
    """
    if config.getoption(NEW_PROCEDURE_OPTION, False) or _names_a_server(config):
        return None
    try:
        options = RunbookOptions.from_config(config)
        if not options.live:
            return None
        pointer = load_state(options.state_file, options.target)
        folder = Path(pointer.folder) if pointer is not None else options.evidence
        if folder is None or not (folder / JOURNAL_NAME).is_file():
            return None
        records = read_journal(folder / JOURNAL_NAME).records
    except (RunbookError, pytest.UsageError, OSError):
        return None  # the session reports it when it opens the procedure
    pinned = pinned_identity(records)
    if pinned is None or len(pinned.servers) < 2:
        return None
    given = _labels_given(records)
    names = [s.name for s in pinned.servers]
    labels = []
    for server in pinned.servers:
        unique_name = server.name and names.count(server.name) == 1
        labels.append(given.get(server.id) or (server.name if unique_name else server.id))
    return [(label, FROM_JOURNAL) for label in labels]


def _names_a_server(config: pytest.Config) -> bool:
    """Any server given in this invocation (an option, or the document's SERVER_ID)."""
    names = ("runbook_server_id", "runbook_servers", "runbook_rehearsal_servers")
    given = any(config.getoption(name, None) for name in (*names, "runbook_server_name"))
    return given or bool(environment().get("SERVER_ID"))


def _labels_given(records: list[dict[str, Any]]) -> dict[str, str]:
    """``{server_id: label}`` as the procedure's ``fleet_servers`` records name them."""
    return {
        str(entry["server_id"]): str(entry["label"])
        for record in records
        if record.get("kind") == "fleet_servers"
        for entry in record.get("results") or []
        if entry.get("server_id") and entry.get("label")
    }
