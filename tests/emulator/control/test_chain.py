"""The control plane for the export chain: over HTTP (/_emulator/…) and from the Python handle."""

from __future__ import annotations

import pytest
import requests

from emulator import EmulatorServer
from emulator.image.backend import sync_failure_reason
from tests.emulator import chain as chain_fixtures
from tests.emulator.chain import VOLUME_ID, Chain

chain = chain_fixtures.chain
manual_chain = chain_fixtures.manual_chain


def test_http_operations_drive_an_upload_and_an_export(manual_chain: Chain) -> None:
    chain = manual_chain
    client = chain.client
    image_id = chain.upload("img").get_json()["os-volume_upload_image"]["image_id"]
    step = client.post(f"/_emulator/volumes/{VOLUME_ID}/advance-upload").get_json()
    assert step["image"]["status"] == "saving"
    failed = client.post(f"/_emulator/images/{image_id}/fail-sync", json={}).get_json()
    assert failed["image"]["pending_sync_failure"] == sync_failure_reason(image_id)
    assert client.post(f"/_emulator/images/{image_id}/advance").get_json()["image"]["status"] == (
        "active"
    )
    assert chain.image(image_id)["sync_status_reason"] == sync_failure_reason(image_id)
    listed = client.get("/_emulator/images").get_json()["images"]
    assert [i["id"] for i in listed] == [image_id]
    volumes = client.get("/_emulator/volumes").get_json()["volumes"]
    assert volumes[0]["uploads_left_this_hour"] == 3


def test_http_export_operations(manual_chain: Chain) -> None:
    chain = manual_chain
    client = chain.client
    image_id = chain.upload("img").get_json()["os-volume_upload_image"]["image_id"]
    client.post(f"/_emulator/images/{image_id}/advance")
    client.post(f"/_emulator/images/{image_id}/advance")
    chain.request("PUT", chain.swift("/vmexport"))
    export_id = chain.export(image_id).get_json()["export_id"]
    assert (
        client.post(f"/_emulator/exports/{export_id}/advance").get_json()["export"]["export_status"]
        == "processing"
    )
    progress = client.post(f"/_emulator/exports/{export_id}/progress", json={"progress": 60})
    assert progress.get_json()["export"]["progress"] == 60
    assert chain.export_status(export_id)["progress"] == 60
    done = client.post(f"/_emulator/exports/{export_id}/advance").get_json()["export"]
    assert done["export_status"] == "succeeded"
    assert "vmexport/img.vmdk" in done["written"]
    objects = client.get("/_emulator/objects").get_json()["accounts"]
    assert "img.vmdk" in [o["name"] for o in next(iter(objects.values()))["vmexport"]]
    again = client.post(f"/_emulator/exports/{export_id}/fail", json={"message": "x"})
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == "Export_id was already finished."
    assert client.get("/_emulator/state").get_json()["importexport"]["exports"][0]["export_id"] == (
        export_id
    )


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/_emulator/exports/X/fail", {}, "fail.message: the export's error_message"),
        (
            "/_emulator/exports/X/progress",
            {"progress": 100},
            "progress.progress: must be an integer 0-99",
        ),
        (
            "/_emulator/exports/X/progress",
            {"progress": 5, "status": "succeeded"},
            "progress.status: must be one of queued, processing",
        ),
        ("/_emulator/exports/format", {"format": "ova"}, "format.format: must be one of auto"),
        ("/_emulator/exports/timing", {"mode": "soon"}, "timing.mode: must be immediate"),
        ("/_emulator/images/timing", {"mode": "seconds", "seconds": -1}, "timing.seconds"),
    ],
)
def test_bad_control_bodies_name_the_field(
    chain: Chain, path: str, body: dict[str, object], message: str
) -> None:
    response = chain.client.post(path, json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith(message)


def test_unknown_ids_are_404(chain: Chain) -> None:
    for path in (
        "/_emulator/exports/nope/advance",
        "/_emulator/images/nope/advance",
        "/_emulator/volumes/nope/advance-upload",
    ):
        response = chain.client.post(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == 404
    idle = chain.client.post(f"/_emulator/volumes/{VOLUME_ID}/advance-upload")
    assert idle.status_code == 400
    assert (
        idle.get_json()["error"]["message"] == f"Volume {VOLUME_ID} is not uploading to an image."
    )


def test_python_handle_drives_the_chain_over_a_real_socket() -> None:
    with EmulatorServer(timing="manual") as cloud:
        token = cloud.token()
        headers = {"X-Auth-Token": token}
        base = cloud.url
        upload = requests.post(
            f"{base}/blockstorage/v2/{cloud.project_id}/volumes/{VOLUME_ID}/action",
            json={"os-volume_upload_image": {"image_name": "img", "force": True}},
            headers=headers,
            timeout=10,
        )
        assert upload.status_code == 202
        image_id = upload.json()["os-volume_upload_image"]["image_id"]
        cloud.advance_upload(VOLUME_ID)
        assert cloud.advance_image(image_id)["status"] == "active"
        cloud.set_export_format("qcow2")
        account = f"{base}/objectstorage/v1/AUTH_{cloud.project_id}"
        assert requests.put(f"{account}/c", headers=headers, timeout=10).status_code == 201
        export = requests.post(
            f"{base}/import-export/v1/imageexport",
            json={"image_id": image_id, "storage_container": f"/v1/AUTH_{cloud.project_id}/c"},
            headers=headers,
            timeout=10,
        )
        export_id = export.json()["export_id"]
        cloud.set_export_progress(export_id, 10, "queued")
        assert cloud.exports()[0]["export_status"] == "queued"
        cloud.fail_export(export_id, "Specified id is not found.")
        status = requests.get(
            f"{base}/import-export/v1/imageexport/{export_id}/status", headers=headers, timeout=10
        ).json()
        assert (status["export_status"], status["error_message"]) == (
            "failed",
            "Specified id is not found.",
        )
        cloud.set_export_timing("immediate")
        cloud.set_image_timing(2.5)
        assert cloud.snapshot()["image"]["timing"] == {"mode": "seconds", "seconds": 2.5}
        cloud.set_timing("immediate")  # the default timing is every state machine's
        assert cloud.snapshot()["importexport"]["timing"]["mode"] == "immediate"
        cloud.check_errors()


def test_fault_rules_apply_to_the_new_services(chain: Chain) -> None:
    image_id = chain.active_image()
    chain.request("PUT", chain.swift("/vmexport"))
    rule = chain.client.post(
        "/_emulator/faults",
        json={"service": "import-export", "method": "POST", "status": 503, "times": 1},
    ).get_json()["fault"]
    assert chain.export(image_id).status_code == 503
    assert chain.export(image_id).status_code == 201  # times: 1
    assert chain.client.get("/_emulator/faults").get_json()["faults"][0]["id"] == rule["id"]
    log = chain.client.get("/_emulator/requests").get_json()["requests"]
    services = {entry["service"] for entry in log}
    assert {"blockstorage", "objectstorage", "import-export"} <= services
