"""Issue 12, problem 6: the in-process mock composes with loopback servers, other mocks and
``responses`` mocks of the user's, in every start/stop order, and leaves no patch behind.

Before: loopback was blocked (pytest-httpserver broke; ``passthrough=["http://127.0.0.1"]`` did not
cover ``localhost``), one mock answered one region, a nested mock shadowed the outer one, a
user's ``responses.RequestsMock()`` shadowed the emulator, and stopping two mocks out of order
sent the inner one's traffic to real DNS and left ``HTTPAdapter.send`` patched.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests
import responses
from requests.adapters import HTTPAdapter

import emulator
from emulator import EmulatorServer
from emulator.mock import CloudMock

UNPATCHED = HTTPAdapter.send


def identity_region(cloud: CloudMock, region: str) -> int:
    """GET the identity root of ``region``'s real host (answered by the mock, or not)."""
    url = f"https://identity.{region}.cloud.global.fujitsu.com/v3"
    return requests.get(url, timeout=5).status_code


def catalog_regions(auth_url: str, cloud: CloudMock) -> set[str]:
    response = requests.post(f"{auth_url}/auth/tokens", json=cloud.auth_body(), timeout=5)
    assert response.status_code == 201, response.text
    return {
        endpoint["region"]
        for service in response.json()["token"]["catalog"]
        for endpoint in service["endpoints"]
    }


@pytest.fixture(scope="module")
def loopback_server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


@pytest.fixture(autouse=True)
def no_patch_left_behind() -> Iterator[None]:
    yield
    assert HTTPAdapter.send is UNPATCHED


def test_loopback_passes_through_by_default(loopback_server: EmulatorServer) -> None:
    health = "/_emulator/health"
    with emulator.mock():
        assert requests.get(loopback_server.url + health, timeout=5).status_code == 200
        localhost = f"http://localhost:{loopback_server.port}{health}"
        assert requests.get(localhost, timeout=5).status_code == 200
        with pytest.raises(requests.ConnectionError, match="is not mocked"):
            requests.get("https://example.com/", timeout=5)


def test_ipv6_loopback_passes_through() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        server = EmulatorServer(host="::1").start()
    except OSError as exc:
        pytest.skip(f"cannot bind ::1: {exc}")
    try:
        with emulator.mock():
            assert requests.get(server.url + "/_emulator/health", timeout=5).status_code == 200
    finally:
        server.stop()


def test_loopback_can_be_refused() -> None:
    with (
        emulator.mock(loopback=False),
        pytest.raises(requests.ConnectionError, match="is not mocked"),
    ):
        requests.get("http://127.0.0.1:9/", timeout=5)


def test_one_mock_answers_several_regions_each_with_its_own_catalog() -> None:
    with emulator.mock(region="jp-east-1", regions=["uk-1", "jp-west-3"]) as cloud:
        for region in ("jp-east-1", "uk-1", "jp-west-3"):
            auth_url = f"https://identity.{region}.cloud.global.fujitsu.com/v3"
            assert catalog_regions(auth_url, cloud) == {region}
        with pytest.raises(requests.ConnectionError, match="is not mocked"):
            identity_region(cloud, "fi-1")
        uk = cloud.in_region("uk-1")
        uk.add_server(name="only-in-uk")
        names = [s["name"] for s in uk.snapshot()["compute"]["servers"]]
        assert "only-in-uk" in names
        assert "only-in-uk" not in [s["name"] for s in cloud.snapshot()["compute"]["servers"]]
        cloud.reset()  # every region back to the seed
        assert "only-in-uk" not in [s["name"] for s in uk.snapshot()["compute"]["servers"]]


def test_one_mock_answers_all_regions() -> None:
    with emulator.mock(regions="all") as cloud:
        for region in ("jp-east-2", "de-1", "jp-west-3"):
            assert identity_region(cloud, region) == 200


def test_nested_mocks_compose_and_the_inner_one_wins_for_its_region() -> None:
    with emulator.mock(region="jp-east-1") as outer:
        with emulator.mock(region="uk-1") as inner:
            assert identity_region(outer, "jp-east-1") == 200
            assert identity_region(inner, "uk-1") == 200
        with emulator.mock(region="jp-east-1") as same:
            same.inject_fault(method="GET", path="/identity/v3", status=503)
            assert identity_region(same, "jp-east-1") == 503
        assert identity_region(outer, "jp-east-1") == 200  # the outer one answers again
        with pytest.raises(requests.ConnectionError, match="is not mocked"):
            identity_region(outer, "uk-1")


def test_stopping_out_of_order_keeps_the_other_mock_and_leaves_no_patch() -> None:
    first = emulator.mock(region="jp-east-1").start()
    second = emulator.mock(region="uk-1").start()
    first.stop()
    assert identity_region(second, "uk-1") == 200  # not sent to real DNS
    with pytest.raises(requests.ConnectionError, match="is not mocked"):
        identity_region(second, "jp-east-1")
    second.stop()
    second.stop()  # twice is fine


def test_a_users_responses_mock_started_first_keeps_its_urls() -> None:
    with responses.RequestsMock() as theirs:
        theirs.add(responses.GET, "https://api.example.com/ping", json={"pong": True})
        with emulator.mock() as cloud:
            assert requests.get("https://api.example.com/ping", timeout=5).json() == {"pong": True}
            assert identity_region(cloud, "jp-east-1") == 200


def test_a_users_responses_mock_started_later_gets_the_emulator_with_add_to() -> None:
    with emulator.mock() as cloud, responses.RequestsMock() as theirs:
        theirs.add(responses.GET, "https://api.example.com/ping", json={"pong": True})
        cloud.add_to(theirs)
        assert requests.get("https://api.example.com/ping", timeout=5).json() == {"pong": True}
        assert identity_region(cloud, "jp-east-1") == 200


def test_the_emulator_added_to_a_users_mock_alone(loopback_server: EmulatorServer) -> None:
    cloud = emulator.mock()
    with responses.RequestsMock() as theirs:
        cloud.add_to(theirs)
        assert identity_region(cloud, "jp-east-1") == 200


def test_a_users_mock_stopped_after_ours_out_of_order_leaves_no_patch(
    loopback_server: EmulatorServer,
) -> None:
    cloud = emulator.mock().start()
    theirs = responses.RequestsMock(assert_all_requests_are_fired=False)
    theirs.add_passthru("http://127.0.0.1")
    theirs.start()
    theirs.add(responses.GET, "https://api.example.com/ping", json={"pong": True})
    cloud.stop()  # while theirs, started later, is still on top
    assert requests.get("https://api.example.com/ping", timeout=5).json() == {"pong": True}
    theirs.stop()
    # Ours was beneath theirs; the first request after that steps it out of the way.
    assert requests.get(loopback_server.url + "/_emulator/health", timeout=5).status_code == 200
