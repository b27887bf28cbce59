"""Import-export (/v1/imageexport): request, list, status, cancel, and the files an export writes."""

from __future__ import annotations

import hashlib

import pytest

from emulator.app import create_app
from emulator.timing import Timing
from tests.emulator.chain import ACCOUNT, PROJECT_ID, Chain, md5

EXPORTS = "/import-export/v1/imageexport"


def ready(chain: Chain, name: str = "server1_image", container: str = "vmexport") -> str:
    """An active image and the export container (the pages before エクスポートの実行)."""
    image_id = chain.active_image(name)
    assert chain.request("PUT", chain.swift(f"/{container}")).status_code in (201, 202)
    return image_id


def test_request_answers_an_export_id_and_the_vmdk_files_appear(chain: Chain) -> None:
    image_id = ready(chain)
    response = chain.export(image_id)
    assert response.status_code == 201
    export_id = response.get_json()["export_id"]
    status = chain.export_status(export_id)
    assert status == {
        "export_status": "succeeded",
        "progress": 100,
        "image_id": image_id,
        "image_name": "server1_image",
        "storage_container": f"/v1/{ACCOUNT}/vmexport",
        "request_time": status["request_time"],
    }
    # [P5]: <name>.vmdk (segmented, segments in <container>_segments) + .ovf + .mf.
    names = chain.request("GET", chain.swift("/vmexport")).get_data(as_text=True).split()
    assert names == ["server1_image.mf", "server1_image.ovf", "server1_image.vmdk"]
    segments = chain.request("GET", chain.swift("/vmexport_segments?format=json")).get_json()
    assert len(segments) == 3
    assert all(s["name"].startswith("server1_image.vmdk/") for s in segments)
    vmdk = chain.request("GET", chain.swift("/vmexport/server1_image.vmdk"))
    assert vmdk.get_data()[:4] == b"KDMV"
    assert (
        int(vmdk.headers["Content-Length"])
        == len(vmdk.get_data())
        == sum(s["bytes"] for s in segments)
    )
    mf = chain.request("GET", chain.swift("/vmexport/server1_image.mf")).get_data(as_text=True)
    ovf = chain.request("GET", chain.swift("/vmexport/server1_image.ovf")).get_data()
    assert f"SHA256(server1_image.vmdk)= {hashlib.sha256(vmdk.get_data()).hexdigest()}" in mf
    assert f"SHA256(server1_image.ovf)= {hashlib.sha256(ovf).hexdigest()}" in mf


@pytest.mark.parametrize("chain", ["jp-east-3"], indirect=True)
def test_region_3_exports_one_qcow2_under_v2(chain: Chain) -> None:
    # Inference (export-chain.md §1.7): region 3 -> qcow2.
    image_id = ready(chain)
    export_id = chain.export(image_id).get_json()["export_id"]
    assert chain.export_status(export_id)["storage_container"] == f"/v2/{ACCOUNT}/vmexport"
    names = chain.request("GET", chain.swift("/vmexport")).get_data(as_text=True).split()
    assert names == ["server1_image.qcow2"]
    qcow2 = chain.request("GET", chain.swift("/vmexport/server1_image.qcow2"))
    assert qcow2.get_data()[:4] == b"QFI\xfb"
    assert qcow2.headers["Etag"] == md5(qcow2.get_data())


