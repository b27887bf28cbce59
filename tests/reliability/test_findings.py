"""Regression tests for what the reliability work found (docs/RELIABILITY.md, "Findings").

Fixed findings are plain tests. Open ones are ``xfail(strict=True)``: when the owner fixes the
code, the test passes, strict turns that into a failure, and the mark (and the finding's entry in
``tests.reliability.fuzz.OPEN_FINDINGS``) must be removed.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from emulator.app import create_app
from emulator.state import STATE_KEY, EmulatorState
from tests.reliability.harness import PROJECT_ID, SERVER_ID, FuzzTarget, password_auth

DEEP_BODY = b'{"a":' * 5000 + b"1" + b"}" * 5000
TOKENS = "/identity/v3/auth/tokens"


def state_of(app: Flask) -> EmulatorState:
    state: EmulatorState = app.extensions[STATE_KEY]
    return state


def keystone_error(body: Any) -> tuple[int, str]:
    error = body["error"]
    return error["code"], error["message"]


def test_f1_password_with_a_lone_surrogate_is_a_401_not_a_500() -> None:
    """F1 (fixed in emulator/identity/backend.py): "\\ud800" in a password made utf-8 encoding raise."""
    app = create_app({"control_plane": False})
    body = b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo-user", "domain": {"name": "demo0001"}, "password": "\\ud800"}}}}}'
    response = app.test_client().post(TOKENS, data=body, content_type="application/json")
    # keystone/exception.py Unauthorized: a wrong password, like any other.
    assert response.status_code == 401
    assert keystone_error(response.get_json()) == (
        401,
        "The request you have made requires authentication.",
    )
    assert state_of(app).take_unhandled() == []


def test_f3_auth_body_nested_too_deep_is_keystones_400() -> None:
    """F3 (fixed in emulator/identity/routes.py): json's RecursionError escaped _json_body."""
    app = create_app({"control_plane": False})  # F2 would mask the identity route's own answer
    response = app.test_client().post(TOKENS, data=DEEP_BODY, content_type="application/json")
    # keystone/server/flask/request_processing/json_body.py: a body that is not JSON is a 400.
    assert response.status_code == 400
    code, message = keystone_error(response.get_json())
    assert code == 400
    assert message.startswith("Expecting to find valid JSON in request body.")
    assert state_of(app).take_unhandled() == []


@pytest.mark.parametrize("path", [TOKENS, f"/compute/v2.1/{PROJECT_ID}/servers", "/nowhere"])
def test_f2_deeply_nested_body_with_the_request_log_on(path: str) -> None:
    """F2 (fixed in emulator/control/requestlog.py by its owner): the log's json.loads recursed."""
    target = FuzzTarget()
    response = target.client.post(path, data=DEEP_BODY, content_type="application/json")
    assert response.status_code < 500
    assert target.take_errors() == []


def test_f4_an_exception_in_an_after_request_hook_is_recorded() -> None:
    """F4 (fixed in emulator/app.py by its owner): hook exceptions skipped state.unhandled_errors."""
    app = create_app({"control_plane": False})

    @app.after_request
    def broken(response: Any) -> Any:  # stands for any hook that fails, e.g. F2's request log
        raise RuntimeError("hook failed")

    response = app.test_client().get("/compute/")
    assert response.status_code == 500  # a broken hook is a 500; the point is that it is recorded
    errors = state_of(app).take_unhandled()
    assert [str(e) for e in errors] == ["hook failed"]


def test_f5_double_slash_in_a_compute_path_is_novas_404() -> None:
    """F5 (fixed in emulator/app.py by its owner): '//' was a werkzeug 308 with an HTML body."""
    target = FuzzTarget()
    headers = {"X-Auth-Token": target.tokens["valid"]}
    response = target.client.get(f"/compute/v2//{PROJECT_ID}/servers", headers=headers)
    assert response.status_code == 404
    assert response.get_json() == {
        "itemNotFound": {"code": 404, "message": "The resource could not be found."}
    }
    assert response.headers["x-compute-request-id"].startswith("req-")


def test_f6_fault_with_a_surrogate_in_body_contains_breaks_nothing() -> None:
    """F6 (fixed in emulator/control/faults.py by its owner): a surrogate made every request 500."""
    target = FuzzTarget()
    spec = b'{"status": 503, "body_contains": "\\ud800"}'
    added = target.client.post("/_emulator/faults", data=spec, content_type="application/json")
    url = f"/compute/v2/{PROJECT_ID}/servers/{SERVER_ID}"
    response = target.client.get(url, headers={"X-Auth-Token": target.tokens["valid"]})
    assert target.take_errors() == []
    # Either the spec is refused (400, control-plane body) or it never matches a UTF-8 body.
    assert added.status_code == 400 or response.status_code == 200


def test_the_reliability_seed_gives_a_token_of_another_project() -> None:
    """The fuzzer's "other project" token really is scoped elsewhere: compute answers Nova's 400."""
    target = FuzzTarget()
    headers = {"X-Auth-Token": target.tokens["other_project"]}
    response = target.client.get(f"/compute/v2/{PROJECT_ID}/servers", headers=headers)
    assert response.status_code == 400
    message = response.get_json()["badRequest"]["message"]
    # nova/api/openstack/wsgi.py: the URL's project id must be the token's.
    assert message.startswith(f"Malformed request URL: URL's project_id '{PROJECT_ID}'")
    other = target.client.post(TOKENS, json=password_auth(project_id=PROJECT_ID))
    assert other.status_code == 201


@pytest.mark.parametrize("secret_kind", ["password", "token"])
def test_f7_a_malformed_auth_body_leaves_no_secret_in_the_request_log(secret_kind: str) -> None:
    """F7 (fixed in emulator/control/requestlog.py by its owner, ea668ae): text bodies leaked."""
    target = FuzzTarget()
    token = target.tokens["valid"]
    if secret_kind == "password":  # cut off right after the password: no closing quote
        body = b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo-user", "domain": {"name": "demo0001"}, "password": "demo-password'
        secret = "demo-password"
    else:  # the token method with its last brace missing
        body = (
            b'{"auth": {"identity": {"methods": ["token"], "token": {"id": "'
            + token.encode()
            + b'"}}}'
        )
        secret = token
    response = target.client.post(TOKENS, data=body, content_type="application/json")
    assert response.status_code == 400  # Keystone: not valid JSON
    log = target.client.get("/_emulator/requests").get_data(as_text=True)
    assert secret not in log


@pytest.mark.parametrize("kind", ["revoked", "expired"])
def test_f8_a_dead_token_in_a_token_method_body_is_masked_in_the_log(kind: str) -> None:
    """F8 (fixed in emulator/control/requestlog.py by its owner, ce968fd): the echo was kept."""
    target = FuzzTarget()
    token = target.tokens[kind]
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": token}}}}
    response = target.client.post(TOKENS, json=body)
    # keystone/auth/plugins/token.py validates the token: TokenNotFound, 404, echoing it.
    assert response.status_code == 404
    assert keystone_error(response.get_json()) == (404, f"Could not find token: {token}.")
    log = target.client.get("/_emulator/requests").get_data(as_text=True)
    assert token not in log
