"""The cached server body (views.server_detail_json) is never stale.

Each step changes what GET servers/{id} must show (stop/start, advance, a lazy transition on
read, set_state, the lock, the microversion, the Host); after each one, the cached answer must
equal a freshly rendered one and show the change.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from flask import Flask

from emulator.app import create_app
from emulator.compute import views
from tests.emulator.compute.conftest import SERVER_ID, Api, issue_token, server_url, state_of

VERSIONS = ("", "compute 2.1", "compute 2.9", "compute 2.47", "compute latest")


def bodies(api: Api, host: str = "localhost") -> list[bytes]:
    """GET the server at every microversion: twice (the cache as the last step left it), then
    once more after emptying the cache; all three must be equal. Returns the fresh bodies."""

    def get_all() -> list[bytes]:
        got = []
        for api_path in ("v2", "v2.1"):
            for version in VERSIONS:
                headers = api.headers({"OpenStack-API-Version": version} if version else {})
                url = server_url(api_path)
                response = api.client.get(url, headers={**headers, "Host": host})
                assert response.status_code == 200
                assert f"/compute/{api_path}/".encode() in response.data  # the self link
                got.append(response.data)
        return got

    first, second = get_all(), get_all()
    for body in first:
        # Byte for byte what jsonify sends: compact separators, key order kept, a newline.
        assert body == (json.dumps(json.loads(body), separators=(",", ":")) + "\n").encode()
    views._DETAIL_BODIES.clear()
    fresh = get_all()
    assert first == second == fresh
    return fresh


def server(api: Api, version: str = "compute latest") -> dict[str, Any]:
    response = api.client.get(
        server_url("v2.1"), headers=api.headers({"OpenStack-API-Version": version})
    )
    body: dict[str, Any] = response.get_json()["server"]
    return body


def test_every_state_change_shows_through_the_cache(manual_app: Flask, manual_api: Api) -> None:
    state = state_of(manual_app)
    # A frozen clock: every change below gets the same "updated", so each field of the key has
    # to catch its own change.
    frozen = [state.clock.time()]
    state.clock.time = lambda: frozen[0]  # type: ignore[method-assign]
    state.compute.set_state(SERVER_ID, "ACTIVE")
    steps = [bodies(manual_api)]
    assert manual_api.stop().status_code == 202
    steps.append(bodies(manual_api))
    assert server(manual_api)["OS-EXT-STS:task_state"] == "powering-off"
    state.compute.advance(SERVER_ID)
    steps.append(bodies(manual_api))
    assert server(manual_api)["status"] == "SHUTOFF"
    state.compute.set_state(SERVER_ID, "ACTIVE", locked=True)
    steps.append(bodies(manual_api))
    assert server(manual_api)["locked"] is True
    state.compute.set_state(SERVER_ID, "ACTIVE", locked=False)
    steps.append(bodies(manual_api))
    assert server(manual_api)["locked"] is False
    frozen[0] += 10  # only "updated" changes
    state.compute.set_state(SERVER_ID, "ACTIVE")
    steps.append(bodies(manual_api))
    state.compute.set_state(SERVER_ID, "ERROR")
    steps.append(bodies(manual_api))
    errored = server(manual_api)
    assert errored["status"] == "ERROR"
    assert "fault" in errored
    # Each step changed every body, except the lock alone, which shows from 2.9 on: in /v2
    # (always 2.1) and in /v2.1 below 2.9 those bodies stay the same.
    lock_shown = [
        i for i, v in enumerate(VERSIONS * 2) if i >= len(VERSIONS) and "2.1" not in v and v
    ]
    for step, (before, after) in enumerate(itertools.pairwise(steps)):
        changed = [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if b != a]
        assert changed == (lock_shown if step == 3 else list(range(len(before)))), step


def test_lazy_transition_completing_on_read_shows_through_the_cache() -> None:
    app = create_app({"timing": 5.0})
    client = app.test_client()
    api = Api(client, issue_token(client))
    assert api.stop().status_code == 202
    powering_off = bodies(api)
    state_of(app).clock.advance(6)
    stopped = bodies(api)
    assert server(api)["status"] == "SHUTOFF"
    assert all(b != a for b, a in zip(powering_off, stopped, strict=True))


@pytest.mark.parametrize("host", ["127.0.0.1:8774", "emulator.example:9000"])
def test_links_follow_the_host_of_each_request(api: Api, host: str) -> None:
    bodies(api)  # cache filled for "localhost"
    for body in bodies(api, host):
        assert f"http://{host}/compute/".encode() in body
        assert b"http://localhost/" not in body


def test_debug_mode_still_pretty_prints_like_jsonify(api: Api, app: Flask) -> None:
    app.debug = True
    response = api.client.get(server_url("v2.1"), headers=api.headers())
    assert response.data.startswith(b'{\n  "server": {\n')