def test_the_format_is_configurable(chain: Chain) -> None:
    chain.state.importexport.set_format("qcow2")
    export_id = chain.export(ready(chain)).get_json()["export_id"]
    assert chain.export_status(export_id)["export_status"] == "succeeded"
    assert chain.request("GET", chain.swift("/vmexport")).get_data(as_text=True) == (
        "server1_image.qcow2\n"
    )


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({}, "40001", "Required parameter 'image_id' is not specified."),
        ({"image_id": 7}, "40002", "Parameter 'image_id' has invalid value."),
        (
            {"image_id": "x", "storage_container": "/v1/AUTH_x/c"},
            "40002",
            "Parameter 'image_id' has invalid value.",
        ),
        (
            {"image_id": "IMAGE"},
            "40003",
            "Required parameter 'storage_container' is not specified.",
        ),
        (
            {"image_id": "IMAGE", "storage_container": "vmexport"},
            "40004",
            "Parameter 'storage_container' has invalid value.",
        ),
        (
            {"image_id": "IMAGE", "storage_container": f"/v2/AUTH_{PROJECT_ID}/vmexport"},
            "40004",
            "Parameter 'storage_container' has invalid value.",
        ),
        (
            {"image_id": "IMAGE", "storage_container": f"/v1/AUTH_{PROJECT_ID}/absent"},
            "40004",
            "Parameter 'storage_container' has invalid value.",
        ),
        (
            {"image_id": "IMAGE", "storage_container": "/v1/AUTH_0000/vmexport"},
            "40005",
            "Project id does not exist.",
        ),
    ],
)
def test_documented_400_codes(
    chain: Chain, body: dict[str, object], code: str, message: str
) -> None:
    # [A9] codes 40001-40005, verbatim.
    image_id = ready(chain)
    body = {k: (image_id if v == "IMAGE" else v) for k, v in body.items()}
    response = chain.request("POST", EXPORTS, json=body)
    assert response.status_code == 400
    assert response.get_json() == {"error_code": code, "error_message": message}


def test_image_not_usable_is_40002(manual_chain: Chain) -> None:
    chain = manual_chain
    image_id = chain.upload().get_json()["os-volume_upload_image"]["image_id"]
    chain.request("PUT", chain.swift("/vmexport"))
    assert chain.export(image_id).get_json()["error_code"] == "40002"  # still queued
    chain.state.image.advance(image_id)
    chain.state.image.advance(image_id)
    chain.state.image.fail_sync(image_id)
    assert chain.export(image_id).get_json()["error_code"] == "40002"  # sync_status_reason


def test_duplicates_and_existing_files_are_refused_with_an_undocumented_code(
    manual_chain: Chain,
) -> None:
    chain = manual_chain
    image_id = chain.upload("img").get_json()["os-volume_upload_image"]["image_id"]
    chain.state.image.advance(image_id)
    chain.state.image.advance(image_id)
    chain.request("PUT", chain.swift("/vmexport"))
    first = chain.export(image_id).get_json()["export_id"]
    duplicate = chain.export(image_id)
    assert duplicate.status_code == 409
    body = duplicate.get_json()
    assert body["error_code"] == "undocumented"
    assert first in body["error_message"]
    assert (
        "FJcloud-O documents this refusal but not its status or error_code" in body["error_message"]
    )
    chain.state.importexport.advance(first)
    chain.state.importexport.advance(first)
    assert chain.export_status(first)["export_status"] == "succeeded"
    assert "already exists" in chain.export(image_id).get_json()["error_message"]
    # [P4]: a file named like the image already in the container (segments included).
    chain.request("PUT", chain.swift("/other"))
    chain.request("PUT", chain.swift("/other/img.qcow2"), data=b"x")
    clash = chain.export(image_id, "other")
    assert clash.status_code == 409
    assert "already holds img.qcow2" in clash.get_json()["error_message"]


def test_manual_timing_and_the_control_operations(manual_chain: Chain) -> None:
    chain = manual_chain
    image_id = chain.upload().get_json()["os-volume_upload_image"]["image_id"]
    chain.state.image.advance(image_id)
    chain.state.image.advance(image_id)
    chain.request("PUT", chain.swift("/vmexport"))
    export_id = chain.export(image_id).get_json()["export_id"]
    backend = chain.state.importexport
    assert chain.export_status(export_id)["export_status"] == "queued"
    backend.advance(export_id)
    assert chain.export_status(export_id)["export_status"] == "processing"
    backend.set_progress(export_id, 42, "processing")
    assert chain.export_status(export_id)["progress"] == 42
    backend.set_progress(export_id, 42, "queued")  # [A8]: queued and processing may alternate
    assert chain.export_status(export_id)["export_status"] == "queued"
    backend.fail(export_id, "Specified id is not found.")
    status = chain.export_status(export_id)
    assert status["export_status"] == "failed"
    assert status["error_message"] == "Specified id is not found."
    assert status["progress"] == 42
    assert chain.request("GET", chain.swift("/vmexport")).status_code == 204  # nothing written


