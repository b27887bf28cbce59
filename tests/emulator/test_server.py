"""EmulatorServer: waitress in a thread on 127.0.0.1 — start/stop, ready, control methods, errors."""

from __future__ import annotations

import http.client
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from emulator import EmulatorConfig, EmulatorServer
from emulator.control.errors import ControlError, InvalidRequest
from emulator.server import EmulatorNotStarted

DOC_PROJECT = "790f1c092038413a8dd6771a033b17f5"
DOC_SERVER = "dbf93607-f105-4e86-842c-02ae504efe36"


@pytest.fixture(scope="module")
def server() -> Any:
    """One thread server for this module, reset before each test that uses ``cloud``."""
    with EmulatorServer(timing="manual") as running:
        yield running


@pytest.fixture
def cloud(server: EmulatorServer) -> EmulatorServer:
    """The module's server, back at its seed."""
    server.reset()
    return server


def test_port_zero_urls_and_credentials(cloud: EmulatorServer) -> None:
    assert cloud.port > 0
    assert cloud.url == f"http://127.0.0.1:{cloud.port}"
    assert cloud.auth_url == f"{cloud.url}/identity/v3"
    assert cloud.compute_url == f"{cloud.url}/compute"
    assert cloud.project_id == DOC_PROJECT
    assert cloud.server_ids == [DOC_SERVER]
    assert cloud.credentials == {
        "OS_AUTH_URL": cloud.auth_url,
        "OS_USERNAME": "demo-user",
        "OS_PASSWORD": "demo-password",
        "OS_USER_DOMAIN_NAME": "demo0001",
        "OS_PROJECT_ID": DOC_PROJECT,
        "OS_PROJECT_NAME": "demo-project",
        "OS_PROJECT_DOMAIN_NAME": "demo0001",
        "OS_REGION_NAME": "jp-east-1",
        "OS_IDENTITY_API_VERSION": "3",
        "OS_INTERFACE": "public",
    }
    health = requests.get(f"{cloud.url}/_emulator/health", timeout=5)
    assert (health.status_code, health.json()["status"]) == (200, "ok")


def test_stop_closes_the_socket_and_is_idempotent() -> None:
    server = EmulatorServer().start()
    port = server.port
    assert server.start() is server  # starting twice is harmless
    server.stop()
    server.stop()
    assert not server.running
    with pytest.raises(EmulatorNotStarted, match="call start"):
        _ = server.url
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=1),
    ):
        pass


def test_stop_ends_the_thread_and_frees_the_port_with_a_keep_alive_connection_open() -> None:
    """waitress's poll loop runs while a connection is open; stop() must close it (server._shutdown)."""
    server = EmulatorServer().start()
    port = server.port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/compute/")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        assert not response.will_close  # HTTP/1.1 keep-alive: the socket stays open
        threads_before = {t.name for t in threading.enumerate()}
        assert f"fjcloud-emulator:{port}" in threads_before
        server.stop()
        assert f"fjcloud-emulator:{port}" not in {t.name for t in threading.enumerate()}
        with (
            pytest.raises(ConnectionRefusedError),
            socket.create_connection(("127.0.0.1", port), timeout=1),
        ):
            pass
    finally:
        connection.close()
        server.stop()


def test_ready_without_control_plane() -> None:
    with EmulatorServer(control_plane=False) as server:
        response = requests.get(f"{server.url}/identity/v3", timeout=5)
        assert response.status_code == 200
        assert requests.get(f"{server.url}/_emulator/health", timeout=5).status_code == 404


def test_config_and_keyword_fields_are_exclusive() -> None:
    with pytest.raises(TypeError, match="not both"):
        EmulatorServer(EmulatorConfig(), region="jp-east-3")


def test_region_and_seed_file(tmp_path: Any) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "domains: [{name: c1}]\n"
        f"projects: [{{id: {'b' * 32}, name: p, domain: c1}}]\n"
        "roles: [{name: cpf_systemowner}]\n"
        "users: [{name: u, domain: c1, password: pw, roles: [{project: p, role: cpf_systemowner}]}]\n"
        "servers: [{id: 0b4a3b5e-5d7e-4a39-9f0b-6d1f3c9e2a11, name: only}]\n"
    )
    server = EmulatorServer(seed=seed, region="jp-east-3")
    assert server.project_id == "b" * 32
    assert server.server_ids == ["0b4a3b5e-5d7e-4a39-9f0b-6d1f3c9e2a11"]
    assert server.region == "jp-east-3"


def test_manual_timing_stop_advance_and_history(cloud: EmulatorServer) -> None:
    token = cloud.token()
    url = f"{cloud.compute_url}/v2/{cloud.project_id}/servers/{DOC_SERVER}"
    stop = requests.post(
        f"{url}/action", json={"os-stop": None}, headers={"X-Auth-Token": token}, timeout=5
    )
    assert stop.status_code == 202
    before = requests.get(url, headers={"X-Auth-Token": token}, timeout=5).json()["server"]
    assert (before["status"], before["OS-EXT-STS:task_state"]) == ("ACTIVE", "powering-off")
    assert cloud.advance(DOC_SERVER)["status"] == "SHUTOFF"
    after = requests.get(url, headers={"X-Auth-Token": token}, timeout=5).json()["server"]
    assert (after["status"], after["OS-EXT-STS:power_state"]) == ("SHUTOFF", 4)
    assert [h["status"] for h in cloud.server_history(DOC_SERVER)][-1] == "SHUTOFF"


