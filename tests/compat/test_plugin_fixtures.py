"""The pytest plugin's fixtures (``pytest11`` entry point) driving real clients, as a user would.

The ``fjcloud_*`` fixtures come from the installed package, not from a conftest (ours only adds
``isolated_os_environment``). Timing is the plugin's default (fast ``seconds``), so
``wait_for_server`` really polls.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openstack
import pytest

from emulator.mock import CloudMock
from emulator.server import EmulatorServer
from tests.compat.helpers import POLL_INTERVAL, POLL_WAIT, SDK_OWN_WARNINGS

pytestmark = SDK_OWN_WARNINGS


@pytest.mark.fjcloud_servers({"name": "web-1"}, {"name": "db-1", "status": "SHUTOFF"})
def test_fjcloud_emulator_with_os_environment_and_marked_servers(
    fjcloud_emulator: EmulatorServer,
    fjcloud_credentials: dict[str, str],
    isolated_os_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in fjcloud_credentials.items():
        monkeypatch.setenv(name, value)
    connection = openstack.connect()
    try:
        names = sorted(server.name for server in connection.compute.servers())
        assert names == ["Win2012R2SE", "db-1", "web-1"]
        web = connection.compute.find_server("web-1", ignore_missing=False)
        assert web is not None
        connection.compute.stop_server(web)
        stopped = connection.compute.wait_for_server(
            web, status="SHUTOFF", interval=POLL_INTERVAL, wait=POLL_WAIT
        )
        assert stopped.power_state == 4
    finally:
        connection.close()
    assert fjcloud_credentials["OS_AUTH_URL"] == fjcloud_emulator.auth_url


def test_fjcloud_mock_with_server_factory_and_credentials(
    fjcloud_mock: CloudMock,
    fjcloud_credentials: dict[str, str],
    fjcloud_server_factory: Callable[..., dict[str, Any]],
) -> None:
    created = fjcloud_server_factory(name="batch-7", status="SHUTOFF")
    assert fjcloud_credentials["OS_AUTH_URL"] == (
        "https://identity.jp-east-1.cloud.global.fujitsu.com/v3"
    )
    connection = openstack.connect(
        auth_url=fjcloud_credentials["OS_AUTH_URL"],
        username=fjcloud_credentials["OS_USERNAME"],
        password=fjcloud_credentials["OS_PASSWORD"],
        user_domain_name=fjcloud_credentials["OS_USER_DOMAIN_NAME"],
        project_id=fjcloud_credentials["OS_PROJECT_ID"],
        region_name=fjcloud_credentials["OS_REGION_NAME"],
        load_envvars=False,
        load_yaml_config=False,
    )
    try:
        connection.compute.start_server(created["id"])
        started = connection.compute.wait_for_server(
            connection.compute.get_server(created["id"]),
            status="ACTIVE",
            interval=POLL_INTERVAL,
            wait=POLL_WAIT,
        )
    finally:
        connection.close()
    assert (started.name, started.power_state) == ("batch-7", 1)
    assert [h["status"] for h in fjcloud_mock.server_history(created["id"])] == [
        "SHUTOFF",
        "SHUTOFF",
        "ACTIVE",
    ]