def test_seconds_timing_grows_progress_with_the_clock() -> None:
    chain = Chain(create_app({"timing": 0.0}))
    chain.state.importexport.set_timing(Timing.parse(100.0))
    image_id = ready(chain)
    export_id = chain.export(image_id).get_json()["export_id"]
    assert chain.export_status(export_id)["export_status"] == "queued"
    chain.state.clock.advance(50)
    assert chain.export_status(export_id)["export_status"] == "processing"
    chain.state.clock.advance(25)
    assert 45 <= chain.export_status(export_id)["progress"] <= 55
    chain.state.clock.advance(25)
    assert chain.export_status(export_id)["progress"] == 100


def test_cancel_is_202_then_40010_and_finished_is_40402(manual_chain: Chain) -> None:
    chain = manual_chain
    image_id = chain.upload().get_json()["os-volume_upload_image"]["image_id"]
    chain.state.image.advance(image_id)
    chain.state.image.advance(image_id)
    chain.request("PUT", chain.swift("/vmexport"))
    export_id = chain.export(image_id).get_json()["export_id"]
    cancel = f"{EXPORTS}/{export_id}/cancel"
    first = chain.request("POST", cancel)
    assert first.status_code == 202  # [P6] "202 Accepted" ([A11] says 200)
    assert first.get_data() == b""
    assert chain.export_status(export_id)["export_status"] == "cancelling"
    second = chain.request("POST", cancel)
    assert second.status_code == 400
    assert second.get_json() == {
        "error_code": "40010",
        "error_message": "Export_id is already accepted cancelling.",
    }
    chain.state.importexport.advance(export_id)
    assert chain.export_status(export_id)["export_status"] == "canceled"
    finished = chain.request("POST", cancel)
    assert finished.status_code == 404
    assert finished.get_json() == {
        "error_code": "40402",
        "error_message": "Export_id was already finished.",
    }
    unknown = chain.request("POST", f"{EXPORTS}/nope/cancel")
    assert unknown.status_code == 404
    assert unknown.get_json() == {"error_code": "40401", "error_message": "Invalid export_id."}
    assert chain.request("GET", f"{EXPORTS}/nope/status").get_json()["error_code"] == "40401"


def test_list_is_newest_first_from_start_with_limit(chain: Chain) -> None:
    ids = []
    for n in range(3):
        image_id = ready(chain, f"img{n}")
        ids.append(chain.export(image_id).get_json()["export_id"])
        chain.state.clock.advance(1)
    listed = chain.request("GET", EXPORTS).get_json()["exports"]
    assert [e["export_id"] for e in listed] == ids[::-1]
    assert listed[0]["status"] == f"/v1/imageexport/{ids[2]}/status"
    assert set(listed[0]) == {"export_id", "export_status", "status", "image_id", "request_time"}
    page = chain.request("GET", f"{EXPORTS}?start={ids[1]}&limit=1").get_json()["exports"]
    assert [e["export_id"] for e in page] == [ids[1]]
    bad = chain.request("GET", f"{EXPORTS}?start=nope")
    assert bad.status_code == 400
    assert bad.get_json()["error_code"] == "40013"
    assert chain.request("GET", f"{EXPORTS}?limit=0").get_json()["error_code"] == "undocumented"


def test_observer_may_not_request_an_export(chain: Chain) -> None:
    observer = Chain(chain.app, "demo-observer")
    response = observer.request("POST", EXPORTS, json={})
    assert response.status_code == 403
    assert response.get_json() == {
        "error_code": "40301",
        "error_message": "You cannot execute this API.",
    }


def test_deleting_the_image_during_the_export_fails_it(manual_chain: Chain) -> None:
    chain = manual_chain
    image_id = chain.upload().get_json()["os-volume_upload_image"]["image_id"]
    chain.state.image.advance(image_id)
    chain.state.image.advance(image_id)
    chain.request("PUT", chain.swift("/vmexport"))
    export_id = chain.export(image_id).get_json()["export_id"]
    chain.request("DELETE", f"/image/v2/images/{image_id}")
    chain.state.importexport.advance(export_id)
    status = chain.export_status(export_id)
    assert status["export_status"] == "failed"
    assert status["error_message"] == "Specified id is not found."  # [A8]
