"""python-novaclient on a keystoneauth1 session: servers.list/get/stop/start and its exceptions.

The client version follows the catalog: ``"2"`` for a ``/v2`` endpoint (legacy, no
microversions), ``"2.1"`` and a negotiated microversion for ``/v2.1``.
"""

from __future__ import annotations

import pytest
from novaclient import api_versions  # type: ignore[import-untyped]
from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions
from novaclient.v2.client import Client as NovaClient  # type: ignore[import-untyped]

from emulator.handle import ControlMethods
from tests.compat.helpers import (
    MAX_MICROVERSION,
    SERVER_NAME,
    compute_requests,
    compute_version,
    keystone_session,
)


def nova_for(cloud: ControlMethods, version: str | None = None) -> NovaClient:
    """A novaclient for the cloud's catalog form (``"2"`` on /v2, ``"2.1"`` on /v2.1)."""
    if version is None:
        version = "2" if compute_version(cloud) == "v2" else "2.1"
    client: NovaClient = nova_client.Client(
        version, session=keystone_session(cloud), region_name=cloud.region
    )
    return client


def test_list_get_stop_start(cloud: ControlMethods) -> None:
    nova = nova_for(cloud)
    server_id = cloud.server_ids[0]

    assert [(s.id, s.name) for s in nova.servers.list()] == [(server_id, SERVER_NAME)]
    assert nova.servers.find(name=SERVER_NAME).id == server_id
    server = nova.servers.get(server_id)
    assert (server.status, getattr(server, "OS-EXT-STS:power_state")) == ("ACTIVE", 1)

    stop_response = nova.servers.stop(server)
    stopped = nova.servers.get(server_id)
    assert (stopped.status, getattr(stopped, "OS-EXT-STS:vm_state")) == ("SHUTOFF", "stopped")
    nova.servers.start(server)
    assert nova.servers.get(server_id).status == "ACTIVE"

    # novaclient reports Nova's request id of each call (x-openstack-request-id).
    stop_entry = next(e for e in compute_requests(cloud) if e["method"] == "POST")
    assert stop_entry["status"] == 202
    assert stop_response.request_ids == [stop_entry["response_headers"]["x-openstack-request-id"]]


def test_microversion_header_on_v21_only(cloud: ControlMethods) -> None:
    if compute_version(cloud) == "v2":
        nova = nova_for(cloud)
        nova.servers.get(cloud.server_ids[0])
        fetch = compute_requests(cloud)[-1]
        assert "X-OpenStack-Nova-API-Version" not in fetch["response_headers"]
        return
    # Negotiate like the nova CLI does: the server's max from GET /v2.1/ (version document).
    nova = nova_for(cloud, "2.1")
    negotiated = api_versions.discover_version(nova, api_versions.APIVersion("2.latest"))
    assert negotiated.get_string() == MAX_MICROVERSION
    nova = nova_for(cloud, negotiated.get_string())
    server = nova.servers.get(cloud.server_ids[0])
    fetch = compute_requests(cloud)[-1]
    assert fetch["request_headers"]["X-OpenStack-Nova-API-Version"] == MAX_MICROVERSION
    assert fetch["response_headers"]["X-OpenStack-Nova-API-Version"] == MAX_MICROVERSION
    # 2.47+ embeds the flavor instead of linking it (nova/api/openstack/compute/views/servers.py).
    assert "original_name" in server.flavor


def test_not_found_and_conflict_exceptions_carry_novas_message(cloud: ControlMethods) -> None:
    nova = nova_for(cloud)
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(nova_exceptions.NotFound) as not_found:
        nova.servers.get(missing)
    assert not_found.value.code == 404
    assert not_found.value.message == f"Instance {missing} could not be found."
    assert not_found.value.request_id.startswith("req-")

    server_id = cloud.server_ids[0]
    with pytest.raises(nova_exceptions.Conflict) as conflict:
        nova.servers.start(server_id)
    assert conflict.value.code == 409
    # nova/api/openstack/common.py raise_http_conflict_for_instance_invalid_state
    assert conflict.value.message == (
        f"Cannot 'start' instance {server_id} while it is in vm_state active"
    )
