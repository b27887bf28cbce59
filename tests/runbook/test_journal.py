"""The journal on its own: records on disk in order, a torn last write, exclusive creation, views."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from runbook.evidence import new_folder, write_evidence
from runbook.journal import JOURNAL_NAME, Journal, JournalError, read_journal
from runbook.secrets import SecretRegistry

REPO = Path(__file__).resolve().parents[2]


def _journal(folder: Path, secrets: SecretRegistry | None = None) -> Journal:
    journal = Journal.create(folder, secrets or SecretRegistry(), "inv-1")
    journal.append("procedure", procedure="p-1", target="live")
    journal.append("invocation", user="op", host="h", argv=["pytest", "runbook"])
    return journal


def test_every_record_is_on_disk_when_append_returns(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    intent = journal.intent("os-stop", "POST", "https://c/servers/s/action", {"os-stop": None})

    # Read by another reader before anything is closed: the intent is already there.
    contents = read_journal(tmp_path / JOURNAL_NAME)
    assert [r["kind"] for r in contents.records] == ["procedure", "invocation", "intent"]
    assert contents.records[-1]["id"] == intent
    assert [r["seq"] for r in contents.records] == [1, 2, 3]
    assert stat.S_IMODE((tmp_path / JOURNAL_NAME).stat().st_mode) == 0o600
    journal.outcome(intent, status=202)
    assert read_journal(tmp_path / JOURNAL_NAME).records[-1]["intent"] == intent


def test_a_torn_last_line_keeps_every_earlier_record_and_is_reported(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    journal.intent("os-stop", "POST", "https://c/servers/s/action", {"os-stop": None})
    journal.close()
    with (tmp_path / JOURNAL_NAME).open("ab") as handle:
        handle.write(b'{"seq": 4, "kind": "outco')  # SIGKILL in the middle of a write

    contents = read_journal(tmp_path / JOURNAL_NAME)
    assert [r["kind"] for r in contents.records] == ["procedure", "invocation", "intent"]
    assert [t.line for t in contents.torn] == [4]
    assert "not a complete record" in contents.torn[0].describe()

    # The next invocation starts on a new line and says what it found.
    again = Journal.open(tmp_path, SecretRegistry(), "inv-2")
    again.append("note", text="after the crash")
    reread = read_journal(tmp_path / JOURNAL_NAME)
    assert [r["kind"] for r in reread.records][-2:] == ["torn_line", "note"]
    assert reread.records[-2]["line"] == 4
    assert [t.line for t in reread.torn] == [4]  # still reported, never silently dropped


def test_a_complete_looking_last_line_without_its_newline_counts_as_torn(tmp_path: Path) -> None:
    _journal(tmp_path).close()
    with (tmp_path / JOURNAL_NAME).open("ab") as handle:
        handle.write(b'{"seq": 3, "kind": "note"}')  # the newline never made it

    assert [t.line for t in read_journal(tmp_path / JOURNAL_NAME).torn] == [3]


def test_a_journal_is_never_created_over_another(tmp_path: Path) -> None:
    _journal(tmp_path)

    with pytest.raises(JournalError, match="already exists: that folder holds another procedure"):
        Journal.create(tmp_path, SecretRegistry(), "inv-2")


def test_secrets_in_data_never_reach_the_journal(tmp_path: Path) -> None:
    secrets = SecretRegistry(["s3cret-token"])
    journal = _journal(tmp_path, secrets)
    journal.intent("request", "POST", "https://k/auth/tokens", {"password": "hunter22"})
    journal.outcome("i-1", status=404, summary="The token s3cret-token could not be found")

    text = (tmp_path / JOURNAL_NAME).read_text()
    assert "hunter22" not in text
    assert "s3cret-token" not in text
    assert '"password": "***"' in text


def test_two_procedures_started_in_the_same_second_get_two_folders(tmp_path: Path) -> None:
    # Issue 10: evidence/<start second>/ with mkdir(exist_ok=True) let two runs overwrite each other.
    moment = datetime(2026, 12, 2, 14, 0, 0, tzinfo=timezone.utc)

    first, second = new_folder(tmp_path, moment), new_folder(tmp_path, moment)

    assert first != second
    assert first.name.startswith("20261202T140000Z-")
    assert second.name.startswith("20261202T140000Z-")
    assert stat.S_IMODE(first.stat().st_mode) == 0o700


def test_evidence_is_rendered_on_demand_for_a_killed_run(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    journal.append("step_start", step=4)
    intent = journal.intent("os-stop", "POST", "https://c/servers/s/action", {"os-stop": None})
    journal.close()
    with (tmp_path / JOURNAL_NAME).open("ab") as handle:
        handle.write(b'{"seq": 5, "ki')

    done = subprocess.run(
        [sys.executable, "-m", "runbook", "evidence", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "journal: torn line 5" in done.stdout
    data = json.loads((tmp_path / "runbook.json").read_text())
    assert data["journal"]["torn_lines"] == ["line 5: 14 bytes that are not a complete record"]
    (stop,) = data["requests_that_change_something"]
    assert stop["intent"]["id"] == intent
    assert stop["outcomes"] == []
    markdown = (tmp_path / "runbook.md").read_text()
    assert "**never finished (killed?)**" in markdown
    assert "intent** `os-stop` (journalled before sending)" in markdown


def test_views_are_replaced_whole(tmp_path: Path) -> None:
    _journal(tmp_path).close()

    write_evidence(tmp_path, SecretRegistry(), "a")
    write_evidence(tmp_path, SecretRegistry(), "b")

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        JOURNAL_NAME,
        "runbook.json",
        "runbook.md",
    ]


def test_one_invocation_at_a_time_per_procedure(tmp_path: Path) -> None:
    running = _journal(tmp_path)

    with pytest.raises(JournalError, match="another invocation of this procedure is running"):
        Journal.open(tmp_path, SecretRegistry(), "inv-2")

    running.close()  # (or its process dies: the kernel releases the lock, even on SIGKILL)
    Journal.open(tmp_path, SecretRegistry(), "inv-3").close()
