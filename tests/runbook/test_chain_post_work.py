"""The post-work of page 5 when a confirmation is not given: the procedure stays open.

Found by running the chain as an operator would (acceptance): without a terminal and without
``--yes``, step 5.7 said "run --page 5 --yes later to start it" but counted as done, so the state
file was removed ("the procedure is complete") and the suggested command started a new procedure
that failed at 5.2 (IMAGE_NAME not known) after sending the password again.
"""

from __future__ import annotations

from pathlib import Path

from emulator import EmulatorServer
from tests.runbook.conftest import live_env, run_runbook
from tests.runbook.test_chain import IMAGE_NAME, chain_line, changes, count


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
    assert "--page 5 --confirm-manual --yes" in unconfirmed.output
    assert count(fjcloud_emulator, "POST", "/action", "os-start") == 0
    assert (tmp_path / "state.json").exists(), unconfirmed.output  # the procedure is still open

    later = run_runbook(
        _args(chain_live_args, tmp_path, "--confirm-manual", "--page", "5", "--yes"), env
    )

    assert later.returncode == 0, later.output
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
    assert "--page 5 --confirm-manual --delete-image --yes" in unconfirmed.output
    assert (tmp_path / "state.json").exists(), unconfirmed.output

    later = run_runbook(
        _args(
            chain_live_args, tmp_path, "--confirm-manual", "--page", "5", "--delete-image", "--yes"
        ),
        env,
    )

    assert later.returncode == 0, later.output
    deletes = [c for c in changes(fjcloud_emulator) if c[0] == "DELETE"]
    assert len(deletes) == 1, deletes
    assert "/v2/images/" in deletes[0][1]
