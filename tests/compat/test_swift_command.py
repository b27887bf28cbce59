"""python-swiftclient against the object store: the ``swift`` command, and its Python API.

The ``swift`` command runs as a subprocess against the thread server (``list``, ``stat``,
``download`` of an exported ``.vmdk`` — a DLO — with its ``.ovf`` and ``.mf``); swiftclient
checks a download's MD5 against the ETag for plain objects, so a wrong ETag fails here. The
in-process mock cannot serve another process, so against it the same reads go through
``swiftclient.client.Connection`` (which uses ``requests``, as the mock intercepts).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from swiftclient import client as swift_client

import emulator
from emulator.handle import ControlMethods
from tests.compat.helpers import keystone_session

VOLUME_ID = "fdf9df9a-894d-48fe-b091-d1b13dd4309a"


def exported(cloud: ControlMethods, fmt: str = "vmdk") -> None:
    """Upload the system volume, export it to ``vmexport`` (immediate timing), as the pages do."""
    headers = {"X-Auth-Token": cloud.token()}
    blockstorage = service_url(cloud, "blockstorage")
    objectstorage = service_url(cloud, "objectstorage")
    import_export = service_url(cloud, "import-export")
    version = "v2" if cloud.region.endswith("-3") else "v1"
    upload = requests.post(
        f"{blockstorage}/v2/{cloud.project_id}/volumes/{VOLUME_ID}/action",
        json={"os-volume_upload_image": {"image_name": "server1_image", "force": True}},
        headers=headers,
        timeout=10,
    )
    image_id = upload.json()["os-volume_upload_image"]["image_id"]
    account = f"{objectstorage}/{version}/AUTH_{cloud.project_id}"
    assert requests.put(f"{account}/vmexport", headers=headers, timeout=10).status_code == 201
    cloud.set_export_format(fmt)
    response = requests.post(
        f"{import_export}/v1/imageexport",
        json={
            "image_id": image_id,
            "storage_container": f"/{version}/AUTH_{cloud.project_id}/vmexport",
        },
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 201, response.text


def service_url(cloud: ControlMethods, name: str) -> str:
    """A service's base URL: a prefix of the thread server, or the mock's real FJcloud-O host."""
    if isinstance(cloud, emulator.EmulatorServer):
        return f"{cloud.url}/{name}"
    return f"https://{name}.{cloud.region}.cloud.global.fujitsu.com"


@pytest.fixture
def server() -> emulator.EmulatorServer:
    with emulator.EmulatorServer(timing="immediate") as running:
        yield running
        running.check_errors()


def swift(
    server: emulator.EmulatorServer, *args: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run ``swift <args>`` with the demo user's Keystone v3 credentials (no OS_* inherited)."""
    creds = server.credentials
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "ST_"))}
    command = [
        str(Path(sys.executable).with_name("swift")),
        "--auth-version", "3",
        "--os-auth-url", creds["OS_AUTH_URL"],
        "--os-username", creds["OS_USERNAME"],
        "--os-user-domain-name", creds["OS_USER_DOMAIN_NAME"],
        "--os-password", creds["OS_PASSWORD"],
        "--os-project-id", creds["OS_PROJECT_ID"],
        "--os-region-name", creds["OS_REGION_NAME"],
        *args,
    ]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=cwd, timeout=60, check=False
    )


def test_swift_list_stat_and_download_an_exported_vmdk(
    server: emulator.EmulatorServer, tmp_path: Path
) -> None:
    exported(server)
    listed = swift(server, "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["vmexport", "vmexport_segments"]
    files = swift(server, "list", "vmexport", cwd=tmp_path)
    assert files.stdout.split() == ["server1_image.mf", "server1_image.ovf", "server1_image.vmdk"]
    stat = swift(server, "stat", cwd=tmp_path)
    assert stat.returncode == 0, stat.stderr
    assert "Containers: 2" in stat.stdout
    object_stat = swift(server, "stat", "vmexport", "server1_image.vmdk", cwd=tmp_path)
    assert "Manifest: vmexport_segments/server1_image.vmdk/" in object_stat.stdout
    download = swift(server, "download", "vmexport", cwd=tmp_path)
    assert download.returncode == 0, download.stderr + download.stdout
    vmdk = (tmp_path / "server1_image.vmdk").read_bytes()
    assert vmdk[:4] == b"KDMV"
    mf = (tmp_path / "server1_image.mf").read_text()
    ovf = (tmp_path / "server1_image.ovf").read_bytes()
    assert f"SHA256(server1_image.vmdk)= {hashlib.sha256(vmdk).hexdigest()}" in mf
    assert f"SHA256(server1_image.ovf)= {hashlib.sha256(ovf).hexdigest()}" in mf


def test_swift_download_of_an_unknown_object_fails_clearly(
    server: emulator.EmulatorServer, tmp_path: Path
) -> None:
    exported(server, "qcow2")
    missing = swift(server, "download", "vmexport", "nope.qcow2", cwd=tmp_path)
    assert missing.returncode != 0
    assert "Object 'vmexport/nope.qcow2' not found" in missing.stderr


@pytest.mark.parametrize("region", ["jp-east-1", "jp-east-3"])
def test_swiftclient_connection_against_the_mock(region: str) -> None:
    with emulator.mock(region=region, timing="immediate") as cloud:
        exported(cloud, "qcow2")
        # A keystoneauth1 session, as openstacksdk and osc give swiftclient theirs.
        connection = swift_client.Connection(
            session=keystone_session(cloud),
            os_options={"region_name": cloud.region, "service_type": "object-store"},
        )
        _, containers = connection.get_account()
        assert [c["name"] for c in containers] == ["vmexport"]
        _, objects = connection.get_container("vmexport")
        assert [o["name"] for o in objects] == ["server1_image.qcow2"]
        _, body = connection.get_object(
            "vmexport", "server1_image.qcow2", headers={"Range": "bytes=4-"}
        )
        full = connection.get_object("vmexport", "server1_image.qcow2")[1]
        assert body == full[4:]
        assert full[:4] == b"QFI\xfb"
        meta = connection.head_object("vmexport", "server1_image.qcow2")
        assert meta["etag"] == hashlib.md5(full, usedforsecurity=False).hexdigest()
        cloud.check_errors()
