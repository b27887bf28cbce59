"""POST servers/{id}/action: os-stop, os-start, reboot and every refusal (status AND body).

Sources: nova/api/openstack/compute/servers.py (_stop_server, _start_server, _action_reboot),
nova/api/openstack/wsgi.py (body, content type, project id), nova/compute/api.py (state checks),
nova/exception.py (messages), shared/reference/openstack-semantics.md "Nova: stop and show".
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from tests.emulator.compute.conftest import (
    OTHER_PROJECT_ID,
    PROJECT_ID,
    SERVER_ID,
    STOP,
    Api,
    action_url,
    fault,
    issue_token,
    server_url,
    state_of,
)

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("api_path", ["v2", "v2.1"])
def test_stop_answers_202_with_an_empty_body_then_shutoff(api: Api, api_path: str) -> None:
    """openstack-semantics.md row 1: 202, empty body; then SHUTOFF / stopped / power_state 4."""
    response = api.stop(api_path)
    assert response.status_code == 202
    assert response.data == b""
    server = api.server(api_path)
    assert (server["status"], server["OS-EXT-STS:vm_state"]) == ("SHUTOFF", "stopped")
    assert (server["OS-EXT-STS:power_state"], server["OS-EXT-STS:task_state"]) == (4, None)


def test_stop_keeps_status_active_while_powering_off(manual_api: Api, manual_app: Flask) -> None:
    """The API sets task_state powering-off and keeps vm_state active (status ACTIVE)."""
    before = manual_api.server()["updated"]
    state_of(manual_app).clock.advance(5)
    assert manual_api.stop().status_code == 202
    server = manual_api.server()
    assert server["status"] == "ACTIVE"
    assert server["OS-EXT-STS:task_state"] == "powering-off"
    assert server["OS-EXT-STS:vm_state"] == "active"
    assert server["OS-EXT-STS:power_state"] == 1
    assert server["updated"] != before
    state_of(manual_app).compute.advance(SERVER_ID)
    assert manual_api.server()["status"] == "SHUTOFF"


def test_seconds_timing_completes_when_the_emulator_clock_has_moved() -> None:
    """timing 'seconds: 5': checked lazily on read against state.clock, no timer threads."""
    app = create_app({"timing": 5.0})
    client = app.test_client()
    api = Api(client, issue_token(client))
    assert api.stop().status_code == 202
    assert api.server()["OS-EXT-STS:task_state"] == "powering-off"
    state_of(app).clock.advance(4.5)
    assert api.server()["status"] == "ACTIVE"
    state_of(app).clock.advance(1.0)
    server = api.server()
    assert (server["status"], server["OS-EXT-STS:power_state"]) == ("SHUTOFF", 4)


def test_start_is_the_mirror(manual_api: Api, manual_app: Flask) -> None:
    state_of(manual_app).compute.set_state(SERVER_ID, "SHUTOFF")
    assert manual_api.start().status_code == 202
    server = manual_api.server()
    assert (server["status"], server["OS-EXT-STS:task_state"]) == ("SHUTOFF", "powering-on")
    state_of(manual_app).compute.advance(SERVER_ID)
    server = manual_api.server()
    assert (server["status"], server["OS-EXT-STS:vm_state"], server["OS-EXT-STS:power_state"]) == (
        "ACTIVE",
        "active",
        1,
    )


def test_stop_of_a_stopped_server_is_409_with_novas_message(api: Api) -> None:
    """openstack-semantics.md row 2 (note 'stop', not 'os-stop')."""
    api.stop()
    assert fault(api.stop()) == (
        409,
        "conflictingRequest",
        f"Cannot 'stop' instance {SERVER_ID} while it is in vm_state stopped",
    )


def test_stop_while_powering_off_is_409_task_state(manual_api: Api) -> None:
    """openstack-semantics.md row 3."""
    manual_api.stop()
    assert fault(manual_api.stop()) == (
        409,
        "conflictingRequest",
        f"Cannot 'stop' instance {SERVER_ID} while it is in task_state powering-off",
    )


def test_start_of_an_active_server_is_409(api: Api) -> None:
    assert fault(api.start()) == (
        409,
        "conflictingRequest",
        f"Cannot 'start' instance {SERVER_ID} while it is in vm_state active",
    )


def test_locked_server_is_409_instance_is_locked(api: Api, app: Flask) -> None:
    """openstack-semantics.md row 4; nova/exception.py InstanceIsLocked."""
    state_of(app).compute.set_state(SERVER_ID, "ACTIVE", locked=True)
    assert fault(api.stop()) == (409, "conflictingRequest", f"Instance {SERVER_ID} is locked")


def test_stop_of_an_error_server_is_allowed(api: Api, app: Flask) -> None:
    """nova/compute/api.py stop: vm_state in (ACTIVE, ERROR)."""
    state_of(app).compute.set_state(SERVER_ID, "ERROR")
    assert api.stop().status_code == 202
    assert api.server()["status"] == "SHUTOFF"


def test_unknown_server_is_404_item_not_found(api: Api) -> None:
    """openstack-semantics.md row 5; nova/exception.py InstanceNotFound."""
    response = api.post(action_url(server_id=UNKNOWN_ID), STOP)
    assert fault(response) == (404, "itemNotFound", f"Instance {UNKNOWN_ID} could not be found.")


@pytest.mark.parametrize(
    "raw",
    [b"", b"{not json", b'{"os-stop": null, "os-start": null}', b"{}", b"[1, 2]", b"\xff\xfe"],
)
def test_malformed_body_is_400(api: Api, raw: bytes) -> None:
    """openstack-semantics.md row 6; nova/api/openstack/wsgi.py action_peek + _process_stack."""
    response = api.client.post(
        action_url(), data=raw, headers=api.headers({"Content-Type": "application/json"})
    )
    assert fault(response) == (400, "badRequest", "Malformed request body")


@pytest.mark.parametrize("raw", [b"5", b"null", b'["os-stop"]'])
def test_non_object_body_of_length_one_is_novas_bare_404(api: Api, raw: bytes) -> None:
    """wsgi.py get_method turns action_peek's TypeError/AttributeError into HTTPNotFound."""
    response = api.client.post(
        action_url(), data=raw, headers=api.headers({"Content-Type": "application/json"})
    )
    assert fault(response) == (404, "itemNotFound", "The resource could not be found.")


