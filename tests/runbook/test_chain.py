"""Pages 2–5 (イメージの作成 … イメージファイルの取得と事後作業) run as an operator runs them.

``pytest runbook`` as a subprocess, against the bundled emulator (rehearsal) or the session's
``EmulatorServer`` with ``--target live`` (exactly as against production); what reached the
cloud is read from the emulator's request log, what the runbook recorded from its journal.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests

from emulator import EmulatorServer
from tests.runbook.conftest import PASSWORD, POLL, Result, base_env, live_env, run_runbook

CONFIRMED = ["--yes", "--confirm-manual"]
IMAGE_NAME = "web1-export"


def chain_line(result: Result, label: str) -> str:
    """The report's line of step ``label`` (``2.3``) of pages 2–5."""
    for line in result.output.split("the export, page by page", 1)[-1].splitlines():
        if f" {label} " in line and line.split()[0] in (
            "PASSED",
            "FAILED",
            "ERROR",
            "NOT",
            "SKIPPED",
        ):
            return line
    raise AssertionError(f"no report line for step {label} in:\n{result.output}")


def changes(server: EmulatorServer) -> list[tuple[str, str, Any]]:
    """Every request that changes something, as (method, path, JSON body)."""
    found = []
    for entry in server.requests_log():
        if entry["method"] in ("POST", "PUT", "DELETE") and not entry["path"].endswith(
            "/auth/tokens"
        ):
            found.append((entry["method"], entry["path"], entry.get("request_body")))
    return found


def count(server: EmulatorServer, method: str, suffix: str, body_key: str | None = None) -> int:
    """How many ``method`` requests to a path ending in ``suffix`` (with ``body_key``) arrived."""
    return sum(
        1
        for m, path, body in changes(server)
        if m == method
        and path.endswith(suffix)
        and (body_key is None or body_key in json.dumps(body))
    )


