"""Page 5's image deletion and page 3's refusal of a second export, as an operator runs them.

An unconfirmed deletion or start: tests/runbook/test_chain_post_work.py.
"""

from __future__ import annotations

from pathlib import Path

from emulator import EmulatorServer
from tests.runbook.conftest import Result, live_env, run_runbook
from tests.runbook.test_chain import chain_args, chain_line, count


def test_delete_image_is_asked_for_and_sent_once_after_the_checked_download(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    result = run_runbook(
        chain_args(chain_live_args, tmp_path, "--delete-image"),
        live_env(fjcloud_emulator, tmp_path),
    )

    assert result.returncode == 0, result.output
    assert count(fjcloud_emulator, "DELETE", "/v2/images/" + _image_id(result)) == 1
    assert "deleted (204), confirmed by --yes" in result.output
    assert fjcloud_emulator.images() == []
    # The files stay; nothing in object storage was deleted (the .vmdk's segments must stay [P5]).
    assert (tmp_path / "files" / "web1-export.vmdk").exists()
    assert not [
        e
        for e in fjcloud_emulator.requests_log()
        if e["method"] == "DELETE" and "/objectstorage/" in e["path"]
    ]


def test_a_second_procedure_may_not_export_the_same_image_to_the_same_container(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    # [P4]: one image cannot be exported twice to the same container.
    first = run_runbook(
        [*chain_args(chain_live_args, tmp_path), "--page", "1-3"],
        live_env(fjcloud_emulator, tmp_path),
    )
    assert first.returncode == 0, first.output
    image_id = _image_id(first)
    other = tmp_path / "other"
    args = [
        "--target", "live", "--state-file", str(other / "state.json"), "--evidence",
        str(other / "evidence"), "--yes", "--image-id", image_id, "--page", "3",
    ]  # fmt: skip

    second = run_runbook(args, live_env(fjcloud_emulator, tmp_path))

    assert second.returncode == 1
    assert chain_line(second, "3.4").startswith("FAILED")
    assert f"an export of image {image_id} to /v1/AUTH_" in second.output
    assert "follow it with --export-id" in second.output
    assert count(fjcloud_emulator, "POST", "/v1/imageexport") == 1


def _image_id(result: Result) -> str:
    """The image id page 2 reported."""
    return result.output.split("upload accepted (202): image ", 1)[1].split()[0]
