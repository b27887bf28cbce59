"""Pages 2–5's parts on their own: variables, the upload limit, progress, free space, checks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from runbook.chaincurl import container_command, export_command, upload_command
from runbook.chainoptions import parse_pages
from runbook.chainvars import (
    ChainVariables,
    check_image_name,
    default_image_name,
    endpoint_base,
    endpoint_from_catalog,
    resolve_endpoint,
    resolve_ids,
)
from runbook.download import DiskFull, DownloadFailed, check_free_space, local_path
from runbook.errors import VariableError
from runbook.imaging import UploadLedger, UploadLimitReached, check_upload_limit, recent_uploads
from runbook.objectstorage import account_version, check_container_name
from runbook.pages import PAGES
from runbook.progress import Estimate, bar, duration

PROJECT = "790f1c092038413a8dd6771a033b17f5"
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)


def _catalog(*services: tuple[str, str]) -> list[dict[str, object]]:
    return [
        {
            "type": service_type,
            "endpoints": [
                {"interface": "public", "region_id": "jp-east-1", "region": "jp-east-1", "url": url}
            ],
        }
        for service_type, url in services
    ]


def test_endpoints_come_from_the_catalog_without_their_version_tails() -> None:
    # K5 catalogs carry /v2/<project> (block storage) and /v1/AUTH_<project> (Swift) after the
    # document's endpoint, as compute carries /v2/<project> (fjcloud-o.md "Host pattern").
    catalog = _catalog(
        ("volumev2", f"https://blockstorage.jp-east-1.cloud.global.fujitsu.com/v2/{PROJECT}"),
        (
            "object-store",
            f"https://objectstorage.jp-east-1.cloud.global.fujitsu.com/v1/AUTH_{PROJECT}",
        ),
        ("image", "https://image.jp-east-1.cloud.global.fujitsu.com"),
        ("import-export", "https://import-export.jp-east-1.cloud.global.fujitsu.com/v1"),
    )
    v = ChainVariables()
    for name in ("BLOCKSTORAGE", "OBJECTSTORAGE", "IMAGE", "IMPORT_EXPORT"):
        resolve_endpoint(v, name, {}, {}, catalog, "jp-east-1")

    assert v.blockstorage == "https://blockstorage.jp-east-1.cloud.global.fujitsu.com"
    assert v.objectstorage == "https://objectstorage.jp-east-1.cloud.global.fujitsu.com"
    assert v.image == "https://image.jp-east-1.cloud.global.fujitsu.com"
    assert v.import_export == "https://import-export.jp-east-1.cloud.global.fujitsu.com"
    assert v.origins["IMAGE"] == "the token's catalog (jp-east-1)"


def test_an_option_wins_over_the_variable_and_the_catalog() -> None:
    catalog = _catalog(("image", "https://image.example"))
    v = ChainVariables()

    resolve_endpoint(
        v,
        "IMAGE",
        {"runbook_image": "https://opt.example/"},
        {"IMAGE": "https://env.example"},
        catalog,
        None,
    )

    assert (v.image, v.origins["IMAGE"]) == ("https://opt.example", "--image")


def test_a_missing_endpoint_names_the_variable_the_types_and_where_to_give_it() -> None:
    with pytest.raises(VariableError) as caught:
        resolve_endpoint(
            ChainVariables(),
            "IMPORT_EXPORT",
            {},
            {},
            _catalog(("compute", "https://c")),
            "jp-east-1",
        )

    text = caught.value.render()
    assert "IMPORT_EXPORT: missing" in text
    assert "import-export" in text
    assert "vmimport" in text
    assert "--import-export or IMPORT_EXPORT" in text


def test_the_catalog_entry_of_another_region_is_not_taken() -> None:
    assert (
        endpoint_from_catalog("IMAGE", _catalog(("image", "https://image.jp-east-1")), "jp-west-1")
        is None
    )


def test_ids_are_checked_before_anything_is_sent() -> None:
    v = ChainVariables()
    with pytest.raises(VariableError, match=r"VOLUME_ID: .my-volume. .* is not an id"):
        resolve_ids(v, {"runbook_volume_id": "my-volume"}, {})
    with pytest.raises(VariableError, match=r"CONTAINER: .a/b. .* contains ./."):
        resolve_ids(v, {}, {"CONTAINER": "a/b"})
    resolve_ids(v, {}, {})
    assert (v.container, v.origins["CONTAINER"]) == (
        "vmexport",
        "the default (K5lib's example container)",
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "empty"),
        ("x" * 257, "longer than Swift's 256 bytes"),
        ("vmexport_segments", "ends in _segments"),
    ],
)
def test_container_names_swift_refuses_are_refused_here(name: str, problem: str) -> None:
    # swift/common/constraints.py MAX_CONTAINER_NAME_LENGTH = 256; [P5] <container>_segments.
    with pytest.raises(VariableError, match=problem):
        check_container_name(name, "--container")


def test_the_image_name_becomes_a_safe_file_name() -> None:
    assert default_image_name("Win2012 R2/SE", "20261202") == "Win2012_R2_SE-export-20261202"
    with pytest.raises(VariableError, match="becomes the exported file's name"):
        check_image_name("my image.qcow2; rm", "--image-name")


def test_region_3_uses_the_v2_account_path_in_container_and_export_commands() -> None:
    # [P2]: region 3's container PUT is ${OBJECTSTORAGE}/v2/AUTH_${PROJECT_ID}/${CONTAINER}.
    assert account_version("jp-east-3") == "v2"
    assert account_version("jp-east-1") == "v1"
    assert (
        container_command("v2")
        == 'curl -i -H "X-Auth-Token: ${TOKEN}" "${OBJECTSTORAGE}/v2/AUTH_${PROJECT_ID}/${CONTAINER}" -X PUT'
    )
    assert '"storage_container": "/v2/AUTH_${PROJECT_ID}/${CONTAINER}"' in export_command("v2")
    assert '"force": "True"' in upload_command("web-export")  # the K5 sample [G1]


def test_the_fifth_upload_within_the_hour_is_refused_with_the_time_it_may_be_sent() -> None:
    # [P7]: 4 requests per hour per project.
    times = [NOW - timedelta(minutes=m) for m in (50, 40, 30, 10)]
    assert check_upload_limit(times[1:], NOW, "ledger") == 1
    with pytest.raises(UploadLimitReached) as caught:
        check_upload_limit(times, NOW, "ledger")
    assert "Nothing was sent" in caught.value.message
    assert "run this page again at 15:10:00 UTC or later (in 11 min)" in caught.value.render()


def test_the_ledger_counts_this_projects_uploads_of_the_last_hour_only(tmp_path: Path) -> None:
    ledger = UploadLedger(tmp_path / "uploads.jsonl", [])
    ledger.add(at=(NOW - timedelta(minutes=61)).isoformat(), project_id=PROJECT)
    ledger.add(at=(NOW - timedelta(minutes=5)).isoformat(), project_id=PROJECT)
    ledger.add(at=(NOW - timedelta(minutes=5)).isoformat(), project_id="0" * 32)
    with (tmp_path / "uploads.jsonl").open("a") as handle:
        handle.write('{"at": "torn')  # a crash in the middle of a write

    assert recent_uploads(ledger.entries(), PROJECT, NOW) == [NOW - timedelta(minutes=5)]
    assert (tmp_path / "uploads.jsonl").stat().st_mode & 0o077 == 0


def test_the_estimate_comes_from_the_progress_seen() -> None:
    estimate = Estimate(total=100)
    estimate.add(0.0, 10)
    assert estimate.eta_text() == "no estimate yet"
    estimate.add(600.0, 20)  # 10 % in 10 minutes: 80 % left is 80 minutes
    assert estimate.eta_text() == "about 80 min left"
    assert bar(0.25) == "[#####---------------]"
    assert duration(3 * 3600 + 20 * 60) == "3 h 20 min"


def test_a_full_disk_is_refused_before_anything_is_downloaded(tmp_path: Path) -> None:
    def usage(_: Path) -> SimpleNamespace:
        return SimpleNamespace(free=5 * 1024**3)

    with pytest.raises(DiskFull) as caught:
        check_free_space(tmp_path / "files", 6 * 1024**3, 1024**3, usage)
    text = caught.value.render()
    assert (
        "the files need 6.0 GiB more, plus 1.0 GiB kept free (--keep-free), and 5.0 GiB are free"
        in text
    )
    assert "--download-dir" in text
    assert check_free_space(tmp_path / "files", 3 * 1024**3, 1024**3, usage) == 5 * 1024**3


def test_pages_are_selected_by_number_or_range() -> None:
    assert parse_pages(None) == (1, 2, 3, 4, 5)
    assert parse_pages("2-4") == (2, 3, 4)
    assert parse_pages("5,1") == (1, 5)
    with pytest.raises(pytest.UsageError, match="pages are 1–5"):
        parse_pages("6")


def test_every_reconstructed_step_says_so_in_one_line_with_its_source() -> None:
    for page in PAGES.values():
        for chain_step in page.steps:
            if chain_step.reconstructed:
                assert "\n" not in chain_step.reconstructed
                assert (
                    "export-chain.md §" in chain_step.reconstructed
                    or "[P" in chain_step.reconstructed
                )
    # The cut-off export request and the missing pages are marked; [P6]'s cancel is Fujitsu's.
    assert PAGES[3].steps[3].reconstructed
    assert PAGES[2].steps[2].reconstructed
    assert PAGES[4].steps[2].reconstructed is None


def test_endpoint_base_keeps_a_prefix_path() -> None:
    # The bundled emulator serves every service on one port under its own prefix.
    assert (
        endpoint_base("BLOCKSTORAGE", f"http://127.0.0.1:8774/blockstorage/v2/{PROJECT}", "x")
        == "http://127.0.0.1:8774/blockstorage"
    )


@pytest.mark.parametrize("name", ["../evil.qcow2", "a/b.qcow2", ".hidden.qcow2", "..", ""])
def test_a_file_name_from_the_cloud_never_writes_outside_the_download_folder(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(DownloadFailed, match="is not a plain file name; nothing was downloaded"):
        local_path(tmp_path, name)
    assert local_path(tmp_path, "web1-export.qcow2") == tmp_path / "web1-export.qcow2"