def test_add_server_set_state_delete(cloud: EmulatorServer) -> None:
    added = cloud.add_server(name="web-1", status="SHUTOFF")
    assert added["name"] == "web-1"
    assert cloud.set_server_state(added["id"], "ERROR", locked=True)["status"] == "ERROR"
    cloud.delete_server(added["id"])
    with pytest.raises(ControlError, match="could not be found") as caught:
        cloud.advance(added["id"])
    assert caught.value.code == 404


def test_add_server_bad_field_names_it(cloud: EmulatorServer) -> None:
    with pytest.raises(InvalidRequest, match=r"server: server\.status: 'RUNNING' is not one of"):
        cloud.add_server(name="x", status="RUNNING")


def test_inject_fault_drop_after_still_stops_the_server(cloud: EmulatorServer) -> None:
    token = cloud.token()
    cloud.set_timing("immediate")
    fault = cloud.inject_fault(method="POST", path="*/action", action="drop_after", times=1)
    url = f"{cloud.compute_url}/v2/{cloud.project_id}/servers/{DOC_SERVER}"
    with pytest.raises(requests.ConnectionError):
        requests.post(
            f"{url}/action", json={"os-stop": None}, headers={"X-Auth-Token": token}, timeout=5
        )
    server = requests.get(url, headers={"X-Auth-Token": token}, timeout=5).json()["server"]
    assert server["status"] == "SHUTOFF"  # the stop happened; only the answer was lost
    assert cloud.faults()[0]["id"] == fault["id"]
    assert cloud.faults()[0]["remaining"] == 0


def test_inject_fault_drop_before_leaves_the_server_running(cloud: EmulatorServer) -> None:
    token = cloud.token()
    cloud.set_timing("immediate")
    cloud.inject_fault(method="POST", path="*/action", action="drop_before")
    url = f"{cloud.compute_url}/v2/{cloud.project_id}/servers/{DOC_SERVER}"
    with pytest.raises(requests.ConnectionError):
        requests.post(
            f"{url}/action", json={"os-stop": None}, headers={"X-Auth-Token": token}, timeout=5
        )
    server = requests.get(url, headers={"X-Auth-Token": token}, timeout=5).json()["server"]
    assert server["status"] == "ACTIVE"
    cloud.clear_faults()
    assert cloud.faults() == []


def test_requests_log_and_clock(cloud: EmulatorServer) -> None:
    token = cloud.token()
    log = cloud.requests_log()
    assert [(e["method"], e["status"]) for e in log] == [("POST", 201)]
    assert token not in str(log)
    cloud.advance_clock(3 * 3600 + 1)
    expired = requests.get(
        f"{cloud.compute_url}/v2/{cloud.project_id}/servers",
        headers={"X-Auth-Token": token},
        timeout=5,
    )
    assert expired.status_code == 401
    cloud.clear_requests_log()
    assert cloud.requests_log() == []


def test_check_errors_reraises_an_exception_from_the_server_thread(
    cloud: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("snapshot exploded")

    monkeypatch.setattr(cloud.state.identity, "snapshot", broken)
    response = requests.get(f"{cloud.url}/_emulator/state", timeout=5)
    assert response.status_code == 500
    with pytest.raises(RuntimeError, match="snapshot exploded"):
        cloud.check_errors()
    cloud.check_errors()  # reported once, then cleared


def test_token_and_openstack_kwargs(cloud: EmulatorServer) -> None:
    token = cloud.token()
    listed = requests.get(
        f"{cloud.compute_url}/v2/{cloud.project_id}/servers",
        headers={"X-Auth-Token": token},
        timeout=5,
    )
    assert [s["id"] for s in listed.json()["servers"]] == [DOC_SERVER]
    assert cloud.openstack_kwargs["auth_url"] == cloud.auth_url
    assert cloud.openstack_kwargs["user_domain_name"] == "demo0001"
    assert cloud.openstack_kwargs["identity_api_version"] == "3"


def test_token_reports_a_refused_login(cloud: EmulatorServer) -> None:
    cloud.inject_fault(method="POST", path="/identity/v3/auth/tokens", status=503, times=1)
    with pytest.raises(RuntimeError, match="refused the demo login: 503"):
        cloud.token()


def test_host_must_be_an_ip_address() -> None:
    with pytest.raises(ValueError, match="host must be an IP address"):
        EmulatorServer(host="localhost")


def test_check_errors_mentions_further_errors(
    cloud: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def broken() -> dict[str, Any]:
        calls.append(1)
        raise RuntimeError(f"failure {len(calls)}")

    monkeypatch.setattr(cloud.state.identity, "snapshot", broken)
    for _ in range(2):
        assert requests.get(f"{cloud.url}/_emulator/state", timeout=5).status_code == 500
    with pytest.raises(RuntimeError, match="failure 1") as caught:
        cloud.check_errors()
    if sys.version_info >= (3, 11):
        assert caught.value.__notes__ == [
            "1 more unhandled error(s) in the emulator: RuntimeError('failure 2')"
        ]


def test_times_is_exact_under_concurrent_clients(cloud: EmulatorServer) -> None:
    cloud.inject_fault(method="GET", path="/identity/v3", status=503, times=25)

    def status(_: int) -> int:
        return requests.get(cloud.auth_url, timeout=10).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(status, range(80)))
    assert (codes.count(503), codes.count(200)) == (25, 55)
    assert len(cloud.requests_log()) == 80


def test_delay_fault_over_the_socket(cloud: EmulatorServer) -> None:
    slept: list[float] = []
    cloud.state.control.sleep = slept.append  # no wall-clock waiting in tests
    cloud.inject_fault(method="GET", path="/identity/*", action="delay", delay_seconds=2.5)
    assert requests.get(cloud.auth_url, timeout=10).status_code == 200
    assert slept == [2.5]
    assert cloud.requests_log()[-1]["fault"]["action"] == "delay"
