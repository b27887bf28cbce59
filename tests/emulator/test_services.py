"""The table of services (``emulator.services.SERVICES``) drives the app, the mock and the catalog.

Each test walks the table, so a service added there is checked here without a new test: its
prefix answers in the thread server, every host label answers in the in-process mock, and the
token's catalog lists it with the real hostname.
"""

from __future__ import annotations

import pytest
import requests

import emulator
from emulator.services import DEFAULT_SERVICE, SERVICES, service, service_of


@pytest.mark.parametrize("entry", SERVICES, ids=lambda entry: entry.name)
def test_every_host_label_is_answered_by_the_mock(entry: emulator.services.Service) -> None:
    with emulator.mock(region="jp-east-3") as cloud:
        for label in entry.host_labels:
            response = requests.get(
                f"https://{label}.jp-east-3.cloud.global.fujitsu.com/no-such-path", timeout=5
            )
            # Routed to the app (the service's own 404), not refused as an unmocked host.
            assert response.status_code == 404
            assert response.headers["x-openstack-request-id"].startswith("req-")
        assert cloud.mocked_prefixes  # the mock lists what it answers


def test_the_catalog_lists_every_catalogued_service_with_its_real_host() -> None:
    with emulator.mock(region="jp-east-3") as cloud:
        response = requests.post(f"{cloud.auth_url}/auth/tokens", json=cloud.auth_body(), timeout=5)
        assert response.status_code == 201
        catalog = response.json()["token"]["catalog"]
        state = cloud.state
    listed = {entry["type"]: entry for entry in catalog}
    expected = [entry for entry in SERVICES if entry.catalog is not None]
    assert [entry["type"] for entry in catalog] == [e.catalog.type for e in expected if e.catalog]
    for entry in expected:
        assert entry.catalog is not None
        url = (
            f"https://{entry.host_labels[0]}.jp-east-3.cloud.global.fujitsu.com"
            f"{entry.catalog.path(state.config, cloud.project_id)}"
        )
        assert listed[entry.catalog.type]["name"] == entry.catalog.name
        assert {e["url"] for e in listed[entry.catalog.type]["endpoints"]} == {url}


def test_compute_endpoint_path_follows_the_region() -> None:
    # fjcloud-o.md: region 3 serves compute under /v2.1 (microversions), the others under /v2.
    with emulator.mock(region="jp-east-1") as cloud:
        body = requests.post(
            f"{cloud.auth_url}/auth/tokens", json=cloud.auth_body(), timeout=5
        ).json()
    compute = next(e for e in body["token"]["catalog"] if e["type"] == "compute")
    assert compute["endpoints"][0]["url"] == (
        f"https://compute.jp-east-1.cloud.global.fujitsu.com/v2/{cloud.project_id}"
    )


def test_paths_map_to_their_service() -> None:
    for entry in SERVICES:
        assert service_of(entry.prefix) is entry
        assert service_of(f"{entry.prefix}/anything") is entry
        assert service_of(f"{entry.prefix}x/anything") is not entry
    assert service_of("/_emulator/health") is None
    assert service(DEFAULT_SERVICE).name == DEFAULT_SERVICE


def test_a_fault_rule_names_a_service_of_the_table() -> None:
    with emulator.mock() as cloud:
        with pytest.raises(emulator.ControlError, match=r"fault\.service: must be one of"):
            cloud.inject_fault(service="nowhere", status=503)
        for entry in SERVICES:
            rule = cloud.inject_fault(service=entry.name, status=503)
            assert rule["service"] == entry.name