def journal(tmp_path: Path) -> list[dict[str, Any]]:
    """The procedure's journal (the --evidence folder of ``chain_live_args``)."""
    lines = (tmp_path / "evidence" / "journal.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def chain_args(live_args: list[str], tmp_path: Path, *more: str) -> list[str]:
    """A confirmed live run with its own download folder and a fixed image name."""
    return [*live_args, *CONFIRMED, "--download-dir", str(tmp_path / "files"),
            "--image-name", IMAGE_NAME, *more]  # fmt: skip


def test_rehearsal_runs_every_page_in_the_manuals_order(tmp_path: Path) -> None:
    result = run_runbook(POLL, base_env(tmp_path))

    assert result.returncode == 0, result.output
    banners = [line for line in result.output.splitlines() if line.startswith("=== ")]
    assert [b.split(" — ")[0] for b in banners] == [
        "=== 2. イメージの作成",
        "=== 3. エクスポートの実行",
        "=== 4. エクスポート状況の確認",
        "=== 5. イメージファイルの取得と事後作業",
    ]
    for label in ("2.3", "2.4", "3.3", "3.4", "4.4", "5.4", "5.7"):
        assert chain_line(result, label).startswith("PASSED"), chain_line(result, label)
    assert chain_line(result, "4.3").startswith("SKIPPED")  # the cancel is only when asked for
    assert "upload accepted (202): image " in result.output
    assert "checked: size" in result.output
    assert PASSWORD not in result.output
    assert not (tmp_path / "export-files").exists()  # a rehearsal downloads into a temporary folder


def test_every_reconstructed_step_says_so_in_one_line(tmp_path: Path) -> None:
    # export-chain.md §5: the VM-export image page, the export request, the status page and the
    # download steps are not available; the operator must know which commands are ours.
    result = run_runbook(POLL, base_env(tmp_path))

    assert result.returncode == 0, result.output
    marked = [
        line.strip()
        for line in result.output.splitlines()
        if line.strip().startswith("reconstructed")
    ]
    assert any(
        "イメージの作成 (VM export) page is not available (export-chain.md §5.2)" in m
        for m in marked
    )
    assert any("the export request of エクスポートの実行 [P2] is cut off" in m for m in marked)
    assert any("エクスポート状況の確認 page is not available" in m for m in marked)
    assert any("the 手順 of イメージファイルの取得と事後作業 [P5] is empty" in m for m in marked)


def test_dry_run_prints_every_steps_curl_command_and_changes_nothing(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    args = [
        *chain_args(chain_live_args, tmp_path),
        "--dry-run",
        "--cancel-export",
        "--delete-image",
    ]

    result = run_runbook(args, live_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 0, result.output
    out = result.output
    assert (
        '$ curl -i -X POST -H "X-Auth-Token: ${TOKEN}" -H "Content-Type: application/json" "${BLOCKSTORAGE}/v2/${PROJECT_ID}/volumes/${VOLUME_ID}/action" -d \'{"os-volume_upload_image": {"image_name": "web1-export", "container_format": "bare", "disk_format": "raw", "force": "True"}}\''
        in out
    )
    assert '$ curl -X GET -H "X-Auth-Token: ${TOKEN}" "${IMAGE}/v2/images/${IMAGE_ID}"' in out
    assert (
        '$ curl -i -H "X-Auth-Token: ${TOKEN}" "${OBJECTSTORAGE}/v1/AUTH_${PROJECT_ID}/${CONTAINER}" -X PUT'
        in out
    )
    assert (
        '{"image_id": "${IMAGE_ID}", "storage_container": "/v1/AUTH_${PROJECT_ID}/${CONTAINER}"}'
        in out
    )
    assert (
        '$ curl -i -X POST -H "X-Auth-Token: ${TOKEN}" -H "Content-Type: application/json" "${IMPORT_EXPORT}/v1/imageexport" -d @param.json'
        in out
    )
    assert (
        '$ curl -i -X POST -H "X-Auth-Token: ${TOKEN}" "${IMPORT_EXPORT}/v1/imageexport/${EXPORT_ID}/cancel"'
        in out
    )
    assert (
        '$ curl -H "X-Auth-Token: ${TOKEN}" "${IMPORT_EXPORT}/v1/imageexport/${EXPORT_ID}/status"'
        in out
    )
    assert "-C - -o web1-export.vmdk" in out
    assert '$ curl -i -X DELETE -H "X-Auth-Token: ${TOKEN}" "${IMAGE}/v2/images/${IMAGE_ID}"' in out
    assert "-d '{\"os-start\": null}'" in out
    assert changes(fjcloud_emulator) == []


def test_live_chain_sends_each_change_once_and_downloads_checked_files(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    result = run_runbook(
        chain_args(chain_live_args, tmp_path), live_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 0, result.output
    assert count(fjcloud_emulator, "POST", "/action", "os-stop") == 1
    assert count(fjcloud_emulator, "POST", "/action", "os-volume_upload_image") == 1
    assert count(fjcloud_emulator, "PUT", "/vmexport") == 1
    assert count(fjcloud_emulator, "POST", "/v1/imageexport") == 1
    assert count(fjcloud_emulator, "POST", "/action", "os-start") == 1
    # [P5]: the segments of the .vmdk must never be deleted; the runbook deletes nothing in Swift.
    assert not [c for c in changes(fjcloud_emulator) if c[0] == "DELETE"]
    files = sorted(p.name for p in (tmp_path / "files").iterdir())
    assert files == ["web1-export.mf", "web1-export.ovf", "web1-export.vmdk"]
    assert "segments' MD5 = their ETags, and the manifest's ETag" in result.output
    records = journal(tmp_path)
    (requested,) = [r for r in records if r["kind"] == "export_requested"]
    intents = [r for r in records if r["kind"] == "intent" and r["action"] == "imageexport"]
    assert intents[0]["seq"] < requested["seq"]  # journalled before it was sent, the id at once
    assert not (tmp_path / "state.json").exists()  # the procedure is complete


def test_pages_run_alone_continue_the_same_procedure(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path)
    first = run_runbook([*chain_args(chain_live_args, tmp_path), "--page", "1"], env)
    assert first.returncode == 0, first.output
    assert "=== 2." not in first.output

    env_later = live_env(fjcloud_emulator, tmp_path, SERVER_ID=None)  # the journal has it
    for pages in ("2-3", "4-5"):
        later = run_runbook([*chain_args(chain_live_args, tmp_path), "--page", pages], env_later)
        assert later.returncode == 0, later.output
        assert "1. 一部の設定の初期化" not in later.output.split("page by page")[0]

    assert count(fjcloud_emulator, "POST", "/action", "os-stop") == 1
    assert count(fjcloud_emulator, "POST", "/action", "os-volume_upload_image") == 1
    assert count(fjcloud_emulator, "POST", "/v1/imageexport") == 1
    assert "(from this procedure's journal)" in later.output


def test_region_3_uses_the_v2_account_path_and_gets_a_qcow2(tmp_path: Path) -> None:
    # [P2]: region 3's object storage is /v2/AUTH_<project>; the format follows the region as
    # export-chain.md §1.7 infers (region 3: KVM, .qcow2).
    result = run_runbook(["--region", "jp-east-3", *POLL], base_env(tmp_path))

    assert result.returncode == 0, result.output
    assert "/objectstorage/v2/AUTH_790f1c092038413a8dd6771a033b17f5/vmexport" in result.output
    assert "KVM (qcow2): 1 files" in result.output


def test_an_unknown_volume_fails_page_2_with_what_to_do_and_sends_no_upload(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    missing = str(uuid.uuid4())

    result = run_runbook(
        chain_args(chain_live_args, tmp_path, "--volume-id", missing),
        live_env(fjcloud_emulator, tmp_path),
    )

    assert result.returncode == 1
    assert chain_line(result, "2.2").startswith("FAILED")
    assert f"Volume {missing} could not be found" in result.output
    assert "check VOLUME_ID (--volume-id)" in result.output
    assert count(fjcloud_emulator, "POST", "/action", "os-volume_upload_image") == 0
    assert "not run because step 2.2 failed" in result.output


def test_a_container_name_swift_refuses_is_refused_before_the_password_is_sent(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    result = run_runbook(
        chain_args(chain_live_args, tmp_path, "--container", "exports/2026"),
        live_env(fjcloud_emulator, tmp_path),
    )

    assert result.returncode == 4  # a usage error
    assert "CONTAINER: 'exports/2026' (from --container) contains '/'" in result.output
    assert fjcloud_emulator.requests_log() == []


def test_a_full_disk_stops_before_downloading_and_a_rerun_downloads_everything(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path)
    full = run_runbook(chain_args(chain_live_args, tmp_path, "--keep-free", str(2**40)), env)

    assert full.returncode == 1
    assert chain_line(full, "5.4").startswith("FAILED")
    assert "not enough free space in" in full.output
    assert "nothing was downloaded" in full.output
    assert "--download-dir" in full.output
    assert not list((tmp_path / "files").glob("*.vmdk*"))

    again = run_runbook(
        [*chain_args(chain_live_args, tmp_path), "--page", "5"],
        live_env(fjcloud_emulator, tmp_path, SERVER_ID=None),
    )

    assert again.returncode == 0, again.output
    assert (tmp_path / "files" / "web1-export.vmdk").exists()
    assert count(fjcloud_emulator, "POST", "/v1/imageexport") == 1


def test_a_file_named_like_the_image_in_the_container_refuses_the_export(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    # [P2 注]: an image file of the same name (split files included) in the container refuses it.
    account = f"{fjcloud_emulator.url}/objectstorage/v1/AUTH_{fjcloud_emulator.project_id}"
    headers = {"X-Auth-Token": fjcloud_emulator.token()}
    assert requests.put(f"{account}/vmexport", headers=headers, timeout=5).status_code in (201, 202)
    put = requests.put(
        f"{account}/vmexport/{IMAGE_NAME}.qcow2", data=b"old", headers=headers, timeout=5
    )
    assert put.status_code == 201
    fjcloud_emulator.clear_requests_log()

    result = run_runbook(
        chain_args(chain_live_args, tmp_path), live_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 1
    assert chain_line(result, "3.4").startswith("FAILED")
    assert f"already holds files named like the image: vmexport/{IMAGE_NAME}.qcow2" in result.output
    assert "the runbook never deletes objects" in result.output
    assert count(fjcloud_emulator, "POST", "/v1/imageexport") == 0


def test_a_fifth_upload_within_the_hour_is_not_sent(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, chain_live_args: list[str]
) -> None:
    # [P7]: 4 upload-to-image requests per hour per project; the runbook's ledger knows them.
    ledger = tmp_path / ".local" / "state" / "fjcloud-runbook" / "uploads.jsonl"
    ledger.parent.mkdir(parents=True)
    now = datetime.now(timezone.utc).isoformat()
    ledger.write_text(
        "".join(
            json.dumps({"at": now, "project_id": fjcloud_emulator.project_id}) + "\n"
            for _ in range(4)
        )
    )

    result = run_runbook(
        chain_args(chain_live_args, tmp_path), live_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 1
    assert chain_line(result, "2.3").startswith("FAILED")
    assert "FJcloud-O allows 4 per hour per project [P7]. Nothing was sent." in result.output
    assert "run this page again at" in result.output
    assert count(fjcloud_emulator, "POST", "/action", "os-volume_upload_image") == 0


def test_a_page_rehearsed_alone_runs_the_pages_before_it_first_and_says_why(
    tmp_path: Path,
) -> None:
    result = run_runbook([*POLL, "--page", "4"], base_env(tmp_path))

    assert result.returncode == 0, result.output
    assert (
        "rehearsal: pages 1–3 run first — the emulator is new in every invocation" in result.output
    )
    assert chain_line(result, "4.4").startswith("PASSED")
    assert "=== 5." not in result.output
