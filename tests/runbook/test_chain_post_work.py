"""The post-work of page 5 when a confirmation is not given: the procedure stays open.

Found by running the chain as an operator would (acceptance): without a terminal and without
``--yes``, step 5.7 said "run --page 5 --yes later to start it" but counted as done, so the state
file was removed ("the procedure is complete") and the suggested command started a new procedure
that failed at 5.2 (IMAGE_NAME not known) after sending the password again.

Also found by acceptance testing: the rerun asked 5.5's hand-over again although the procedure's
journal recorded its confirmation, so the hints had to say "pass --confirm-manual again". Now the
journal's confirmation of the same files (image, container, the cloud's files and the checked
downloads) is used, and the hints name only what the rerun needs.
"""

from __future__ import annotations

import os
import pty
from pathlib import Path

import pytest

from emulator import EmulatorServer
from tests.runbook.conftest import live_env, run_runbook
from tests.runbook.test_chain import IMAGE_NAME, chain_line, changes, count, journal


def _args(chain_live_args: list[str], tmp_path: Path, *more: str) -> list[str]:
    return [*chain_live_args, "--download-dir", str(tmp_path / "files"),
            "--image-name", IMAGE_NAME, *more]  # fmt: skip


def test_an_unconfirmed_start_keeps_the_procedure_open_and_its_hint_works(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path)
    before = run_runbook(
        _args(chain_live_args, tmp_path, "--yes", "--confirm-manual", "--page", "1-4"), env
    )
    assert before.returncode == 0, before.output

    unconfirmed = run_runbook(
        _args(chain_live_args, tmp_path, "--confirm-manual", "--page", "5"), env
    )

    assert unconfirmed.returncode == 1, unconfirmed.output  # not done: cron sees it
    assert "FAILED" in chain_line(unconfirmed, "5.7"), unconfirmed.output
    assert "run --page 5 --yes to start it" in unconfirmed.output
    assert count(fjcloud_emulator, "POST", "/action", "os-start") == 0
    assert (tmp_path / "state.json").exists(), unconfirmed.output  # the procedure is still open

    later = run_runbook(
        _args(chain_live_args, tmp_path, "--page", "5", "--yes"), env
    )  # as the hint says: no --confirm-manual (5.5 is in the journal)

    assert later.returncode == 0, later.output
    assert "(--confirm-manual) at " in later.output  # 5.5: confirmed earlier, not asked
    assert "for the same files: not asked again" in later.output
    assert count(fjcloud_emulator, "POST", "/action", "os-start") == 1
    assert not (tmp_path / "state.json").exists()  # now the procedure is complete


def test_an_unconfirmed_image_deletion_keeps_the_procedure_open(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path)
    before = run_runbook(
        _args(chain_live_args, tmp_path, "--yes", "--confirm-manual", "--page", "1-4"), env
    )
    assert before.returncode == 0, before.output

    unconfirmed = run_runbook(
        _args(chain_live_args, tmp_path, "--confirm-manual", "--page", "5", "--delete-image"), env
    )

    assert unconfirmed.returncode == 1, unconfirmed.output
    assert "FAILED" in chain_line(unconfirmed, "5.6"), unconfirmed.output
    assert "run --page 5 --delete-image --yes to delete it" in unconfirmed.output
    assert (tmp_path / "state.json").exists(), unconfirmed.output

    later = run_runbook(
        _args(chain_live_args, tmp_path, "--page", "5", "--delete-image", "--yes"), env
    )

    assert later.returncode == 0, later.output
    deletes = [c for c in changes(fjcloud_emulator) if c[0] == "DELETE"]
    assert len(deletes) == 1, deletes
    assert "/v2/images/" in deletes[0][1]


@pytest.mark.slow
def test_a_rerun_after_an_unconfirmed_deletion_does_not_ask_the_hand_over_again(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path)
    # The whole chain on a terminal: step 1, the stop and the hand-over answered yes, 5.6 no.
    controller, terminal = pty.openpty()
    os.write(controller, b"y\ny\ny\nn\n")  # typed ahead: kept until they are read
    try:
        first = run_runbook(_args(chain_live_args, tmp_path, "--delete-image"), env, stdin=terminal)
    finally:
        os.close(terminal)
        os.close(controller)
    assert first.returncode == 1, first.output
    assert "Have the image files been handed over to the target environment? [y/N]" in first.output
    assert "PASSED" in chain_line(first, "5.5"), first.output
    assert "FAILED" in chain_line(first, "5.6"), first.output
    hint = "run --page 5 --delete-image --yes to delete it"
    assert hint in first.output
    handed = [r for r in journal(tmp_path) if r["kind"] == "handed_over"]
    assert len(handed) == 1, handed
    assert handed[0]["how"] == "the operator at the prompt", handed

    # The hint's command, with no terminal (stdin is /dev/null) and without --confirm-manual.
    later = run_runbook(
        _args(chain_live_args, tmp_path, "--page", "5", "--delete-image", "--yes"), env
    )

    assert later.returncode == 0, later.output
    assert "PASSED" in chain_line(later, "5.5"), later.output
    assert (
        f"confirmed earlier in this procedure by {handed[0]['who']} (the operator at the prompt) "
        f"at {handed[0]['at']}, for the same files: not asked again"
    ) in later.output
    assert [c[0] for c in changes(fjcloud_emulator) if c[0] == "DELETE"] == ["DELETE"]
    assert count(fjcloud_emulator, "POST", "/action", "os-start") == 1
    assert not (tmp_path / "state.json").exists(), later.output  # the procedure is complete
