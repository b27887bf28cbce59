"""The crash matrix of pages 2–5: SIGKILL at each instant of each request that changes something.

The runbook kills itself at a named point (``runbook.crashpoints``, honoured only against an
emulator on 127.0.0.1), then a second invocation continues the same procedure. Whatever the
instant, exactly one upload-to-image and one export request reach the emulator, the procedure
ends complete, and every journal line written before the kill is still there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator import EmulatorServer
from runbook.crashpoints import ENV_VAR
from tests.runbook.conftest import live_env, run_runbook
from tests.runbook.test_chain import IMAGE_NAME, chain_args, count, journal

pytestmark = pytest.mark.slow

POINTS = [
    f"{action}/{instant}"
    for action in ("os-volume_upload_image", "imageexport")
    for instant in ("intent-journalled", "answered", "outcome-journalled")
] + ["image/polled", "export/polled", "download/part-written"]


@pytest.mark.parametrize("point", POINTS)
def test_a_kill_at_any_point_never_sends_a_second_upload_or_export(
    point: str, fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    args = chain_args(chain_live_args, tmp_path)
    killed = run_runbook(args, live_env(fjcloud_emulator, tmp_path, **{ENV_VAR: point}))
    assert killed.returncode == -9, killed.output  # SIGKILL: no clean-up ran
    before = journal(tmp_path)

    rerun = run_runbook(args, live_env(fjcloud_emulator, tmp_path, SERVER_ID=None))

    assert rerun.returncode == 0, rerun.output
    assert count(fjcloud_emulator, "POST", "/action", "os-volume_upload_image") == 1
    assert count(fjcloud_emulator, "POST", "/v1/imageexport") == 1
    assert count(fjcloud_emulator, "POST", "/action", "os-stop") == 1
    after = journal(tmp_path)
    assert after[: len(before)] == before  # nothing written before the kill was lost
    assert (tmp_path / "files" / f"{IMAGE_NAME}.vmdk").exists()


def test_a_killed_download_resumes_with_range_where_it_stopped(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    args = chain_args(chain_live_args, tmp_path)
    env = live_env(fjcloud_emulator, tmp_path, **{ENV_VAR: "download/part-written"})
    assert run_runbook(args, env).returncode == -9
    part = tmp_path / "files" / f"{IMAGE_NAME}.vmdk.part"
    # The kill came after the first chunk; what the disk kept of it may be less.
    kept = part.read_bytes()[:1000]
    part.write_bytes(kept)

    rerun = run_runbook(args, live_env(fjcloud_emulator, tmp_path, SERVER_ID=None))

    assert rerun.returncode == 0, rerun.output
    assert f"resumed at byte {len(kept)}" in rerun.output
    ranges = [
        r["exchange"]["request"]["headers"].get("Range")
        for r in journal(tmp_path)
        if r["kind"] == "exchange" and r["exchange"]["url"].endswith(f"{IMAGE_NAME}.vmdk")
        and r["exchange"]["method"] == "GET"
    ]  # fmt: skip
    assert f"bytes={len(kept)}-" in ranges
    data = (tmp_path / "files" / f"{IMAGE_NAME}.vmdk").read_bytes()
    assert data.startswith(kept)
    assert "segments' MD5 = their ETags, and the manifest's ETag" in rerun.output
    assert not part.exists()
    assert json.loads((tmp_path / "evidence" / "runbook.json").read_text())  # the evidence parses
