"""Fault injection: respond / delay / drop_before / drop_after, times, probability, matching."""

from __future__ import annotations

import random
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from emulator.control.errors import ConnectionDropped
from emulator.state import EmulatorState
from tests.emulator.control.conftest import DEMO_AUTH

ACTION_PATH = "/compute/v2/790f1c092038413a8dd6771a033b17f5/servers/dbf93607-f105-4e86-842c-02ae504efe36/action"


def add_fault(client: FlaskClient, **spec: Any) -> dict[str, Any]:
    response = client.post("/_emulator/faults", json=spec)
    assert response.status_code == 201, response.json
    fault: dict[str, Any] = response.json["fault"]  # type: ignore[index]
    return fault


def test_respond_fault_answers_status_json_body_and_headers(client: FlaskClient) -> None:
    add_fault(
        client,
        method="POST",
        path="/compute/*/action",
        status=503,
        body={"computeFault": {"code": 503, "message": "maintenance"}},
        headers={"Retry-After": "30"},
    )
    response = client.post(ACTION_PATH, json={"os-stop": None})
    assert response.status_code == 503
    assert response.json == {"computeFault": {"code": 503, "message": "maintenance"}}
    assert response.headers["Retry-After"] == "30"
    assert response.headers["x-openstack-request-id"].startswith("req-")


def test_respond_fault_with_text_body_and_no_body(client: FlaskClient) -> None:
    add_fault(client, method="GET", path="/identity/v3", status=502, body="bad gateway", times=1)
    add_fault(client, method="GET", path="/identity/", status=500, times=1)
    text = client.get("/identity/v3")
    assert (text.status_code, text.get_data(as_text=True)) == (502, "bad gateway")
    empty = client.get("/identity/")
    assert (empty.status_code, empty.get_data()) == (500, b"")


def test_fault_does_not_match_other_method_path_or_service(client: FlaskClient) -> None:
    add_fault(client, method="POST", path="/compute/*", status=503)
    add_fault(client, path_regex=r"/servers/[^/]+/action$", service="identity", status=500)
    # A GET on compute, and identity paths, are untouched.
    assert client.get("/identity/v3").status_code == 200
    response = client.post("/identity/v3/auth/tokens", json=DEMO_AUTH)
    assert response.status_code == 201


def test_path_regex_and_body_contains_select_the_request(client: FlaskClient) -> None:
    add_fault(client, method="POST", path_regex=r"/action$", body_contains="os-start", status=409)
    start = client.post(ACTION_PATH, json={"os-start": None})
    assert start.status_code == 409
    stop = client.post(ACTION_PATH, json={"os-stop": None})
    assert stop.status_code != 409


