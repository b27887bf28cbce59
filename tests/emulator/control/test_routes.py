"""Control plane endpoints: status and body of each, errors in the control plane's own format."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator import create_app
from emulator.state import EmulatorState
from tests.emulator.control.conftest import DEMO_AUTH


def test_health_is_ok(client: FlaskClient) -> None:
    response = client.get("/_emulator/health")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "region": "jp-east-1",
        "compute_api": "v2",
        "endpoint_style": "prefix",
    }


def test_control_plane_off_serves_no_control_path() -> None:
    client = create_app({"control_plane": False}).test_client()
    response = client.get("/_emulator/health")
    assert response.status_code == 404
    assert response.json["error"]["code"] == 404  # type: ignore[index]
    assert client.get("/identity/v3").status_code == 200


def test_state_summarises_config_and_has_no_secrets(client: FlaskClient) -> None:
    client.post("/identity/v3/auth/tokens", json=DEMO_AUTH)
    response = client.get("/_emulator/state")
    assert response.status_code == 200
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    assert body["config"]["region"] == "jp-east-1"
    assert body["config"]["timing"] == {"mode": "seconds", "seconds": 0.2}
    assert body["identity"]["active_tokens"] == 1
    assert body["faults"] == []
    assert body["requests_logged"] == 1
    text = response.get_data(as_text=True)
    assert "demo-password" not in text
    assert "Password0" not in text


def test_reset_goes_back_to_the_seed(client: FlaskClient, state: EmulatorState) -> None:
    client.post("/identity/v3/auth/tokens", json=DEMO_AUTH)
    client.post("/_emulator/faults", json={"path": "/compute/*", "status": 503})
    client.post("/_emulator/clock/advance", json={"seconds": 60})
    response = client.post("/_emulator/reset")
    assert (response.status_code, response.json) == (200, {"status": "reset"})
    assert state.identity.snapshot()["active_tokens"] == 0
    assert state.control.faults.list() == []
    assert state.control.requests.entries() == []
    assert state.clock.offset == 0


def test_clock_advance_expires_tokens(client: FlaskClient, state: EmulatorState) -> None:
    token = client.post("/identity/v3/auth/tokens", json=DEMO_AUTH).headers["X-Subject-Token"]
    response = client.post("/_emulator/clock/advance", json={"seconds": 3 * 3600 + 1})
    assert response.status_code == 200
    assert response.json["clock"]["offset_seconds"] == 3 * 3600 + 1  # type: ignore[index]
    validate = client.get(
        "/identity/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}
    )
    assert validate.status_code == 401


@pytest.mark.parametrize("body", [{"seconds": -1}, {"seconds": "10"}, {}, None])
def test_clock_advance_rejects_bad_seconds(client: FlaskClient, body: Any) -> None:
    response = client.post("/_emulator/clock/advance", json=body)
    assert response.status_code == 400
    assert response.json["error"]["message"].startswith("clock.seconds:")  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "RUNNING", "name": "x"}, "server.status"),
        ({"name": "x", "id": "not-a-uuid"}, "server.id"),
        ({"id": "0b4a3b5e-5d7e-4a39-9f0b-6d1f3c9e2a11"}, "server.name"),
        ({"name": "x", "project": "nope"}, "server.project"),
        ({"name": "x", "colour": "red"}, "server.colour"),
    ],
)
def test_add_server_with_bad_fields_is_400_naming_the_field(
    client: FlaskClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/_emulator/servers", json=body)
    assert response.status_code == 400
    assert response.json["error"]["code"] == 400  # type: ignore[index]
    assert response.json["error"]["message"].startswith(f"server: {field}:")  # type: ignore[index]


def test_add_server_body_must_be_an_object(client: FlaskClient) -> None:
    response = client.post("/_emulator/servers", json=["x"])
    assert response.status_code == 400
    assert "JSON object" in response.json["error"]["message"]  # type: ignore[index]


def test_body_that_is_not_json_is_400(client: FlaskClient) -> None:
    response = client.post(
        "/_emulator/faults", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json == {
        "error": {"code": 400, "message": "the request body is not valid JSON"}
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "fast"}, "timing.mode"),
        ({"mode": "seconds", "seconds": -2}, "timing.seconds"),
        ({"mode": "manual", "server_id": 5}, "timing.server_id"),
    ],
)
def test_timing_rejects_bad_values(client: FlaskClient, body: dict[str, Any], field: str) -> None:
    response = client.post("/_emulator/timing", json=body)
    assert response.status_code == 400
    assert response.json["error"]["message"].startswith(f"{field}:")  # type: ignore[index]


def test_set_state_rejects_an_unknown_status(client: FlaskClient) -> None:
    response = client.post("/_emulator/servers/x/state", json={"status": "PAUSED"})
    assert response.status_code == 400
    assert response.json["error"]["message"].startswith("state.status:")  # type: ignore[index]


def test_unknown_control_path_and_wrong_method(client: FlaskClient) -> None:
    missing = client.get("/_emulator/nothing")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == 404  # type: ignore[index]
    wrong = client.get("/_emulator/reset")
    assert wrong.status_code == 405
    assert wrong.json["error"]["code"] == 405  # type: ignore[index]


DOC_SERVER = "dbf93607-f105-4e86-842c-02ae504efe36"


def test_add_server_is_201_and_listed_in_state(client: FlaskClient) -> None:
    response = client.post("/_emulator/servers", json={"name": "web-1", "status": "SHUTOFF"})
    assert response.status_code == 201
    server = response.json["server"]  # type: ignore[index]
    assert (server["name"], server["status"], server["power_state"]) == ("web-1", "SHUTOFF", 4)
    names = [s["name"] for s in client.get("/_emulator/state").json["compute"]["servers"]]  # type: ignore[index]
    assert names == ["Win2012R2SE", "web-1"]


def test_add_server_with_an_existing_id_is_409(client: FlaskClient) -> None:
    response = client.post("/_emulator/servers", json={"id": DOC_SERVER, "name": "twin"})
    assert response.status_code == 409
    assert response.json == {
        "error": {"code": 409, "message": f"A server with id {DOC_SERVER} already exists."}
    }


def test_manual_timing_then_advance_completes_the_stop(client: FlaskClient) -> None:
    timing = client.post("/_emulator/timing", json={"mode": "manual", "server_id": DOC_SERVER})
    assert timing.json == {  # type: ignore[comparison-overlap]
        "timing": {"mode": "manual", "seconds": 0.0},
        "server_id": DOC_SERVER,
    }
    token = client.post("/identity/v3/auth/tokens", json=DEMO_AUTH).headers["X-Subject-Token"]
    project = DEMO_AUTH["auth"]["scope"]["project"]["id"]
    stop = client.post(
        f"/compute/v2/{project}/servers/{DOC_SERVER}/action",
        json={"os-stop": None},
        headers={"X-Auth-Token": token},
    )
    assert stop.status_code == 202
    advanced = client.post(f"/_emulator/servers/{DOC_SERVER}/advance")
    assert advanced.status_code == 200
    assert advanced.json["server"]["status"] == "SHUTOFF"  # type: ignore[index]
    history = client.get(f"/_emulator/servers/{DOC_SERVER}/history").json["history"]  # type: ignore[index]
    assert [(h["task_state"], h["status"]) for h in history][-2:] == [
        ("powering-off", "ACTIVE"),
        (None, "SHUTOFF"),
    ]


def test_force_state_and_delete(client: FlaskClient) -> None:
    forced = client.post(
        f"/_emulator/servers/{DOC_SERVER}/state", json={"status": "error", "locked": True}
    )
    assert forced.status_code == 200
    assert (forced.json["server"]["status"], forced.json["server"]["locked"]) == ("ERROR", True)  # type: ignore[index]
    assert client.delete(f"/_emulator/servers/{DOC_SERVER}").status_code == 204
    assert client.get("/_emulator/state").json["compute"]["servers"] == []  # type: ignore[index]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/_emulator/servers/{id}/advance", None),
        ("post", "/_emulator/servers/{id}/state", {"status": "ACTIVE"}),
        ("delete", "/_emulator/servers/{id}", None),
        ("get", "/_emulator/servers/{id}/history", None),
        ("post", "/_emulator/timing", {"mode": "immediate", "server_id": "{id}"}),
    ],
)
def test_unknown_server_is_404_in_the_control_format(
    client: FlaskClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    if body is not None:
        body = {k: v.replace("{id}", missing) for k, v in body.items()}
    response = getattr(client, method)(path.replace("{id}", missing), json=body)
    assert response.status_code == 404
    assert response.json == {
        "error": {"code": 404, "message": f"Instance {missing} could not be found."}
    }


@pytest.mark.parametrize(
    ("path", "raw", "field"),
    [
        # Found by hand: each of these used to be accepted and then break later requests.
        ("/_emulator/clock/advance", '{"seconds": 1e300}', "clock.seconds"),
        ("/_emulator/clock/advance", '{"seconds": Infinity}', "clock.seconds"),
        ("/_emulator/clock/advance", '{"seconds": NaN}', "clock.seconds"),
        ("/_emulator/timing", '{"mode": "seconds", "seconds": Infinity}', "timing.seconds"),
        ("/_emulator/timing", '{"mode": "seconds", "seconds": NaN}', "timing.seconds"),
        ("/_emulator/timing", '{"mode": "seconds", "seconds": 1e308}', "timing.seconds"),
        ("/_emulator/servers", '{"name": "x", "timing": 1e308}', "server.timing"),
    ],
)
def test_absurd_numbers_are_400_and_break_nothing(
    client: FlaskClient, state: EmulatorState, path: str, raw: str, field: str
) -> None:
    response = client.post(path, data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["error"]["message"].startswith(f"{field}:")  # type: ignore[index]
    assert client.get("/_emulator/state").status_code == 200
    assert client.get("/identity/v3").status_code == 200
    assert state.take_unhandled() == []


def test_the_clock_stays_within_a_century(client: FlaskClient) -> None:
    year = 365 * 24 * 3600
    assert client.post("/_emulator/clock/advance", json={"seconds": 99 * year}).status_code == 200
    refused = client.post("/_emulator/clock/advance", json={"seconds": 2 * year})
    assert refused.status_code == 400
    assert "(100 years)" in refused.json["error"]["message"]  # type: ignore[index]
