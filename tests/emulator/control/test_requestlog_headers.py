"""The request log holds every header that crossed the wire, both ways, secrets masked.

Before, it kept a fixed list of twelve names: a client received ``Vary: OpenStack-API-Version,
X-OpenStack-Nova-API-Version`` (nova/api/openstack/wsgi.py sets it on every /v2.1 response) and
the log did not show it. Measured over a real socket: the headers the client received are the
log's plus the two waitress writes itself after the application (``Date``, ``Server``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

import emulator

WAITRESS_OWN = {"date", "server"}


@pytest.fixture(scope="module")
def region3() -> Iterator[emulator.EmulatorServer]:
    with emulator.EmulatorServer(region="jp-east-3", timing="immediate") as server:
        yield server


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def test_every_response_header_the_client_received_is_logged(
    region3: emulator.EmulatorServer,
) -> None:
    region3.clear_requests_log()
    url = f"{region3.compute_url}/v2.1/{region3.project_id}/servers/{region3.server_ids[0]}"
    response = requests.get(
        url,
        headers={"X-Auth-Token": region3.token(), "OpenStack-API-Version": "compute 2.60"},
        timeout=10,
    )
    assert response.status_code == 200
    entry = region3.requests_log()[-1]
    logged = lower(entry["response_headers"])
    received = {k.lower(): v for k, v in response.headers.items()}
    assert logged["vary"] == "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
    assert {k: v for k, v in received.items() if k not in WAITRESS_OWN} == logged


def test_every_request_header_is_logged_and_credentials_are_masked(
    region3: emulator.EmulatorServer,
) -> None:
    region3.clear_requests_log()
    token = region3.token()
    sent = {
        "X-Auth-Token": token,
        "Authorization": "Basic ZGVtby11c2VyOmRlbW8tcGFzc3dvcmQ=",
        "Cookie": "session=s3cr3t-session-value",
        "X-Custom-Trace": f"trace for {token}",  # a token value inside another header
        "Accept-Language": "ja",
    }
    response = requests.get(
        f"{region3.compute_url}/v2.1/{region3.project_id}/flavors", headers=sent, timeout=10
    )
    assert response.status_code == 200
    entry = region3.requests_log()[-1]
    logged = lower(entry["request_headers"])
    on_the_wire = {k.lower(): v for k, v in response.request.headers.items()}
    assert set(logged) == set(on_the_wire) | {"host"}  # Host: written by the HTTP connection
    for name in ("x-auth-token", "authorization", "cookie"):
        assert logged[name] == "***"
    assert logged["x-custom-trace"] == "trace for ***"
    assert logged["accept-language"] == "ja"
    assert logged["user-agent"] == on_the_wire["user-agent"]
    text = json.dumps(entry)
    for secret in (token, "ZGVtby11c2VyOmRlbW8tcGFzc3dvcmQ=", "s3cr3t-session-value"):
        assert secret not in text
