"""openstacksdk against the emulator (thread server and in-process mock, /v2 and /v2.1 catalogs).

The calls are the ones an automation would make: connect with the ``OS_*`` values, read a server
by id, by name and in a list, stop it and wait for SHUTOFF, start it and wait for ACTIVE, and map
Nova's faults to openstacksdk's exceptions (openstack/exceptions.py ``raise_from_response``).
"""

from __future__ import annotations

import threading
from pathlib import Path

import openstack
import pytest
from keystoneauth1 import exceptions as ks_exceptions
from openstack import exceptions as sdk_exceptions

from emulator.handle import ControlMethods
from tests.compat.helpers import (
    MAX_MICROVERSION,
    POLL_INTERVAL,
    POLL_WAIT,
    SDK_OWN_WARNINGS,
    SERVER_NAME,
    compute_endpoint,
    compute_requests,
    compute_version,
    sdk_connect,
)

pytestmark = SDK_OWN_WARNINGS

Connection = openstack.connection.Connection


def test_get_find_and_list_the_seed_server(cloud: ControlMethods, sdk: Connection) -> None:
    server_id = cloud.server_ids[0]

    server = sdk.compute.get_server(server_id)
    assert (server.id, server.name, server.status) == (server_id, SERVER_NAME, "ACTIVE")
    assert (server.vm_state, server.task_state, server.power_state) == ("active", None, 1)
    assert server.project_id == cloud.project_id
    assert server.addresses["service_net"][0]["addr"] == "172.16.31.108"
    assert server.flavor is not None
    assert server.availability_zone == f"{cloud.region}a"  # jp-east-1a, jp-east-3a
    assert sdk.endpoint_for("compute") == compute_endpoint(cloud)

    # find_server by name: GET servers/<name> is 404, then the SDK lists with ?name=
    # (openstack/resource.py Resource.find).
    found = sdk.compute.find_server(SERVER_NAME, ignore_missing=False)
    assert found is not None
    assert found.id == server_id
    assert [s.id for s in sdk.compute.servers()] == [server_id]
    assert [s.name for s in sdk.compute.servers(details=False)] == [SERVER_NAME]


def test_cloud_layer_and_list_filters(cloud: ControlMethods, sdk: Connection) -> None:
    """The shade-style cloud layer (``conn.get_server``) and Nova's list filters."""
    server_id = cloud.server_ids[0]
    assert [s.id for s in sdk.list_servers()] == [server_id]
    by_name = sdk.get_server(SERVER_NAME)
    assert by_name is not None
    assert (by_name.id, by_name.status) == (server_id, "ACTIVE")

    # Nova matches ?name= as a regular expression (nova/compute/api.py _get_instances_by_filters).
    assert [s.id for s in sdk.compute.servers(name="^Win2012")] == [server_id]
    assert list(sdk.compute.servers(name="^Linux")) == []
    assert list(sdk.compute.servers(status="SHUTOFF")) == []
    assert [s.id for s in sdk.compute.servers(status="ACTIVE")] == [server_id]


def test_microversion_negotiated_on_v21_and_absent_on_v2(
    cloud: ControlMethods, sdk: Connection
) -> None:
    sdk.compute.get_server(cloud.server_ids[0])

    fetch = next(e for e in compute_requests(cloud) if e["path"].endswith(cloud.server_ids[0]))
    if compute_version(cloud) == "v2.1":
        # The SDK reads the version document's max (2.60) and asks for min(its max, 2.60);
        # Nova echoes it (nova/api/openstack/wsgi.py).
        expected = f"compute {MAX_MICROVERSION}"
        assert fetch["request_headers"]["OpenStack-API-Version"] == expected
        assert fetch["response_headers"]["OpenStack-API-Version"] == expected
    else:
        # /v2 is legacy mode: no microversion headers in either direction.
        assert "OpenStack-API-Version" not in fetch["response_headers"]


