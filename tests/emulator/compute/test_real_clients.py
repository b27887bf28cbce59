"""Over a real socket: the seed's curl requests, openstacksdk and python-novaclient.

The server is the project's own ``EmulatorServer`` (waitress on 127.0.0.1, port 0, in a thread).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from emulator import EmulatorServer
from tests.emulator.compute.conftest import PROJECT_ID, SERVER_ID
from tests.emulator.demo import demo_auth

CREDENTIALS = {
    "username": "demo-user",
    "password": "demo-password",
    "user_domain_name": "demo0001",
    "project_name": "demo-project",
    "project_domain_name": "demo0001",
}


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every client's traffic on 127.0.0.1 even when a proxy is configured."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


def serve(region: str, timing: Any) -> Iterator[str]:
    with EmulatorServer(region=region, timing=timing) as server:
        yield server.url
        server.check_errors()


@pytest.fixture
def region1(no_proxy: None) -> Iterator[str]:
    """jp-east-1 (compute under /v2), transitions after 0.2 s."""
    yield from serve("jp-east-1", 0.2)


@pytest.fixture
def region3(no_proxy: None) -> Iterator[str]:
    """jp-east-3 (compute under /v2.1 with microversions), transitions after 0.2 s."""
    yield from serve("jp-east-3", 0.2)


def token_for(url: str) -> str:
    response = requests.post(f"{url}/identity/v3/auth/tokens", json=demo_auth(), timeout=10)
    assert response.status_code == 201
    return response.headers["X-Subject-Token"]


def test_the_seed_documents_two_curl_requests(region1: str) -> None:
    """Step 4: POST …/action {"os-stop": null} → 202 Accepted; step 5: GET → status SHUTOFF."""
    token = token_for(region1)
    compute = f"{region1}/compute"
    headers = {"X-Auth-Token": token, "Content-Type": "application/json"}
    url = f"{compute}/v2/{PROJECT_ID}/servers/{SERVER_ID}"
    stop = requests.post(f"{url}/action", data='{"os-stop": null}', headers=headers, timeout=10)
    assert (stop.status_code, stop.content) == (202, b"")
    # webob (Nova) sends "202 Accepted", the words the seed document tells the operator to expect.
    assert stop.reason == "Accepted"
    assert stop.headers["x-compute-request-id"] == stop.headers["x-openstack-request-id"]
    status = requests.get(url, headers={"X-Auth-Token": token}, timeout=10).json()["server"][
        "status"
    ]
    assert status == "ACTIVE"  # still powering off
    for _ in range(100):
        status = requests.get(url, headers={"X-Auth-Token": token}, timeout=10).json()["server"][
            "status"
        ]
        if status == "SHUTOFF":
            break
        threading.Event().wait(0.05)
    assert status == "SHUTOFF"


# openstacksdk warns about its own deprecations (influxdb, _compute_attributes); not ours to fix.
@pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK50Warning")
@pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK60Warning")
@pytest.mark.parametrize("region_fixture", ["region1", "region3"])
def test_openstacksdk_stop_and_wait_for_shutoff(
    region_fixture: str, request: pytest.FixtureRequest
) -> None:
    """openstacksdk discovers /compute/v2 or /compute/v2.1 (negotiating 2.60), stops, polls."""
    import openstack

    url: str = request.getfixturevalue(region_fixture)
    region = "jp-east-1" if region_fixture == "region1" else "jp-east-3"
    conn = openstack.connect(
        auth_url=f"{url}/identity/v3",
        region_name=region,
        interface="public",
        load_yaml_config=False,
        load_envvars=False,
        **CREDENTIALS,
    )
    try:
        server = conn.compute.find_server("Win2012R2SE", ignore_missing=False)
        assert server.id == SERVER_ID
        assert server.flavor is not None
        conn.compute.stop_server(server)
        server = conn.compute.wait_for_server(server, status="SHUTOFF", interval=0.05, wait=10)
        assert (server.status, server.power_state, server.vm_state) == ("SHUTOFF", 4, "stopped")
        if region == "jp-east-3":
            assert server.is_locked is False  # a 2.9+ field: the microversion was negotiated
        with pytest.raises(openstack.exceptions.ConflictException) as caught:
            conn.compute.stop_server(server)
        assert f"Cannot 'stop' instance {SERVER_ID} while it is in vm_state stopped" in str(
            caught.value
        )
    finally:
        conn.close()


def test_novaclient_at_the_maximum_microversion(region3: str) -> None:
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    from novaclient import client as nova_client

    auth = v3.Password(auth_url=f"{region3}/identity/v3", **CREDENTIALS)
    nova = nova_client.Client("2.60", session=session.Session(auth=auth), region_name="jp-east-3")
    server = nova.servers.get(SERVER_ID)
    assert (server.status, server.locked, server.flavor["original_name"]) == (
        "ACTIVE",
        False,
        "S-2",
    )
    assert [s.name for s in nova.servers.list(search_opts={"name": "^Win"})] == ["Win2012R2SE"]
    assert nova.flavors.get("11").name == "S-2"


@pytest.mark.slow  # the whole OpenStack CLI (cliff, every plugin) loads in-process: seconds
def test_openstack_cli_show_by_name_and_stop(region3: str) -> None:
    """python-openstackclient: name lookup (404 → ?name=), flavor and image shown, then stop."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    cli = Path(sys.executable).with_name("openstack")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(
        OS_AUTH_URL=f"{region3}/identity/v3",
        OS_USERNAME="demo-user",
        OS_PASSWORD="demo-password",
        OS_USER_DOMAIN_NAME="demo0001",
        OS_PROJECT_NAME="demo-project",
        OS_PROJECT_DOMAIN_NAME="demo0001",
        OS_REGION_NAME="jp-east-3",
        OS_IDENTITY_API_VERSION="3",
        OS_INTERFACE="public",
        PYTHONWARNINGS="ignore",
    )

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(cli), *args], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    shown = json.loads(run("server", "show", "Win2012R2SE", "-f", "json"))
    assert (shown["id"], shown["status"]) == (SERVER_ID, "ACTIVE")
    assert "S-2" in str(shown["flavor"])
    assert "booted from volume" in str(shown["image"])
    run("server", "stop", "Win2012R2SE")


def test_chunked_body_over_the_limit_is_413_and_a_small_one_works(region1: str) -> None:
    """A body without Content-Length is cut at max_body_bytes (1 MiB) too, never a 500."""
    token = token_for(region1)
    url = f"{region1}/compute/v2/{PROJECT_ID}/servers/{SERVER_ID}/action"
    headers = {"X-Auth-Token": token, "Content-Type": "application/json"}

    def big() -> Iterator[bytes]:
        yield b'{"os-stop": "'
        for _ in range(1100):
            yield b"x" * 1024
        yield b'"}'

    response = requests.post(url, data=big(), headers=headers, timeout=30)
    assert response.status_code == 413
    assert response.json() == {"overLimit": {"code": 413, "message": "Request is too large."}}
    response = requests.post(url, data=iter([b'{"os-stop": null}']), headers=headers, timeout=10)
    assert response.status_code == 202
