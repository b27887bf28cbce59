"""openstacksdk's block-storage, image and object-store proxies against the export chain.

Against the thread server and the in-process mock (real FJcloud-O hostnames), regions jp-east-1
(Swift account /v1) and jp-east-3 (/v2): the calls the export pages make — find the system
volume, upload it to an image, wait for the image, create the container, read the exported
files back with their ETags.
"""

from __future__ import annotations

import hashlib

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

from emulator.handle import ControlMethods
from tests.compat.helpers import POLL_INTERVAL, POLL_WAIT, SDK_OWN_WARNINGS

pytestmark = SDK_OWN_WARNINGS

Connection = openstack.connection.Connection
VOLUME_ID = "fdf9df9a-894d-48fe-b091-d1b13dd4309a"


def test_block_storage_shows_lists_and_uploads_the_system_volume(
    cloud: ControlMethods, sdk: Connection
) -> None:
    server = sdk.compute.get_server(cloud.server_ids[0])
    assert [v["id"] for v in server.attached_volumes] == [VOLUME_ID]
    volume = sdk.block_storage.get_volume(VOLUME_ID)
    assert (volume.status, volume.is_bootable, volume.size) == ("in-use", True, 80)
    assert [v.id for v in sdk.block_storage.volumes()] == [VOLUME_ID]
    answer = sdk.block_storage.upload_volume_to_image(
        VOLUME_ID, "server1_image", force=True, disk_format="raw", container_format="bare"
    )
    assert answer["status"] == "uploading"
    image = sdk.image.get_image(answer["image_id"])
    sdk.image.wait_for_status(image, "active", interval=POLL_INTERVAL, wait=POLL_WAIT)
    image = sdk.image.get_image(answer["image_id"])
    assert (image.name, image.status, image.disk_format) == ("server1_image", "active", "raw")
    assert [i.id for i in sdk.image.images()] == [image.id]
    with pytest.raises(sdk_exceptions.NotFoundException):
        sdk.block_storage.get_volume("no-such-volume")


def test_image_proxy_reads_sync_status_reason_and_deletes(
    cloud: ControlMethods, sdk: Connection
) -> None:
    answer = sdk.block_storage.upload_volume_to_image(VOLUME_ID, "img", force=True)
    cloud.fail_image_sync(answer["image_id"])
    image = sdk.image.get_image(answer["image_id"])
    # FJcloud-O's extra field arrives among the image's properties.
    assert image.properties["sync_status_reason"].startswith("ERROR:A timeout occurred")
    sdk.image.delete_image(image)
    with pytest.raises(sdk_exceptions.NotFoundException):
        sdk.image.get_image(image.id)


def test_object_store_containers_objects_and_an_exported_vmdk(
    cloud: ControlMethods, sdk: Connection
) -> None:
    container = sdk.object_store.create_container(name="vmexport")
    assert container.name == "vmexport"
    assert [c.name for c in sdk.object_store.containers()] == ["vmexport"]
    sdk.object_store.upload_object(container="vmexport", name="note.txt", data=b"hello")
    assert sdk.object_store.download_object("note.txt", container="vmexport") == b"hello"
    answer = sdk.block_storage.upload_volume_to_image(VOLUME_ID, "server1_image", force=True)
    cloud.set_export_format("vmdk")
    export = sdk.session.post(
        f"{_import_export(sdk)}/v1/imageexport",
        json={
            "image_id": answer["image_id"],
            "storage_container": _storage_container(cloud, "vmexport"),
        },
    )
    assert export.status_code == 201, export.text
    names = sorted(o.name for o in sdk.object_store.objects("vmexport"))
    assert names == ["note.txt", "server1_image.mf", "server1_image.ovf", "server1_image.vmdk"]
    data = sdk.object_store.download_object("server1_image.vmdk", container="vmexport")
    assert data[:4] == b"KDMV"
    meta = sdk.object_store.get_object_metadata("server1_image.vmdk", container="vmexport")
    assert int(meta.content_length) == len(data)
    mf = sdk.object_store.download_object("server1_image.mf", container="vmexport").decode()
    assert f"SHA256(server1_image.vmdk)= {hashlib.sha256(data).hexdigest()}" in mf


def _import_export(sdk: Connection) -> str:
    """The import-export endpoint from the token's catalog (the document's IMPORT_EXPORT)."""
    url: str = sdk.session.get_endpoint(service_type="import-export", interface="public")
    return url.rstrip("/")


def _storage_container(cloud: ControlMethods, container: str) -> str:
    version = "v2" if cloud.region.endswith("-3") else "v1"
    return f"/{version}/AUTH_{cloud.project_id}/{container}"
