"""Pages 2 and 4 while the cloud takes its time: an image not yet active, an image whose sync
failed, an export that takes hours (come back later), fails, or is canceled on request.

The emulator's export-chain control plane holds images and exports where a test wants them
(manual timing), sets an export's progress, fails it, or gives an image a sync_status_reason.
"""

from __future__ import annotations

from pathlib import Path

from emulator import EmulatorServer
from tests.runbook.conftest import live_env, run_runbook
from tests.runbook.test_chain import chain_args, chain_line, count

SHORT_WAIT = ["--image-poll-timeout", "0.3", "--export-poll-timeout", "0.3"]


def _image_id(server: EmulatorServer) -> str:
    (image,) = server.images()
    return str(image["id"])


def _export_id(server: EmulatorServer) -> str:
    (export,) = server.exports()
    return str(export["export_id"])


def test_an_image_not_yet_active_stops_page_2_and_a_rerun_waits_for_the_same_image(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    fjcloud_emulator.set_image_timing("manual")
    args = chain_args(chain_live_args, tmp_path, *SHORT_WAIT, "--page", "1-2")

    first = run_runbook(args, live_env(fjcloud_emulator, tmp_path))

    assert first.returncode == 1
    assert chain_line(first, "2.4").startswith("FAILED")
    assert "the image is not active after 0.3 s" in first.output
    assert "nothing is sent again" in first.output
    image_id = _image_id(fjcloud_emulator)
    fjcloud_emulator.advance_image(image_id)
    fjcloud_emulator.advance_image(image_id)

    again = run_runbook(args, live_env(fjcloud_emulator, tmp_path, SERVER_ID=None))

    assert again.returncode == 0, again.output
    assert "image already made (this procedure's journal)" in again.output
    assert count(fjcloud_emulator, "POST", "/action", "os-volume_upload_image") == 1


def test_an_image_with_a_sync_status_reason_is_unusable_and_the_operator_is_told_why(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    # [A20]: an image with a sync_status_reason must be deleted and made again.
    fjcloud_emulator.set_image_timing("manual")
    args = chain_args(chain_live_args, tmp_path, *SHORT_WAIT, "--page", "1-3")
    assert run_runbook(args, live_env(fjcloud_emulator, tmp_path)).returncode == 1
    image_id = _image_id(fjcloud_emulator)
    fjcloud_emulator.fail_image_sync(image_id, "ERROR:A timeout occurred during synchronize image")
    fjcloud_emulator.advance_image(image_id)
    fjcloud_emulator.advance_image(image_id)

    result = run_runbook(args, live_env(fjcloud_emulator, tmp_path, SERVER_ID=None))

    assert result.returncode == 1
    assert chain_line(result, "2.4").startswith("FAILED")
    assert "is active but unusable: sync_status_reason 'ERROR:A timeout occurred" in result.output
    assert "delete the image" in result.output
    assert count(fjcloud_emulator, "POST", "/v1/imageexport") == 0


def test_an_export_still_running_ends_the_watch_and_a_later_run_continues_it(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    fjcloud_emulator.set_export_timing("manual")
    args = chain_args(chain_live_args, tmp_path, *SHORT_WAIT)

    first = run_runbook(args, live_env(fjcloud_emulator, tmp_path))

    assert first.returncode == 1
    assert chain_line(first, "4.4").startswith("FAILED")
    assert "is still queued at 0%" in first.output
    assert "nothing is lost (the export id is in the journal)" in first.output
    assert "--page 4-5" in first.output
    export_id = _export_id(fjcloud_emulator)
    fjcloud_emulator.set_export_progress(export_id, 42)
    later = ["--page", "4-5"]

    watching = run_runbook([*args, *later], live_env(fjcloud_emulator, tmp_path, SERVER_ID=None))

    assert watching.returncode == 1
    assert "processing [########------------]  42%" in watching.output
    fjcloud_emulator.set_export_progress(export_id, 99)
    fjcloud_emulator.advance_export(export_id)

    done = run_runbook([*args, *later], live_env(fjcloud_emulator, tmp_path, SERVER_ID=None))

    assert done.returncode == 0, done.output
    assert f"export {export_id} succeeded" in done.output
    assert count(fjcloud_emulator, "POST", "/v1/imageexport") == 1


def test_a_failed_export_says_why(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    fjcloud_emulator.set_export_timing("manual")
    args = chain_args(chain_live_args, tmp_path, *SHORT_WAIT)
    assert run_runbook(args, live_env(fjcloud_emulator, tmp_path)).returncode == 1
    fjcloud_emulator.fail_export(_export_id(fjcloud_emulator), "Specified id is not found.")

    result = run_runbook(
        [*args, "--page", "4-5"], live_env(fjcloud_emulator, tmp_path, SERVER_ID=None)
    )

    assert result.returncode == 1
    assert "failed: Specified id is not found." in result.output
    assert "not run because step 4.4 failed" in result.output


def test_cancel_is_an_explicit_confirmed_action_and_ends_the_watch(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    # [P6]: エクスポートの中止; 202 Accepted (the API reference says 200: both are accepted).
    fjcloud_emulator.set_export_timing("manual")
    args = chain_args(chain_live_args, tmp_path, *SHORT_WAIT)
    assert run_runbook(args, live_env(fjcloud_emulator, tmp_path)).returncode == 1
    later = live_env(fjcloud_emulator, tmp_path, SERVER_ID=None)
    no_yes = [a for a in args if a != "--yes"]

    refused = run_runbook([*no_yes, "--page", "4", "--cancel-export"], later)

    assert refused.returncode == 1
    assert "the cancel of" in refused.output
    assert "was not confirmed; nothing was sent" in refused.output
    assert count(fjcloud_emulator, "POST", "/cancel") == 0

    canceled = run_runbook([*args, "--page", "4", "--cancel-export"], later)

    assert canceled.returncode == 0, canceled.output
    assert "cancel accepted (20" in canceled.output
    assert "as asked (エクスポートの中止)" in canceled.output
    assert count(fjcloud_emulator, "POST", "/cancel") == 1
