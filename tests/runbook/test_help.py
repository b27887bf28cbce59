"""``pytest runbook --help`` says what the options do since pages 2–5 and the journal exist.

Found by acceptance: --evidence still promised ./evidence/<UTC time>/ (folders are
<UTC time>-<random> and hold the journal), --from-step/--to-step read as if the runbook had five
steps in all, and --no-evidence did not say that it drops the on-disk journal too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _help() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "runbook", "--help", "-p", "no:cacheprovider"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return " ".join(done.stdout.split())  # argparse wraps lines


def test_help_describes_the_evidence_folder_and_the_steps_of_page_1() -> None:
    text = _help()
    assert "./evidence/<UTC time>-<random>/" in text
    assert "journal.jsonl" in text
    assert "first step of page 1 to run (1–5); pages 2–5 follow unless --page 1" in text
    assert "no journal or evidence on disk" in text
