"""Block storage (Cinder v2): volumes of the seed, upload-to-image, the hourly limit, 404s."""

from __future__ import annotations

from tests.emulator.chain import PROJECT_ID, SERVER_ID, VOLUME_ID, Chain


def test_the_seed_servers_system_volume_is_listed_attached_and_bootable(chain: Chain) -> None:
    # export-chain.md §1.3: the image is made from the volume in volumes_attached.
    server = chain.request("GET", f"/compute/v2/{PROJECT_ID}/servers/{SERVER_ID}").get_json()
    attached = [v["id"] for v in server["server"]["os-extended-volumes:volumes_attached"]]
    assert attached == [VOLUME_ID]
    volume = chain.request("GET", chain.volume_url()).get_json()["volume"]
    assert volume["status"] == "in-use"
    assert volume["bootable"] == "true"
    assert volume["attachments"][0]["server_id"] == SERVER_ID
    assert volume["attachments"][0]["device"] == "/dev/vda"
    summary = chain.request("GET", f"/blockstorage/v2/{PROJECT_ID}/volumes").get_json()
    assert [v["id"] for v in summary["volumes"]] == [VOLUME_ID]
    assert set(summary["volumes"][0]) == {"id", "links", "name"}
    detail = chain.request("GET", f"/blockstorage/v2/{PROJECT_ID}/volumes/detail").get_json()
    assert detail["volumes"][0] == volume


def test_unknown_volume_is_cinders_item_not_found(chain: Chain) -> None:
    # cinder/exception.py VolumeNotFound, rendered by cinder/api/openstack/wsgi.py Fault.
    response = chain.request("GET", chain.volume_url("nope"))
    assert response.status_code == 404
    assert response.get_json() == {
        "itemNotFound": {"code": 404, "message": "Volume nope could not be found."}
    }
    response = chain.upload(volume_id="nope")
    assert response.status_code == 404
    assert response.get_json()["itemNotFound"]["message"] == "Volume nope could not be found."


def test_upload_answers_202_with_the_k5_sample_body_and_creates_the_image(chain: Chain) -> None:
    # [A20] "Normal response codes: 202"; body keys of the K5 sample [G1] (export-chain §2.3).
    response = chain.upload("server1_image")
    assert response.status_code == 202
    body = response.get_json()["os-volume_upload_image"]
    assert set(body) == {
        "status", "container_format", "disk_format", "image_name", "volume_type",
        "updated_at", "image_id", "display_description", "id", "size",
    }  # fmt: skip
    assert body["status"] == "uploading"
    assert body["id"] == VOLUME_ID
    assert (body["image_name"], body["disk_format"], body["container_format"]) == (
        "server1_image", "raw", "bare",
    )  # fmt: skip
    image = chain.image(body["image_id"])
    assert image["name"] == "server1_image"
    assert image["status"] == "active"  # immediate timing
    assert chain.request("GET", chain.volume_url()).get_json()["volume"]["status"] == "in-use"


def test_volume_is_uploading_until_the_image_is_active(manual_chain: Chain) -> None:
    # cinder: volume in-use -> uploading -> in-use; glance: queued -> saving -> active.
    chain = manual_chain
    image_id = chain.upload().get_json()["os-volume_upload_image"]["image_id"]
    assert chain.request("GET", chain.volume_url()).get_json()["volume"]["status"] == "uploading"
    assert chain.image(image_id)["status"] == "queued"
    chain.state.image.advance(image_id)
    assert chain.image(image_id)["status"] == "saving"
    assert chain.request("GET", chain.volume_url()).get_json()["volume"]["status"] == "uploading"
    # A second upload while uploading: cinder/volume/api.py _check_volume_availability.
    again = chain.upload()
    assert again.status_code == 400
    assert again.get_json()["badRequest"]["message"] == (
        f"Invalid volume: Volume {VOLUME_ID} status must be available or in-use, but current "
        "status is: uploading."
    )
    chain.state.image.advance(image_id)
    assert chain.image(image_id)["status"] == "active"
    assert chain.request("GET", chain.volume_url()).get_json()["volume"]["status"] == "in-use"


