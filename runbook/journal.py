"""The write-ahead journal of a procedure: one append-only JSON Lines file, every record ``fsync``ed.

Every record is one line ``{"seq", "at", "invocation", "kind", ...}`` written with a single
``write`` on an ``O_APPEND`` descriptor and ``fsync``ed before the caller's next action (the
folder is ``fsync``ed too when the file is created, so the file itself survives a crash). A
SIGKILL can therefore cut at most the last line short; ``read_journal`` keeps every complete
record and reports the torn one, and ``Journal.open`` starts the next record on a new line.

The generic request API — ``intent(...)`` before a request that changes something is sent,
``outcome(intent_id, ...)`` after its answer — serves every page of the procedure (the stop
today; image upload, export, cancel, delete later). Records are masked (``SecretRegistry``)
before they are written — their *data* only (``DATA_FIELDS``: bodies, URLs, exchanges, values
read from outside), never the runbook's own sentences (notes, questions), which are built from
data masked where it entered (see ``runbook.secrets``). The journal is evidence for an auditor.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from runbook.errors import RunbookError
from runbook.secrets import SecretRegistry

JOURNAL_NAME = "journal.jsonl"
FORMAT_VERSION = 1
# The fields that hold data (from the cloud, the environment, the command line): masked by key
# and by value. Every other field is the runbook's own text or a number.
DATA_FIELDS = frozenset(
    {"url", "body", "summary", "error", "exchange", "variables", "identity", "argv", "cwd"}
)


class JournalError(RunbookError):
    """The journal cannot be created, read or appended to."""


def utc_now() -> str:
    """``2026-12-02T14:22:59.123Z``: UTC with milliseconds, the journal's clock."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_id() -> str:
    """A unique id (invocations, intents): 32 hex digits."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class TornLine:
    """A line that is not a complete record (a write cut short by a crash)."""

    line: int
    text: str

    def describe(self) -> str:
        """``line 12: 37 bytes that are not a complete record``."""
        return f"line {self.line}: {len(self.text.encode())} bytes that are not a complete record"


@dataclass
class JournalContents:
    """What a journal file holds: its complete records in order, and the torn lines."""

    records: list[dict[str, Any]] = field(default_factory=list)
    torn: list[TornLine] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> Iterator[dict[str, Any]]:
        """The records whose ``kind`` is one of ``kinds``, in order."""
        return (record for record in self.records if record.get("kind") in kinds)


def read_journal(path: Path) -> JournalContents:
    """Every complete record of ``path``; lines that are not a complete record go to ``torn``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JournalError(
            f"cannot read the journal {path}: {exc}", hint="check the path and its permissions"
        ) from exc
    contents = JournalContents()
    lines = raw.split(b"\n")
    for number, chunk in enumerate(lines, start=1):
        if not chunk.strip():
            continue
        text = chunk.decode("utf-8", "replace")
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        # A last line without its newline was cut short even if it happens to parse.
        complete = number < len(lines) and isinstance(record, dict) and "kind" in record
        if complete:
            contents.records.append(record)
        else:
            contents.torn.append(TornLine(number, text))
    return contents