def test_times_limits_how_often_a_fault_fires(client: FlaskClient) -> None:
    fault = add_fault(client, method="GET", path="/identity/v3", status=503, times=2)
    codes = [client.get("/identity/v3").status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    listed = client.get("/_emulator/faults").json["faults"]  # type: ignore[index]
    assert listed[0]["id"] == fault["id"]
    assert (listed[0]["hits"], listed[0]["remaining"]) == (2, 0)


@pytest.mark.parametrize(("probability", "expected"), [(0, 200), (1, 503)])
def test_probability_zero_never_fires_and_one_always_fires(
    client: FlaskClient, probability: float, expected: int
) -> None:
    add_fault(client, method="GET", path="/identity/v3", status=503, probability=probability)
    assert {client.get("/identity/v3").status_code for _ in range(5)} == {expected}


def test_probability_with_a_seed_is_repeatable(client: FlaskClient) -> None:
    add_fault(client, method="GET", path="/identity/v3", status=503, probability=0.5, seed=7)
    draws = random.Random(7)
    expected = [503 if draws.random() < 0.5 else 200 for _ in range(20)]
    assert [client.get("/identity/v3").status_code for _ in range(20)] == expected
    assert 200 in expected
    assert 503 in expected


def test_delay_fault_waits_then_serves_normally(client: FlaskClient, state: EmulatorState) -> None:
    slept: list[float] = []
    state.control.sleep = slept.append
    add_fault(client, method="GET", path="/identity/v3", action="delay", delay_seconds=1.5)
    response = client.get("/identity/v3")
    assert response.status_code == 200
    assert "version" in response.json  # type: ignore[operator]
    assert slept == [1.5]


def test_delay_combined_with_respond(client: FlaskClient, state: EmulatorState) -> None:
    slept: list[float] = []
    state.control.sleep = slept.append
    add_fault(client, method="GET", path="/identity/v3", status=504, delay_seconds=0.25)
    assert client.get("/identity/v3").status_code == 504
    assert slept == [0.25]


def test_drop_before_closes_without_running_the_route(
    client: FlaskClient, state: EmulatorState
) -> None:
    add_fault(client, method="POST", path="/identity/v3/auth/tokens", action="drop_before")
    with pytest.raises(ConnectionDropped, match="before POST /identity/v3/auth/tokens"):
        client.post("/identity/v3/auth/tokens", json=DEMO_AUTH)
    assert state.identity.snapshot()["active_tokens"] == 0  # no token was issued
    entry = state.control.requests.entries()[-1]
    assert (entry["status"], entry["dropped"], entry["fault"]["action"]) == (
        None,
        True,
        "drop_before",
    )


def test_drop_after_runs_the_route_then_closes(client: FlaskClient, state: EmulatorState) -> None:
    add_fault(client, method="POST", path="/identity/v3/auth/tokens", action="drop_after", times=1)
    with pytest.raises(ConnectionDropped, match="after POST"):
        client.post("/identity/v3/auth/tokens", json=DEMO_AUTH)
    assert state.identity.snapshot()["active_tokens"] == 1  # the token exists; the answer was lost
    entry = state.control.requests.entries()[-1]
    assert (entry["status"], entry["dropped"]) == (201, True)
    # times=1: the next attempt goes through.
    assert client.post("/identity/v3/auth/tokens", json=DEMO_AUTH).status_code == 201


def test_control_plane_is_never_faulted(client: FlaskClient) -> None:
    add_fault(client, path="*", status=503)
    assert client.get("/_emulator/health").status_code == 200
    assert client.get("/identity/v3").status_code == 503


def test_list_delete_one_and_clear_faults(client: FlaskClient) -> None:
    first = add_fault(client, path="/identity/*", status=503)
    second = add_fault(client, path="/compute/*", status=503)
    assert client.delete(f"/_emulator/faults/{first['id']}").status_code == 204
    ids = [f["id"] for f in client.get("/_emulator/faults").json["faults"]]  # type: ignore[index]
    assert ids == [second["id"]]
    assert client.delete("/_emulator/faults").status_code == 204
    assert client.get("/_emulator/faults").json == {"faults": []}


def test_deleting_an_unknown_fault_is_404(client: FlaskClient) -> None:
    response = client.delete("/_emulator/faults/nope")
    assert response.status_code == 404
    assert response.json == {"error": {"code": 404, "message": "no fault with id 'nope'"}}


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"action": "explode"}, "fault.action"),
        ({"status": 99}, "fault.status"),
        ({"status": "503"}, "fault.status"),
        ({"status": 503, "method": "FETCH"}, "fault.method"),
        ({"status": 503, "path_regex": "("}, "fault.path_regex"),
        ({"status": 503, "service": "network"}, "fault.service"),
        ({"status": 503, "times": 0}, "fault.times"),
        ({"status": 503, "probability": 1.5}, "fault.probability"),
        ({"status": 503, "headers": {"X": 1}}, "fault.headers"),
        ({"action": "delay"}, "fault.delay_seconds"),
        ({"action": "drop_before", "status": 500}, "fault.status"),
        ({"status": 503, "colour": "red"}, "fault.colour"),
        ({"status": 503, "body_contains": "\ud800"}, "fault.body_contains"),
        ({"status": 503, "body": "\udfff"}, "fault.body"),
        ({"status": 503, "headers": {"X-Split": "a\r\nSet-Cookie: x"}}, "fault.headers"),
        ({"status": 503, "headers": {"Bad Name": "x"}}, "fault.headers"),
        ({"status": 503, "headers": {"X-Kanji": "漢字"}}, "fault.headers"),
        ({"status": 503, "headers": {"Content-Length": "0"}}, "fault.headers"),
        ({"status": 100}, "fault.status"),
        ([], "fault"),
    ],
)
def test_bad_fault_spec_is_400_naming_the_field(client: FlaskClient, spec: Any, field: str) -> None:
    response = client.post("/_emulator/faults", json=spec)
    assert response.status_code == 400
    assert response.json["error"]["code"] == 400  # type: ignore[index]
    assert response.json["error"]["message"].startswith(f"{field}:")  # type: ignore[index]


def test_a_refused_rule_leaves_every_other_request_working(client: FlaskClient) -> None:
    # Reliability finding F6: a lone surrogate in body_contains used to break every request.
    rejected = client.post("/_emulator/faults", json={"status": 503, "body_contains": "\ud800"})
    assert rejected.status_code == 400
    assert client.get("/identity/v3").status_code == 200


def test_waitress_app_turns_a_drop_into_waitress_client_disconnected(app: Flask) -> None:
    # waitress closes the socket without a byte on ClientDisconnected (waitress/channel.py);
    # ConnectionDropped is our own exception so the in-process mock never imports waitress.
    from waitress.channel import ClientDisconnected

    from emulator.server import waitress_app

    client = app.test_client()
    add_fault(client, method="GET", path="/identity/v3", action="drop_before", times=1)
    served = waitress_app(app)
    environ = EnvironBuilder(path="/identity/v3").get_environ()
    with pytest.raises(ClientDisconnected, match="before GET /identity/v3") as caught:
        served(environ, lambda status, headers, exc_info=None: None)
    assert isinstance(caught.value.__cause__, ConnectionDropped)
    # With the fault spent the wrapper is transparent.
    seen: list[str] = []
    body = b"".join(
        served(
            EnvironBuilder(path="/identity/v3").get_environ(),
            lambda status, headers, exc_info=None: seen.append(status),
        )
    )
    assert seen == ["200 OK"]
    assert b'"id": "v3.14"' in body or b'"id":"v3.14"' in body
