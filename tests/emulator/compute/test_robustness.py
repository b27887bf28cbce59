"""No client input produces a 5xx: garbage bodies, paths, headers, methods and query strings."""

from __future__ import annotations

import random

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from tests.emulator.compute.conftest import (
    PROJECT_ID,
    SERVER_ID,
    Api,
    action_url,
    fault,
    issue_token,
    state_of,
)

BODIES: list[bytes] = [
    b"",
    b"null",
    b"0",
    b"-1e999",
    b"NaN",
    b"true",
    b'"os-stop"',
    b"[]",
    b"[{}]",
    b"{}",
    b'{"": null}',
    b'{"os-stop": {"x": [1, 2, {"y": null}]}}',
    b'{"reboot": null}',
    b'{"reboot": []}',
    b'{"reboot": {"type": null}}',
    b'{"reboot": {"type": ["HARD"]}}',
    b'{"reboot": {"type": "SOFT", "extra": 1}}',
    b'{"os-start": null',
    b"\x00\x01\x02",
    b"\xef\xbb\xbf{}",
    '{"os-stop": "\u00e9\u2603"}'.encode(),
    b"[" * 50 + b"]" * 50,
    b'{"\\ud800": null}',  # lone surrogates must survive the fault renderer
    b'{"reboot": {"type": "\\udfff"}}',
    b'{"reboot": {"\\ud800": 1}}',
]
# Nested deeper than Python's json recursion limit.
DEEP_BODY = b'{"a":' * 2000 + b"1" + b"}" * 2000
PATHS = [
    "/compute/v3/",
    "/compute/v2.1/x/servers",
    f"/compute/v2.1/{PROJECT_ID}/servers/%00",
    f"/compute/v2.1/{PROJECT_ID}/servers/{'a' * 5000}",
    f"/compute/v2.1/{PROJECT_ID}/servers/../../",
    f"/compute/v2.1/{PROJECT_ID}/servers/{SERVER_ID}/action/extra",
    f"/compute/v2/{PROJECT_ID}/flavors/%ff",
    f"/compute/v2/{PROJECT_ID}/servers?limit=99999999999999999999999",
    f"/compute/v2/{PROJECT_ID}/servers?name=%5B&status=%00",
    f"/compute/v2/{PROJECT_ID}/servers/detail?marker=&limit=0",
    f"/compute/v2/{PROJECT_ID}/flavors/detail?minRam=-5&is_public=%ff",
    "/compute/%ff%fe",
]
HEADERS = [
    {"OpenStack-API-Version": "compute 99999999999999999999.1"},
    {"OpenStack-API-Version": "compute"},
    {"OpenStack-API-Version": ",,,"},
    {"X-OpenStack-Nova-API-Version": "latest.1"},
    {"Content-Type": "application/json; charset=latin-1"},
    {"Content-Type": "multipart/form-data; boundary=x"},
    {"Content-Type": ""},
    {"X-Auth-Token": "\u00e9" * 10},
    {"X-Auth-Token": "x" * 10000},
]


def assert_not_5xx(response_status: int, what: object) -> None:
    assert response_status < 500, what


def test_garbage_action_bodies_never_give_5xx(api: Api, app: Flask) -> None:
    for body in BODIES:
        response = api.client.post(
            action_url("v2.1"), data=body, headers=api.headers({"Content-Type": "application/json"})
        )
        assert_not_5xx(response.status_code, body[:60])
        if response.status_code != 202:
            fault(response)  # a Nova fault body, always
    assert state_of(app).take_unhandled() == []


def test_deeply_nested_body_is_400_in_compute() -> None:
    """The compute routes alone (control plane off) answer 400 for JSON nested too deep."""
    app = create_app({"timing": "immediate", "control_plane": False})
    client = app.test_client()
    api = Api(client, issue_token(client))
    response = api.client.post(
        action_url(), data=DEEP_BODY, headers=api.headers({"Content-Type": "application/json"})
    )
    assert fault(response) == (400, "badRequest", "Malformed request body")


def test_deeply_nested_body_with_the_control_plane_on(api: Api) -> None:
    response = api.client.post(
        action_url(), data=DEEP_BODY, headers=api.headers({"Content-Type": "application/json"})
    )
    assert response.status_code == 400


def test_garbage_paths_and_headers_never_give_5xx(
    api: Api, client: FlaskClient, app: Flask
) -> None:
    for path in PATHS:
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"):
            response = client.open(path, method=method, headers=api.headers(), data=b"{}")
            assert_not_5xx(response.status_code, (method, path))
    for headers in HEADERS:
        for url in (action_url("v2.1"), f"/compute/v2.1/{PROJECT_ID}/servers/detail"):
            response = client.post(
                url, data=b'{"os-stop": null}', headers={**api.headers(), **headers}
            )
            assert_not_5xx(response.status_code, headers)
            response = client.get(url, headers={**api.headers(), **headers})
            assert_not_5xx(response.status_code, headers)
    assert state_of(app).take_unhandled() == []


def test_random_bytes_fuzz_never_gives_5xx(api: Api, app: Flask) -> None:
    rng = random.Random(20261127)  # fixed seed: a failure is reproducible
    alphabet = b'{}[]":,nulltrue0123456789.-eE \\os-stopstartreboottypeHARDSOFT\x00\xff'
    for _ in range(300):
        body = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        response = api.client.post(
            action_url(), data=body, headers=api.headers({"Content-Type": "application/json"})
        )
        assert_not_5xx(response.status_code, body)
    assert state_of(app).take_unhandled() == []


@pytest.mark.parametrize("path", ["/compute/v3/", "/compute/v2.1/x/y/z/w/v"])
def test_unknown_paths_are_novas_404(client: FlaskClient, path: str) -> None:
    assert fault(client.get(path)) == (404, "itemNotFound", "The resource could not be found.")