def test_connect_from_os_environment_variables(
    cloud: ControlMethods, isolated_os_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in cloud.credentials.items():
        monkeypatch.setenv(name, value)
    connection = openstack.connect()
    try:
        assert connection.compute.get_server(cloud.server_ids[0]).name == SERVER_NAME
        assert connection.current_project_id == cloud.project_id
    finally:
        connection.close()


def test_stop_wait_shutoff_then_start_wait_active(cloud: ControlMethods, sdk: Connection) -> None:
    cloud.set_timing("manual")
    server = sdk.compute.get_server(cloud.server_ids[0])

    sdk.compute.stop_server(server)
    # Nova: os-stop returns 202 with the task set and the status still ACTIVE.
    stopping = sdk.compute.get_server(server.id)
    assert (stopping.status, stopping.task_state) == ("ACTIVE", "powering-off")
    cloud.advance(server.id)
    stopped = sdk.compute.wait_for_server(
        server, status="SHUTOFF", interval=POLL_INTERVAL, wait=POLL_WAIT
    )
    assert (stopped.vm_state, stopped.task_state, stopped.power_state) == ("stopped", None, 4)

    sdk.compute.start_server(server)
    starting = sdk.compute.get_server(server.id)
    assert (starting.status, starting.task_state) == ("SHUTOFF", "powering-on")
    cloud.advance(server.id)
    started = sdk.compute.wait_for_server(
        server, status="ACTIVE", interval=POLL_INTERVAL, wait=POLL_WAIT
    )
    assert (started.vm_state, started.task_state, started.power_state) == ("active", None, 1)


def test_wait_for_server_keeps_polling_while_powering_off(
    cloud: ControlMethods, sdk: Connection
) -> None:
    """wait_for_server must loop over the powering-off reads; the stop completes after 3 polls."""
    cloud.set_timing("manual")
    server_id = cloud.server_ids[0]
    server_path = f"/servers/{server_id}"
    sdk.compute.stop_server(server_id)
    finished = threading.Event()

    def advance_after_three_polls() -> None:
        # Deterministic: count the SDK's GETs in the request log instead of sleeping.
        while not finished.wait(0.005):
            polls = [
                e
                for e in compute_requests(cloud)
                if e["method"] == "GET" and e["path"].endswith(server_path)
            ]
            if len(polls) >= 3:
                cloud.advance(server_id)
                return

    helper = threading.Thread(target=advance_after_three_polls, daemon=True)
    helper.start()
    try:
        stopped = sdk.compute.wait_for_server(
            sdk.compute.get_server(server_id),
            status="SHUTOFF",
            interval=POLL_INTERVAL,
            wait=POLL_WAIT,
        )
    finally:
        finished.set()
        helper.join(timeout=5)
    assert stopped.status == "SHUTOFF"
    statuses = [
        e["response_body"]["server"]["status"]
        for e in compute_requests(cloud)
        if e["method"] == "GET" and e["path"].endswith(server_path)
    ]
    assert statuses[:3] == ["ACTIVE", "ACTIVE", "ACTIVE"]
    assert statuses[-1] == "SHUTOFF"


def test_unknown_server_maps_to_not_found(cloud: ControlMethods, sdk: Connection) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(sdk_exceptions.NotFoundException) as caught:
        sdk.compute.get_server(missing)
    # ResourceNotFound is the SDK's alias of NotFoundException (openstack/exceptions.py).
    assert isinstance(caught.value, sdk_exceptions.ResourceNotFound)
    assert caught.value.status_code == 404
    # Nova: nova/exception.py InstanceNotFound "Instance %(instance_id)s could not be found."
    assert caught.value.details == f"Instance {missing} could not be found."
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith("req-")

    assert sdk.compute.find_server("no-such-server") is None
    with pytest.raises(sdk_exceptions.ResourceNotFound):
        sdk.compute.find_server("no-such-server", ignore_missing=False)


def test_invalid_state_and_lock_map_to_conflict_with_novas_message(
    cloud: ControlMethods, sdk: Connection
) -> None:
    server_id = cloud.server_ids[0]
    # nova/api/openstack/common.py raise_http_conflict_for_instance_invalid_state
    with pytest.raises(sdk_exceptions.ConflictException) as caught:
        sdk.compute.start_server(server_id)
    message = f"Cannot 'start' instance {server_id} while it is in vm_state active"
    assert caught.value.status_code == 409
    assert caught.value.details == message
    assert message in str(caught.value)

    cloud.set_server_state(server_id, "SHUTOFF")
    with pytest.raises(sdk_exceptions.ConflictException) as caught:
        sdk.compute.stop_server(server_id)
    assert caught.value.details == (
        f"Cannot 'stop' instance {server_id} while it is in vm_state stopped"
    )

    # nova/exception.py InstanceIsLocked "Instance %(instance_uuid)s is locked"
    locked = cloud.add_server(name="locked-one", status="ACTIVE", locked=True)
    with pytest.raises(sdk_exceptions.ConflictException) as caught:
        sdk.compute.stop_server(locked["id"])
    assert caught.value.details == f"Instance {locked['id']} is locked"


def test_calls_survive_token_expiry_by_reauthenticating(
    cloud: ControlMethods, sdk: Connection
) -> None:
    server_id = cloud.server_ids[0]
    sdk.compute.get_server(server_id)
    # Past the 3 h lifetime on the emulator's clock; the SDK still believes its token is valid,
    # gets a 401 and keystoneauth re-authenticates once (keystoneauth1/session.py allow_reauth).
    cloud.advance_clock(3 * 3600 + 60)
    assert sdk.compute.get_server(server_id).status == "ACTIVE"

    log = cloud.requests_log()
    token_issues = [
        e for e in log if e["method"] == "POST" and e["path"] == "/identity/v3/auth/tokens"
    ]
    assert [e["status"] for e in token_issues] == [201, 201]
    assert [e["status"] for e in log if e["path"].endswith(server_id)] == [200, 401, 200]


def test_wait_for_server_raises_resource_failure_on_error(
    cloud: ControlMethods, sdk: Connection
) -> None:
    server_id = cloud.server_ids[0]
    cloud.set_server_state(server_id, "ERROR")
    # openstack/resource.py wait_for_status: a status in `failures` (default ["ERROR"]) raises.
    with pytest.raises(sdk_exceptions.ResourceFailure) as caught:
        sdk.compute.wait_for_server(
            sdk.compute.get_server(server_id),
            status="SHUTOFF",
            interval=POLL_INTERVAL,
            wait=POLL_WAIT,
        )
    assert "transitioned to failure state ERROR" in str(caught.value)


def test_wrong_password_raises_keystoneauth_unauthorized(cloud: ControlMethods) -> None:
    connection = sdk_connect(cloud, password="not-the-password")
    try:
        # The SDK lets keystoneauth's exception through (openstack/connection.py authorize).
        with pytest.raises(ks_exceptions.Unauthorized) as caught:
            connection.compute.get_server(cloud.server_ids[0])
    finally:
        connection.close()
    assert caught.value.http_status == 401
    assert "The request you have made requires authentication." in str(caught.value)
    assert compute_requests(cloud) == []
