"""Image (Glance v2): show, list, delete, the upload lifecycle and FJcloud-O's sync failure."""

from __future__ import annotations

import pytest

from emulator.image.backend import sync_failure_reason
from tests.emulator.chain import PROJECT_ID, VOLUME_ID, Chain

# The fields of FJcloud-O's image example [P7] (export-chain.md §1.3), all of them.
FJ_FIELDS = {
    "container_format", "min_ram", "updated_at", "fcx.base_image_id", "auth_version", "file",
    "owner", "id", "size", "self", "disk_format", "storage_path", "schema", "status", "tags",
    "visibility", "min_disk", "fcx.win", "name", "checksum", "created_at", "protected",
}  # fmt: skip


def test_active_image_has_fjcloud_os_fields_and_no_sync_status_reason(chain: Chain) -> None:
    image = chain.image(chain.active_image("server1_image"))
    assert set(image) == FJ_FIELDS
    assert image["status"] == "active"
    assert image["owner"] == PROJECT_ID
    assert image["storage_path"] == f"/glance/{image['id']}"
    assert image["self"] == f"/v2/images/{image['id']}"
    assert image["fcx.win"] == "true"  # the seed server is a Windows server (Win2012R2SE)
    assert image["size"] == 80 * 1024**3  # the system volume's bytes
    assert len(image["checksum"]) == 32


def test_sync_failure_is_injectable_and_shown_only_when_set(manual_chain: Chain) -> None:
    # [A20][A21]: an active image with sync_status_reason is unusable.
    chain = manual_chain
    image_id = chain.upload().get_json()["os-volume_upload_image"]["image_id"]
    chain.state.image.fail_sync(image_id)  # before active: applied when it becomes active
    chain.state.image.advance(image_id)
    assert "sync_status_reason" not in chain.image(image_id)
    chain.state.image.advance(image_id)
    image = chain.image(image_id)
    assert image["status"] == "active"
    assert image["sync_status_reason"] == sync_failure_reason(image_id)
    assert image["sync_status_reason"].startswith("ERROR:A timeout occurred during synchronize")


def test_seconds_timing_moves_the_upload_with_the_clock() -> None:
    from emulator.app import create_app

    chain = Chain(create_app({"timing": 10.0}))
    image_id = chain.active_image()
    assert chain.image(image_id)["status"] == "queued"
    chain.state.clock.advance(5)
    assert chain.image(image_id)["status"] == "saving"
    chain.state.clock.advance(5)
    assert chain.image(image_id)["status"] == "active"
    volume = chain.request("GET", chain.volume_url()).get_json()["volume"]
    assert volume["status"] == "in-use"


def test_unknown_image_is_glances_404_in_json_or_html(chain: Chain) -> None:
    # glance/api/v2/images.py show: "No image found with ID %s", rendered by webob.
    response = chain.request("GET", "/image/v2/images/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {
        "message": "No image found with ID nope",
        "code": "404 Not Found",
        "title": "Not Found",
    }
    html = chain.request("GET", "/image/v2/images/nope")
    assert html.status_code == 404
    assert html.content_type.startswith("text/html")
    assert "No image found with ID nope" in html.get_data(as_text=True)


def test_list_is_newest_first_and_paged(chain: Chain) -> None:
    ids = []
    for n in range(3):
        ids.append(chain.active_image(f"image-{n}"))
        chain.state.clock.advance(1)  # distinct creation times
    body = chain.request("GET", "/image/v2/images").get_json()
    assert [i["id"] for i in body["images"]] == ids[::-1]
    assert body["first"] == "/v2/images"
    assert "next" not in body
    page = chain.request("GET", "/image/v2/images?limit=2").get_json()
    assert [i["id"] for i in page["images"]] == ids[:0:-1]
    assert page["next"] == f"/v2/images?limit=2&marker={ids[1]}"
    rest = chain.request("GET", f"/image/v2/images?limit=2&marker={ids[1]}").get_json()
    assert [i["id"] for i in rest["images"]] == [ids[0]]
    named = chain.request("GET", "/image/v2/images?name=image-1").get_json()
    assert [i["id"] for i in named["images"]] == [ids[1]]


@pytest.mark.parametrize(
    ("query", "message"),
    [("limit=x", "limit param must be an integer"), ("limit=-1", "limit param must be positive")],
)
def test_bad_limit_is_a_400(chain: Chain, query: str, message: str) -> None:
    response = chain.request(
        "GET", f"/image/v2/images?{query}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json()["message"] == message


def test_delete_is_204_then_404_and_ends_an_upload(manual_chain: Chain) -> None:
    chain = manual_chain
    image_id = chain.upload().get_json()["os-volume_upload_image"]["image_id"]
    response = chain.request("DELETE", f"/image/v2/images/{image_id}")
    assert response.status_code == 204
    assert response.get_data() == b""
    again = chain.request(
        "DELETE", f"/image/v2/images/{image_id}", headers={"Accept": "application/json"}
    )
    assert again.status_code == 404
    assert again.get_json()["message"] == f"Failed to find image {image_id} to delete"
    volume = chain.request("GET", chain.volume_url(VOLUME_ID)).get_json()["volume"]
    assert volume["status"] == "in-use"


def test_observer_cannot_delete(chain: Chain) -> None:
    image_id = chain.active_image()
    observer = Chain(chain.app, "demo-observer")
    response = observer.request("DELETE", f"/image/v2/images/{image_id}")
    assert response.status_code == 403
    assert chain.image(image_id)["status"] == "active"


def test_versions_answer_300_without_a_token(chain: Chain) -> None:
    response = chain.client.get("/image/")
    assert response.status_code == 300
    assert response.get_json()["versions"][0]["status"] == "CURRENT"