class Journal:
    """One procedure's journal, appended to by one invocation (``invocation`` is its id).

    ``path=None`` keeps the records in memory only (a rehearsal without ``--evidence``: its
    emulator dies with the run, so there is nothing to resume).
    """

    def __init__(
        self,
        path: Path | None,
        secrets: SecretRegistry,
        invocation: str,
        existing: JournalContents | None = None,
    ) -> None:
        self.path = path
        self.invocation = invocation
        self._secrets = secrets
        self.contents = existing or JournalContents()
        self._seq = max((int(r.get("seq") or 0) for r in self.contents.records), default=0)
        self._fd: int | None = None
        self._write_lock = threading.Lock()

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(cls, folder: Path, secrets: SecretRegistry, invocation: str) -> Journal:
        """A new journal in ``folder`` (created 0700 if needed); refuses when one is there."""
        path = folder / JOURNAL_NAME
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
            _fsync_directory(folder)
        except FileExistsError as exc:
            raise JournalError(
                f"{path} already exists: that folder holds another procedure",
                hint="give a new --evidence folder, or continue that procedure",
            ) from exc
        except OSError as exc:
            raise JournalError(
                f"cannot create the journal {path}: {exc}",
                hint="choose a writable folder with --evidence",
            ) from exc
        journal = cls(path, secrets, invocation)
        journal._fd = fd
        journal._lock()
        return journal

    @classmethod
    def open(cls, folder: Path, secrets: SecretRegistry, invocation: str) -> Journal:
        """An existing journal, read whole, to append this invocation's records to."""
        path = folder / JOURNAL_NAME
        journal = cls(path, secrets, invocation)
        try:
            journal._fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except OSError as exc:
            raise JournalError(f"cannot append to the journal {path}: {exc}") from exc
        journal._lock()  # then read: no other invocation writes while we hold it
        contents = journal.contents = read_journal(path)
        journal._seq = max((int(r.get("seq") or 0) for r in contents.records), default=0)
        try:
            if path.stat().st_size and not path.read_bytes().endswith(b"\n"):
                # The last write was cut short: end that line so the next record stands alone.
                os.write(journal._fd, b"\n")
                os.fsync(journal._fd)
        except OSError as exc:
            raise JournalError(f"cannot append to the journal {path}: {exc}") from exc
        for torn in contents.torn:
            journal.append("torn_line", line=torn.line, detail=torn.describe())
        return journal

    def _lock(self) -> None:
        """One invocation at a time per procedure: two at once could both stop the server.

        ``flock`` is released by the kernel when the process dies, even by SIGKILL.
        """
        assert self._fd is not None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(self._fd)
            self._fd = None
            raise JournalError(
                f"another invocation of this procedure is running (it holds {self.path})",
                hint="let it finish (or stop it) first; two at once could both act on the server",
            ) from exc

    def close(self) -> None:
        """Close the file (records are already on disk)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # -- writing ---------------------------------------------------------------------------
    def append(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Write one record and ``fsync`` it; returns the record as written (masked)."""
        with self._write_lock:  # a fleet's requests are sent (and journalled) from several threads
            return self._append(kind, fields)

    def _append(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        self._seq += 1
        data = {
            name: self._secrets.mask(value) if name in DATA_FIELDS else value
            for name, value in fields.items()
        }
        record = {"seq": self._seq, "at": utc_now(), "invocation": self.invocation, "kind": kind}
        line = json.dumps(record | data, ensure_ascii=False, default=str)
        if self._fd is not None:
            raw = (line + "\n").encode("utf-8")
            try:
                written = os.write(self._fd, raw)
                if written != len(raw):  # a regular file takes it whole unless the disk is full
                    raise OSError(f"short write ({written} of {len(raw)} bytes)")
                os.fsync(self._fd)
            except OSError as exc:
                raise JournalError(
                    f"cannot write to the journal {self.path}: {exc}",
                    hint="free disk space or fix the folder's permissions, then run again: "
                    "the journal says what was done up to here",
                ) from exc
        stored: dict[str, Any] = json.loads(line)
        self.contents.records.append(stored)
        return stored

    def intent(self, action: str, method: str, url: str, body: Any = None, **about: Any) -> str:
        """Record that a request which changes something is about to be sent; returns its id."""
        intent_id = new_id()
        self.append(
            "intent", id=intent_id, action=action, method=method, url=url, body=body, **about
        )
        return intent_id

    def outcome(
        self,
        intent_id: str,
        *,
        status: int | None = None,
        summary: Any = None,
        error: str | None = None,
        **about: Any,
    ) -> None:
        """Record what came back for ``intent_id`` (a status, or the error instead)."""
        self.append(
            "outcome", intent=intent_id, status=status, summary=summary, error=error, **about
        )

    # -- reading ---------------------------------------------------------------------------
    @property
    def records(self) -> list[dict[str, Any]]:
        """Every record, earlier invocations' first."""
        return self.contents.records


def _fsync_directory(folder: Path) -> None:
    """Make a new entry in ``folder`` durable (POSIX: fsync the directory itself)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