def test_unknown_action_is_400(api: Api) -> None:
    """openstack-semantics.md row 6: "There is no such action: <key>"."""
    response = api.post(action_url(), {"os-suspend-everything": None})
    assert fault(response) == (400, "badRequest", "There is no such action: os-suspend-everything")


def test_project_id_mismatch_is_400(api: Api) -> None:
    """openstack-semantics.md row 9; nova/api/openstack/wsgi.py _process_stack."""
    response = api.post(action_url(project_id=OTHER_PROJECT_ID), STOP)
    assert fault(response) == (
        400,
        "badRequest",
        f"Malformed request URL: URL's project_id '{OTHER_PROJECT_ID}' doesn't match "
        f"Context's project_id '{PROJECT_ID}'",
    )


@pytest.mark.parametrize(
    ("body", "policy"),
    [
        ({"os-stop": None}, "stop"),
        ({"os-start": None}, "start"),
        ({"reboot": {"type": "SOFT"}}, "reboot"),
    ],
)
def test_observer_role_is_403_forbidden(
    observer: Api, body: dict[str, object], policy: str
) -> None:
    """openstack-semantics.md row 7; nova/policies/servers.py."""
    assert fault(observer.post(action_url(), body)) == (
        403,
        "forbidden",
        f"Policy doesn't allow os_compute_api:servers:{policy} to be performed.",
    )
    assert observer.server()["status"] == "ACTIVE"  # reading is allowed, nothing changed


