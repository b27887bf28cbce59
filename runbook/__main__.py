"""``python -m runbook evidence <folder>``: render a procedure's evidence from its journal.

The runbook renders ``runbook.json`` and ``runbook.md`` at the end of every invocation; a run that
was killed (SIGKILL, power cut) never got there. This command renders them from the journal on
disk, and reports any torn last line (a write the crash cut short) — every record before it is kept.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runbook.evidence import write_evidence
from runbook.journal import JOURNAL_NAME, JournalError, new_id, read_journal
from runbook.secrets import SecretRegistry


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m runbook")
    commands = parser.add_subparsers(dest="command", required=True)
    evidence = commands.add_parser(
        "evidence", help="render runbook.json and runbook.md from a procedure's journal"
    )
    evidence.add_argument("folder", type=Path, help="the procedure's folder (holds journal.jsonl)")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    if not (folder / JOURNAL_NAME).is_file():
        print(
            f"error: {folder / JOURNAL_NAME} does not exist (not a procedure's folder)",
            file=sys.stderr,
        )
        return 1
    try:
        contents = read_journal(folder / JOURNAL_NAME)
        paths = write_evidence(folder, SecretRegistry(), new_id())
    except (JournalError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"journal: {folder / JOURNAL_NAME}: {len(contents.records)} records")
    for torn in contents.torn:
        print(
            f"journal: torn {torn.describe()} (a write cut short by a crash; earlier records kept)"
        )
    for path in paths:
        print(f"evidence: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
