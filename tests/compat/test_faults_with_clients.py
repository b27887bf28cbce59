"""Injected faults as real clients meet them: keystoneauth's retries on 503 and lost connections.

A keystoneauth ``Adapter`` with ``status_code_retries`` / ``connect_retries`` is how openstacksdk
and novaclient retry. The last test shows why retrying a POST is not free: when the *answer* is
lost (``drop_after``), the retried ``os-start`` meets Nova's 409 because the first one worked.
"""

from __future__ import annotations

import pytest
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exceptions

from emulator.handle import ControlMethods
from tests.compat.helpers import keystone_session

RETRY_DELAY = 0.01


def retrying_compute(cloud: ControlMethods) -> ks_adapter.Adapter:
    """A compute adapter that retries once on 503 and once on a lost connection."""
    return ks_adapter.Adapter(
        session=keystone_session(cloud),
        service_type="compute",
        interface="public",
        region_name=cloud.region,
        status_code_retries=1,
        status_code_retry_delay=RETRY_DELAY,
        connect_retries=1,
        connect_retry_delay=RETRY_DELAY,
    )


def action_log(cloud: ControlMethods, path: str) -> list[tuple[int | None, str | None, bool]]:
    """(status, fault action, dropped) of each logged request to ``path``."""
    return [
        (entry["status"], (entry["fault"] or {}).get("action"), entry["dropped"])
        for entry in cloud.requests_log()
        if entry["path"].endswith(path)
    ]


def test_503_once_is_retried_by_keystoneauth(cloud: ControlMethods) -> None:
    server_path = f"/servers/{cloud.server_ids[0]}"
    cloud.inject_fault(
        method="GET",
        path=f"*{server_path}",
        action="respond",
        status=503,
        body={"computeFault": {"code": 503, "message": "Service temporarily unavailable"}},
        times=1,
    )

    response = retrying_compute(cloud).get(server_path)

    assert response.status_code == 200
    assert response.json()["server"]["status"] == "ACTIVE"
    assert action_log(cloud, server_path) == [(503, "respond", False), (200, None, False)]


def test_503_without_retries_surfaces_novas_fault_body(cloud: ControlMethods) -> None:
    server_path = f"/servers/{cloud.server_ids[0]}"
    fault_body = {"computeFault": {"code": 503, "message": "Service temporarily unavailable"}}
    cloud.inject_fault(method="GET", path=f"*{server_path}", status=503, body=fault_body, times=1)
    plain = ks_adapter.Adapter(
        session=keystone_session(cloud),
        service_type="compute",
        interface="public",
        region_name=cloud.region,
    )

    with pytest.raises(ks_exceptions.ServiceUnavailable) as caught:
        plain.get(server_path)
    assert caught.value.http_status == 503
    assert caught.value.response is not None
    assert caught.value.response.json() == fault_body


def test_connection_lost_before_the_stop_is_retried_and_stops_once(cloud: ControlMethods) -> None:
    action_path = f"/servers/{cloud.server_ids[0]}/action"
    cloud.inject_fault(method="POST", path=f"*{action_path}", action="drop_before", times=1)

    response = retrying_compute(cloud).post(action_path, json={"os-stop": None})

    assert response.status_code == 202
    assert action_log(cloud, action_path) == [(None, "drop_before", True), (202, None, False)]
    stops = [h for h in cloud.server_history(cloud.server_ids[0]) if h["status"] == "SHUTOFF"]
    assert len(stops) == 1


def test_answer_lost_after_the_stop_makes_the_retry_meet_novas_409(
    cloud: ControlMethods,
) -> None:
    server_id = cloud.server_ids[0]
    action_path = f"/servers/{server_id}/action"
    cloud.inject_fault(method="POST", path=f"*{action_path}", action="drop_after", times=1)

    with pytest.raises(ks_exceptions.Conflict) as caught:
        retrying_compute(cloud).post(action_path, json={"os-stop": None})

    # The first os-stop took effect (immediate timing) before its answer was lost.
    assert action_log(cloud, action_path) == [(202, "drop_after", True), (409, None, False)]
    # keystoneauth does not parse Nova's fault format; the body is Nova's
    # (nova/api/openstack/common.py raise_http_conflict_for_instance_invalid_state).
    assert caught.value.response is not None
    assert caught.value.response.json() == {
        "conflictingRequest": {
            "code": 409,
            "message": f"Cannot 'stop' instance {server_id} while it is in vm_state stopped",
        }
    }