def test_in_use_volume_without_force_is_refused(chain: Chain) -> None:
    body = {"os-volume_upload_image": {"image_name": "x", "force": False}}
    response = chain.request("POST", f"{chain.volume_url()}/action", json=body)
    assert response.status_code == 400
    assert (
        response.get_json()["badRequest"]["message"] == "Invalid volume: Volume status is in-use."
    )


def test_bad_upload_bodies_name_what_is_wrong(chain: Chain) -> None:
    url = f"{chain.volume_url()}/action"
    cases = [
        ({"os-volume_upload_image": {"force": True}}, "No image_name was specified in request."),
        (
            {"os-volume_upload_image": {"image_name": "x", "force": "maybe"}},
            "Invalid value for 'force': 'maybe'",
        ),
        (
            {"os-volume_upload_image": {"image_name": "x", "force": True, "disk_format": "iso"}},
            "Invalid disk-format 'iso' is specified. Allowed disk-formats are raw, vmdk, vdi, "
            "qcow2, vhd, vhdx, ploop.",
        ),
        ({"os-extend": {"new_size": 100}}, "There is no such action: os-extend"),
    ]
    for body, message in cases:
        response = chain.request("POST", url, json=body)
        assert response.status_code == 400, body
        assert response.get_json() == {"badRequest": {"code": 400, "message": message}}
    response = chain.request("POST", url, data=b"{not json")
    assert response.get_json() == {"badRequest": {"code": 400, "message": "Malformed request body"}}


def test_a_fifth_upload_within_the_hour_is_over_limit_until_the_hour_passes(chain: Chain) -> None:
    # [P7]: 4 requests per hour per project. The error is not documented by FJcloud-O: the
    # emulator answers Cinder's 413 overLimit with retryAfter and says so in the message.
    for n in range(4):
        assert chain.upload(f"image-{n}").status_code == 202
    response = chain.upload("image-4")
    assert response.status_code == 413
    fault = response.get_json()["overLimit"]
    assert fault["code"] == 413
    assert fault["retryAfter"] == response.headers["Retry-After"]
    assert 3590 <= int(fault["retryAfter"]) <= 3600
    assert "4 requests per project per 1 hour" in fault["message"]
    assert "FJcloud-O documents the limit but not this error" in fault["message"]
    chain.state.clock.advance(3601)
    assert chain.upload("image-5").status_code == 202


def test_url_project_other_than_the_tokens_is_malformed(chain: Chain) -> None:
    response = chain.request("GET", "/blockstorage/v2/0123456789abcdef/volumes")
    assert response.status_code == 400
    assert response.get_json() == {"badRequest": {"code": 400, "message": "Malformed request url"}}


def test_observer_may_read_but_not_upload(chain: Chain) -> None:
    observer = Chain(chain.app, "demo-observer")
    assert observer.request("GET", observer.volume_url()).status_code == 200
    response = observer.upload()
    assert response.status_code == 403
    assert response.get_json()["forbidden"]["message"] == (
        "Policy doesn't allow volume_extension:volume_actions:upload_image to be performed."
    )


def test_no_token_is_keystones_401(chain: Chain) -> None:
    response = chain.client.get(chain.volume_url())
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == 401


def test_versions_are_unauthenticated(chain: Chain) -> None:
    response = chain.client.get("/blockstorage/")
    assert response.status_code == 300
    assert response.get_json()["versions"][0]["id"] == "v2.0"


def test_a_server_added_by_the_control_plane_brings_its_volumes(chain: Chain) -> None:
    system = "0f4e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
    extra = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    added = chain.client.post(
        "/_emulator/servers", json={"name": "web-1", "volumes_attached": [system, extra]}
    )
    assert added.status_code == 201
    volume = chain.request("GET", chain.volume_url(system)).get_json()["volume"]
    assert (volume["bootable"], volume["attachments"][0]["device"]) == ("true", "/dev/vda")
    assert volume["attachments"][0]["server_id"] == added.get_json()["server"]["id"]
    second = chain.request("GET", chain.volume_url(extra)).get_json()["volume"]
    assert (second["bootable"], second["attachments"][0]["device"]) == ("false", "/dev/vdb")
