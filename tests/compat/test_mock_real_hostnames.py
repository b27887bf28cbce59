"""Production-style code with FJcloud-O's real URLs hard-coded runs unchanged under ``emulator.mock``.

The automation below knows nothing of the emulator: it connects openstacksdk to the real identity
hostname and stops a server. The mock is applied as a decorator, as a user would.
"""

from __future__ import annotations

from typing import Any

import openstack
import pytest
from keystoneauth1 import exceptions as ks_exceptions

import emulator
from tests.compat.helpers import POLL_INTERVAL, POLL_WAIT, REGION_CATALOGS, SDK_OWN_WARNINGS

pytestmark = SDK_OWN_WARNINGS

PROJECT_ID = "790f1c092038413a8dd6771a033b17f5"
SERVER_ID = "dbf93607-f105-4e86-842c-02ae504efe36"


def stop_server_like_production(region: str, server_id: str) -> dict[str, Any]:
    """What a customer's automation does: real auth URL, stop, wait for SHUTOFF."""
    connection = openstack.connect(
        auth_url=f"https://identity.{region}.cloud.global.fujitsu.com/v3",
        region_name=region,
        username="demo-user",
        password="demo-password",
        user_domain_name="demo0001",
        project_id=PROJECT_ID,
        load_envvars=False,
        load_yaml_config=False,
    )
    try:
        connection.compute.stop_server(server_id)
        server = connection.compute.wait_for_server(
            connection.compute.get_server(server_id),
            status="SHUTOFF",
            interval=POLL_INTERVAL,
            wait=POLL_WAIT,
        )
        return {
            "status": server.status,
            "endpoint": connection.endpoint_for("compute"),
            "self_link": next(link["href"] for link in server.links if link["rel"] == "self"),
        }
    finally:
        connection.close()


@pytest.mark.parametrize("region", list(REGION_CATALOGS))
def test_decorated_automation_with_real_urls_stops_the_server(region: str) -> None:
    mocked = emulator.mock(region=region, timing="immediate")
    result = mocked(stop_server_like_production)(region, SERVER_ID)

    compute_base = f"https://compute.{region}.cloud.global.fujitsu.com"
    version = REGION_CATALOGS[region]
    project_id = PROJECT_ID
    assert result == {
        "status": "SHUTOFF",
        "endpoint": f"{compute_base}/{version}/{project_id}",
        # Nova's links point at the host the request came to (nova/api/openstack/common.py).
        "self_link": f"{compute_base}/{version}/{project_id}/servers/{SERVER_ID}",
    }
    actions = [e for e in mocked.requests_log() if e["method"] == "POST" and "action" in e["path"]]
    assert [(e["request_body"], e["status"]) for e in actions] == [({"os-stop": None}, 202)]
    mocked.check_errors()


def test_another_regions_host_fails_loudly_through_the_sdk() -> None:
    with emulator.mock(region="jp-west-3") as mocked:
        # keystoneauth turns the mock's ConnectionError into ConnectFailure, message kept.
        with pytest.raises(ks_exceptions.ConnectFailure) as caught:
            stop_server_like_production("jp-east-1", SERVER_ID)
        assert mocked.requests_log() == []
    message = str(caught.value)
    assert "https://identity.jp-east-1.cloud.global.fujitsu.com/v3" in message
    assert "is not mocked" in message
    assert "https://identity.jp-west-3.cloud.global.fujitsu.com" in message
