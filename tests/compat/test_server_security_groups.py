"""openstacksdk expands a server's security groups with ``GET servers/{id}/os-security-groups``.

openstack/compute/v2/server.py ``Server.fetch_security_groups`` (used by the proxy's
``fetch_server_security_groups`` and the cloud layer's ``list_server_security_groups``, which
automation tools' server-info modules call) raises on anything but a 2xx, so a missing route
broke every such expansion on both catalogs.
"""

from __future__ import annotations

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

from emulator.handle import ControlMethods
from tests.compat.helpers import SDK_OWN_WARNINGS

pytestmark = SDK_OWN_WARNINGS


def test_the_sdk_fetches_a_servers_security_groups(
    cloud: ControlMethods, sdk: openstack.connection.Connection
) -> None:
    server = sdk.compute.get_server(cloud.server_ids[0])
    fetched = sdk.compute.fetch_server_security_groups(server)
    assert [(g["name"], g["tenant_id"], g["rules"]) for g in fetched.security_groups] == [
        ("service_secgroup", cloud.project_id, [])
    ]
    listed = sdk.list_server_security_groups(cloud.server_ids[0])
    assert [g["name"] for g in listed] == ["service_secgroup"]


def test_an_unknown_server_is_not_found(
    cloud: ControlMethods, sdk: openstack.connection.Connection
) -> None:
    server = sdk.compute.get_server(cloud.server_ids[0])
    server.id = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(sdk_exceptions.NotFoundException, match="could not be found"):
        sdk.compute.fetch_server_security_groups(server)
