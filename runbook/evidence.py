"""The evidence of a procedure: ``runbook.json`` and ``runbook.md``, rendered from its journal.

One folder per procedure, across all its invocations: ``journal.jsonl`` (the record, written as
things happen) and the two views rendered from it at the end of each invocation — or on demand,
for a run that was killed: ``python -m runbook evidence <folder>``. The journal's data is masked
when it is written; the views mask the exchanges once more (the runbook's own sentences are never
rewritten, see ``runbook.secrets``).
Folders are created exclusively (``<UTC time>-<random>``), the views replaced atomically.
"""

from __future__ import annotations

import json
import os
import secrets as random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from runbook.evidence_markdown import render_markdown
from runbook.journal import JOURNAL_NAME, JournalContents, read_journal
from runbook.procedure import pinned_identity, step_outcomes
from runbook.secrets import SecretRegistry
from runbook.steps import STEPS

EVIDENCE_FILES = ("runbook.json", "runbook.md")


@dataclass
class StepRecord:
    """One step in this invocation: its outcome and what was done (for the terminal report)."""

    number: int
    title_ja: str
    title_en: str
    outcome: str = "not run"
    reason: str = ""
    summary: str = ""
    duration_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    curl: list[str] = field(default_factory=list)


@dataclass
class RunRecord:
    """This invocation's view for the terminal report: its settings and its steps."""

    target: str
    started_at: datetime
    settings: dict[str, Any]
    steps: dict[int, StepRecord]


def new_folder(base: Path, now: datetime | None = None) -> Path:
    """A new, empty ``<base>/<UTC time>-<random hex>/`` (0700), created exclusively."""
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    while True:
        folder = base / f"{stamp}-{random.token_hex(4)}"
        try:
            folder.mkdir(mode=0o700)  # no exist_ok: two runs in the same second get two folders
        except FileExistsError:
            continue
        _fsync_directory(base)
        return folder


def _fsync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def evidence_data(contents: JournalContents) -> dict[str, Any]:
    """``runbook.json``: the whole procedure, every invocation, from the journal's records."""
    records = contents.records
    procedure = next(contents.of_kind("procedure"), {})
    invocations: dict[str, dict[str, Any]] = {}
    for record in contents.of_kind("invocation"):
        invocations[record["invocation"]] = {
            key: record.get(key)
            for key in ("user", "host", "pid", "version", "argv", "cwd", "target", "dry_run")
        } | {"id": record["invocation"], "started_at": record["at"], "finished_at": None}
    for record in contents.of_kind("invocation_end"):
        if record["invocation"] in invocations:
            invocations[record["invocation"]].update(
                finished_at=record["at"], exit_status=record.get("exit_status")
            )
    ordinal = {inv: number for number, inv in enumerate(invocations, start=1)}
    ends = step_outcomes(records)
    steps = []
    for number, info in STEPS.items():
        end = ends.get(number, {})
        steps.append(
            {
                "number": number,
                "label": info.label,  # "4" on page 1, "2.3" on the later pages
                "page": info.page,
                "reconstructed": info.reconstructed,
                "title": {"ja": info.title_ja, "en": info.title_en},
                "outcome": end.get("outcome", "not run"),
                "reason": end.get("reason", ""),
                "summary": end.get("summary", ""),
                "duration_seconds": end.get("duration_seconds", 0.0),
                "invocation": ordinal.get(end.get("invocation", "")),  # #1, #2 … below
                "at": end.get("at"),
            }
        )
    identity = pinned_identity(records)
    stops: list[dict[str, Any]] = [
        {"intent": r, "outcomes": [], "checks": []} for r in contents.of_kind("intent")
    ]
    by_id = {stop["intent"]["id"]: stop for stop in stops}
    for record in contents.of_kind("outcome", "stop_check"):
        stop = by_id.get(record.get("intent"))
        if stop is not None:
            stop["outcomes" if record["kind"] == "outcome" else "checks"].append(record)
    return {
        "runbook": "移行前の作業 — export pre-work (export-preparation.ja.txt)",
        "procedure": {
            "id": procedure.get("procedure"),
            "created_at": procedure.get("at"),
            "target": procedure.get("target"),
        },
        "identity": identity.as_dict() if identity else None,
        "invocations": list(invocations.values()),
        "steps": steps,
        "requests_that_change_something": stops,
        "confirmations": list(contents.of_kind("confirmation")),
        "exchanges": [
            {**r["exchange"], "invocation": r["invocation"]} for r in contents.of_kind("exchange")
        ],
        "journal": {
            "file": JOURNAL_NAME,
            "records": len(records),
            "torn_lines": [torn.describe() for torn in contents.torn],
        },
    }


def write_evidence(folder: Path, secrets: SecretRegistry, tag: str) -> list[Path]:
    """Render ``runbook.json`` and ``runbook.md`` from ``folder``'s journal (files 0600).

    Each is written to a temporary file of a unique name (``tag``: the invocation id, O_EXCL),
    then renamed over the old view: a reader sees the old view or the new one, never half.
    """
    contents = read_journal(folder / JOURNAL_NAME)
    data = evidence_data(contents)
    data["exchanges"] = secrets.mask(data["exchanges"])
    outputs = {
        "runbook.json": json.dumps(data, ensure_ascii=False, indent=2) + "\n",
        "runbook.md": render_markdown(data, contents),
    }
    written = []
    for name, text in outputs.items():
        path = folder / name
        temporary = folder / f".{name}.{tag}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        written.append(path)
    _fsync_directory(folder)
    return written
