"""emulator.mock: the real FJcloud-O hostnames answered in-process through ``responses``."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

import emulator
from emulator.config import REGIONS
from emulator.mock import CloudMock

DOC_PROJECT = "790f1c092038413a8dd6771a033b17f5"
DOC_SERVER = "dbf93607-f105-4e86-842c-02ae504efe36"


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_every_region_catalog_points_at_the_real_hostnames(region: str) -> None:
    with emulator.mock(region=region) as cloud:
        assert cloud.auth_url == f"https://identity.{region}.cloud.global.fujitsu.com/v3"
        response = requests.post(f"{cloud.auth_url}/auth/tokens", json=cloud.auth_body(), timeout=5)
        assert response.status_code == 201
        catalog = {s["type"]: s["endpoints"] for s in response.json()["token"]["catalog"]}
        compute = {e["interface"]: e["url"] for e in catalog["compute"]}
        version = REGIONS[region]
        assert compute["public"] == (
            f"https://compute.{region}.cloud.global.fujitsu.com/{version}/{DOC_PROJECT}"
        )
        assert catalog["identity"][0]["url"].startswith(f"https://identity.{region}.")


def test_keystoneauth_session_stops_a_server_through_the_catalog() -> None:
    with emulator.mock(timing="immediate") as cloud:
        creds = cloud.credentials
        auth = v3.Password(
            auth_url=creds["OS_AUTH_URL"],
            username=creds["OS_USERNAME"],
            password=creds["OS_PASSWORD"],
            user_domain_name=creds["OS_USER_DOMAIN_NAME"],
            project_id=creds["OS_PROJECT_ID"],
        )
        sess = ks_session.Session(auth=auth)
        stop = sess.post(
            f"/servers/{DOC_SERVER}/action",
            json={"os-stop": None},
            endpoint_filter={"service_type": "compute", "interface": "public"},
        )
        assert stop.status_code == 202
        server = sess.get(
            f"/servers/{DOC_SERVER}", endpoint_filter={"service_type": "compute"}
        ).json()["server"]
        assert server["status"] == "SHUTOFF"
        assert server["links"][0]["href"].startswith(
            "https://compute.jp-east-1.cloud.global.fujitsu.com/"
        )


def test_other_hosts_fail_loudly_naming_what_is_mocked() -> None:
    with emulator.mock(region="jp-west-2"), pytest.raises(requests.ConnectionError) as caught:
        requests.get("https://compute.jp-east-1.cloud.global.fujitsu.com/v2/", timeout=5)
    message = str(caught.value)
    assert "https://compute.jp-east-1.cloud.global.fujitsu.com/v2/ is not mocked" in message
    assert "https://identity.jp-west-2.cloud.global.fujitsu.com" in message
    assert "https://compute.jp-west-2.cloud.global.fujitsu.com" in message


def test_passthrough_prefixes_reach_the_real_socket() -> None:
    # Loopback passes anyway (test_mock_composition.py); refuse it to see the prefix at work.
    with (
        emulator.EmulatorServer() as server,
        emulator.mock(passthrough=[server.url], loopback=False) as cloud,
    ):
        health = requests.get(f"{server.url}/_emulator/health", timeout=5)
        assert health.json()["status"] == "ok"
        assert requests.get(f"{cloud.auth_url}", timeout=5).status_code == 200
        with pytest.raises(requests.ConnectionError, match=r"passthrough prefixes \(http://127"):
            requests.get("http://127.0.0.2:9/", timeout=5)


def test_mock_stops_intercepting_after_the_block() -> None:
    with emulator.EmulatorServer() as server:
        with emulator.mock():
            pass
        assert requests.get(f"{server.url}/_emulator/health", timeout=5).status_code == 200


def test_drop_fault_raises_connection_error() -> None:
    with emulator.mock() as cloud:
        cloud.inject_fault(method="POST", path="/identity/*", action="drop_before")
        with pytest.raises(requests.ConnectionError, match="dropped by emulator fault"):
            requests.post(f"{cloud.auth_url}/auth/tokens", json=cloud.auth_body(), timeout=5)


def test_respond_fault_and_request_log() -> None:
    with emulator.mock() as cloud:
        cloud.inject_fault(method="GET", path="/compute/*", status=503, body={"x": 1}, times=1)
        response = requests.get(f"{cloud.compute_url}/v2/", timeout=5)
        assert (response.status_code, response.json()) == (503, {"x": 1})
        assert requests.get(f"{cloud.compute_url}/v2/", timeout=5).status_code == 200
        assert [e["path"] for e in cloud.requests_log()] == ["/compute/v2/", "/compute/v2/"]


def test_head_and_query_strings_pass_through() -> None:
    with emulator.mock() as cloud:
        token = requests.post(
            f"{cloud.auth_url}/auth/tokens?nocatalog", json=cloud.auth_body(), timeout=5
        )
        assert "catalog" not in token.json()["token"]
        subject = token.headers["X-Subject-Token"]
        head = requests.head(
            f"{cloud.auth_url}/auth/tokens",
            headers={"X-Auth-Token": subject, "X-Subject-Token": subject},
            timeout=5,
        )
        assert (head.status_code, head.content) == (200, b"")


cloud_for_decorator = emulator.mock(region="jp-east-3")


@cloud_for_decorator
def test_decorator_runs_the_test_inside_a_fresh_mock() -> None:
    assert cloud_for_decorator.running
    response = requests.get("https://compute.jp-east-3.cloud.global.fujitsu.com/v2.1/", timeout=5)
    assert response.json()["version"]["id"] == "v2.1"
    cloud_for_decorator.add_server(name="made-in-test")  # gone at the next decorated call


def test_state_resets_on_each_decorated_call() -> None:
    calls: list[int] = []

    @cloud_for_decorator
    def add_one() -> None:
        cloud_for_decorator.add_server(name="once")
        calls.append(len(cloud_for_decorator.snapshot()["compute"]["servers"]))

    add_one()
    add_one()
    assert calls[0] == calls[1]  # the server added by the first call did not survive
    assert not cloud_for_decorator.running


def test_mock_ignores_a_prefix_endpoint_style_in_config() -> None:
    cloud = CloudMock(endpoint_style="prefix")
    assert cloud.config.endpoint_style == "fjcloud-hosts"


def test_token_through_the_mock() -> None:
    with emulator.mock() as cloud:
        token = cloud.token()
        validated = requests.get(
            f"{cloud.auth_url}/auth/tokens",
            headers={"X-Auth-Token": token, "X-Subject-Token": token},
            timeout=5,
        )
        assert validated.json()["token"]["project"]["id"] == DOC_PROJECT


def test_drop_after_fault_loses_the_answer_but_not_the_effect() -> None:
    with emulator.mock() as cloud:
        cloud.inject_fault(method="POST", path="/identity/*", action="drop_after", times=1)
        with pytest.raises(requests.ConnectionError, match="after the request was handled"):
            requests.post(f"{cloud.auth_url}/auth/tokens", json=cloud.auth_body(), timeout=5)
        assert cloud.snapshot()["identity"]["active_tokens"] == 1


@cloud_for_decorator
def test_decorated_test_still_receives_fixtures(tmp_path: Path) -> None:
    assert tmp_path.is_dir()
    assert cloud_for_decorator.running