def test_observer_gets_404_before_403_for_an_unknown_server(observer: Api) -> None:
    """servers.py _stop_server looks the instance up before context.can()."""
    response = observer.post(action_url(server_id=UNKNOWN_ID), STOP)
    assert fault(response)[0] == 404


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_missing_or_invalid_token_is_keystonemiddleware_401(
    client: FlaskClient, token: str | None
) -> None:
    """openstack-semantics.md row 8: Keystone's error body + WWW-Authenticate."""
    headers = {"X-Auth-Token": token} if token else {}
    response = client.post(action_url(), json=STOP, headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {
        "error": {
            "code": 401,
            "title": "Unauthorized",
            "message": "The request you have made requires authentication.",
        }
    }
    assert response.headers["WWW-Authenticate"] == 'Keystone uri="http://localhost/identity"'


def test_wrong_method_on_action_is_405(api: Api) -> None:
    response = api.get(action_url())
    assert fault(response) == (405, "badMethod", "The method GET is not allowed for this resource.")
    assert "POST" in response.headers["Allow"]


def test_form_encoded_body_is_415(api: Api) -> None:
    """curl -d without -H Content-Type; nova/api/openstack/wsgi.py "Unsupported Content-Type"."""
    response = api.client.post(
        action_url(),
        data=b'{"os-stop": null}',
        headers=api.headers({"Content-Type": "application/x-www-form-urlencoded"}),
    )
    assert fault(response) == (415, "badMediaType", "Unsupported Content-Type")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json; charset=UTF-8"])
def test_json_body_without_json_content_type_is_read_like_nova(
    api: Api, content_type: str | None
) -> None:
    """wsgi.Request.get_content_type: absent and text/plain count as JSON."""
    headers = api.headers({"Content-Type": content_type} if content_type else {})
    response = api.client.post(action_url(), data=b'{"os-stop": null}', headers=headers)
    assert response.status_code == 202


def test_body_over_the_limit_is_413(app: Flask, api: Api) -> None:
    """oslo.middleware sizelimit (runs before auth in Nova's pipeline)."""
    limit = state_of(app).config.max_body_bytes
    raw = b'{"os-stop": "' + b"x" * limit + b'"}'
    response = api.client.post(action_url(), data=raw, headers={"Content-Type": "application/json"})
    assert fault(response) == (413, "overLimit", "Request is too large.")


@pytest.mark.parametrize(
    ("kind", "task_state"), [("SOFT", "rebooting"), ("hard", "rebooting_hard")]
)
def test_reboot_sets_its_task_state_then_ends_active(
    manual_api: Api, manual_app: Flask, kind: str, task_state: str
) -> None:
    assert manual_api.post(action_url(), {"reboot": {"type": kind}}).status_code == 202
    server = manual_api.server()
    assert server["OS-EXT-STS:task_state"] == task_state
    assert server["status"] == ("REBOOT" if kind == "SOFT" else "HARD_REBOOT")
    state_of(manual_app).compute.advance(SERVER_ID)
    assert manual_api.server()["status"] == "ACTIVE"


def test_soft_reboot_of_a_stopped_server_is_409_but_hard_reboot_starts_it(api: Api) -> None:
    api.stop()
    assert fault(api.post(action_url(), {"reboot": {"type": "SOFT"}})) == (
        409,
        "conflictingRequest",
        f"Cannot 'reboot' instance {SERVER_ID} while it is in vm_state stopped",
    )
    assert api.post(action_url(), {"reboot": {"type": "HARD"}}).status_code == 202
    assert api.server()["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "Invalid input for field/attribute reboot. Value: {}. 'type' is a required property"),
        (
            {"type": "WARM"},
            "Invalid input for field/attribute type. Value: WARM. 'WARM' is not one of "
            "['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']",
        ),
        (5, "Invalid input for field/attribute reboot. Value: 5. 5 is not of type 'object'"),
    ],
)
def test_reboot_body_validation_is_400(api: Api, value: object, message: str) -> None:
    """nova/api/openstack/compute/schemas/servers.py reboot; validators.py message format."""
    assert fault(api.post(action_url(), {"reboot": value})) == (400, "badRequest", message)


def test_history_records_each_change_with_its_cause(api: Api, app: Flask) -> None:
    api.stop()
    api.start()
    history = state_of(app).compute.history(SERVER_ID)
    assert [(h["status"], h["task_state"]) for h in history] == [
        ("ACTIVE", None),
        ("ACTIVE", "powering-off"),
        ("SHUTOFF", None),
        ("SHUTOFF", "powering-on"),
        ("ACTIVE", None),
    ]
    assert history[1]["cause"] == "os-stop accepted (demo-user)"


def test_show_by_name_is_404_then_list_filter_finds_it(api: Api) -> None:
    """How the CLI resolves a name: GET servers/{name} → 404 → GET servers/detail?name=…"""
    assert fault(api.get(server_url(server_id="Win2012R2SE"))) == (
        404,
        "itemNotFound",
        "Instance Win2012R2SE could not be found.",
    )
    found = api.get(f"/compute/v2.1/{PROJECT_ID}/servers/detail?name=Win2012R2SE").get_json()
    assert [s["id"] for s in found["servers"]] == [SERVER_ID]
