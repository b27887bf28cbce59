"""GET / HEAD / DELETE /identity/v3/auth/tokens and token expiry.

Sources: keystone/api/auth.py (AuthTokenResource get/head/delete), keystone/token/provider.py
("Could not find token: <id>.", "No token in the request"), keystonemiddleware auth_token (401
for a bad X-Auth-Token); FJcloud-O: lifetime 3 h, expired → 404 on validation.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.identity.errors import Unauthorized
from tests.emulator.identity.conftest import (
    PROJECT_ID,
    TOKENS,
    USER_ID,
    assert_keystone_error,
    issue,
    password_auth,
    state_of,
    token_auth,
)

GENERIC_401 = "The request you have made requires authentication."


def _headers(auth: str, subject: str | None = None) -> dict[str, str]:
    headers = {"X-Auth-Token": auth}
    if subject is not None:
        headers["X-Subject-Token"] = subject
    return headers


def test_validate_returns_200_echoes_subject_and_full_body(client: FlaskClient) -> None:
    admin = issue(client)
    subject = issue(client)
    response = client.get(TOKENS, headers=_headers(admin, subject))
    assert response.status_code == 200
    assert response.headers["X-Subject-Token"] == subject
    token = response.get_json()["token"]
    assert token["user"]["id"] == USER_ID
    assert token["project"]["id"] == PROJECT_ID
    assert {s["type"] for s in token["catalog"]} >= {"identity", "compute", "volumev2", "image"}


def test_validate_own_token_with_nocatalog(client: FlaskClient) -> None:
    token = issue(client)
    response = client.get(TOKENS + "?nocatalog", headers=_headers(token, token))
    assert response.status_code == 200
    assert "catalog" not in response.get_json()["token"]


def test_head_returns_200_without_body(client: FlaskClient) -> None:
    token = issue(client)
    response = client.head(TOKENS, headers=_headers(token, token))
    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["X-Subject-Token"] == token


def test_unknown_subject_is_404_could_not_find_token(client: FlaskClient) -> None:
    token = issue(client)
    response = client.get(TOKENS, headers=_headers(token, "unknown-token"))
    assert_keystone_error(response, 404, "Could not find token: unknown-token.")
    head = client.head(TOKENS, headers=_headers(token, "unknown-token"))
    assert head.status_code == 404


def test_missing_subject_is_404_no_token_in_the_request(client: FlaskClient) -> None:
    token = issue(client)
    response = client.get(TOKENS, headers=_headers(token))
    assert_keystone_error(response, 404, "No token in the request")


def test_missing_or_unknown_auth_token_is_401(client: FlaskClient) -> None:
    subject = issue(client)
    missing = client.get(TOKENS, headers={"X-Subject-Token": subject})
    assert_keystone_error(missing, 401, GENERIC_401)
    unknown = client.get(TOKENS, headers=_headers("nope", subject))
    assert_keystone_error(unknown, 401, GENERIC_401)
    delete = client.delete(TOKENS, headers={"X-Subject-Token": subject})
    assert_keystone_error(delete, 401, GENERIC_401)


def test_revoke_is_204_then_validation_is_404_and_authenticate_401(
    app: Flask, client: FlaskClient
) -> None:
    admin = issue(client)
    subject = issue(client)
    response = client.delete(TOKENS, headers=_headers(admin, subject))
    assert response.status_code == 204
    assert response.get_data() == b""
    after = client.get(TOKENS, headers=_headers(admin, subject))
    assert_keystone_error(after, 404, f"Could not find token: {subject}.")
    again = client.delete(TOKENS, headers=_headers(admin, subject))
    assert_keystone_error(again, 404, f"Could not find token: {subject}.")
    with pytest.raises(Unauthorized):
        state_of(app).identity.authenticate(subject)
    assert state_of(app).identity.authenticate(admin).user_id == USER_ID


def test_revoked_token_cannot_be_rescoped(client: FlaskClient) -> None:
    token = issue(client)
    assert client.delete(TOKENS, headers=_headers(token, token)).status_code == 204
    response = client.post(TOKENS, json=token_auth(token, {"project": {"id": PROJECT_ID}}))
    assert_keystone_error(response, 404, f"Could not find token: {token}.")


def test_token_expires_after_three_hours_of_clock_time(app: Flask, client: FlaskClient) -> None:
    admin_state = state_of(app)
    token = issue(client)
    admin_state.clock.advance(3 * 3600 - 1)
    assert client.get(TOKENS, headers=_headers(token, token)).status_code == 200
    admin_state.clock.advance(1)
    # As the caller: 401 (keystonemiddleware); as the subject of a validation: 404.
    assert_keystone_error(client.get(TOKENS, headers=_headers(token, token)), 401, GENERIC_401)
    fresh = issue(client)
    response = client.get(TOKENS, headers=_headers(fresh, token))
    assert_keystone_error(response, 404, f"Could not find token: {token}.")
    with pytest.raises(Unauthorized):
        admin_state.identity.authenticate(token)


def test_token_lifetime_is_configurable() -> None:
    app = create_app({"token_lifetime_seconds": 60})
    client = app.test_client()
    token = issue(client)
    state_of(app).clock.advance(60)
    fresh = issue(client)
    assert_keystone_error(
        client.get(TOKENS, headers=_headers(fresh, token)), 404, f"Could not find token: {token}."
    )


def test_rescoped_token_expires_with_its_parent(app: Flask, client: FlaskClient) -> None:
    unscoped = issue(client, password_auth(scope=None))
    state_of(app).clock.advance(3600)
    scoped = issue(client, token_auth(unscoped, {"project": {"id": PROJECT_ID}}))
    state_of(app).clock.advance(2 * 3600)
    fresh = issue(client)
    assert_keystone_error(
        client.get(TOKENS, headers=_headers(fresh, scoped)), 404, f"Could not find token: {scoped}."
    )


def test_token_with_cr_or_lf_is_invalid(app: Flask, client: FlaskClient) -> None:
    # The runbook strips CR/LF (FJcloud-O get-token page); the emulator must not accept them.
    token = issue(client)
    for bad in (token + "\r\n", token + "\n", "\r" + token):
        with pytest.raises(Unauthorized):
            state_of(app).identity.authenticate(bad)


def test_authenticate_contract_returns_token_info(app: Flask, client: FlaskClient) -> None:
    token = issue(client)
    info = state_of(app).identity.authenticate(token)
    assert info.id == token
    assert info.project_id == PROJECT_ID
    assert info.project_name == "demo-project"
    assert info.roles == ("cpf_systemowner",)
    assert info.methods == ("password",)
    assert info.user_domain_id == "5a1c6f4ed1e24ea6a1d0c9a1e5c0d001"
    assert info.expires_at - info.issued_at == timedelta(hours=3)
    assert token not in repr(info)  # a logged TokenInfo must not leak the token
    for bad in (None, "", "nope"):
        with pytest.raises(Unauthorized) as caught:
            state_of(app).identity.authenticate(bad)
        assert caught.value.code == 401
        assert caught.value.title == "Unauthorized"
        assert caught.value.message == GENERIC_401


def test_expired_tokens_leave_the_active_count(app: Flask, client: FlaskClient) -> None:
    issue(client)
    issue(client)
    assert state_of(app).identity.snapshot()["active_tokens"] == 2
    state_of(app).clock.advance(3 * 3600)
    assert state_of(app).identity.snapshot()["active_tokens"] == 0


def test_www_authenticate_names_the_real_identity_host_in_fjcloud_hosts_style() -> None:
    client = create_app({"endpoint_style": "fjcloud-hosts", "region": "jp-west-3"}).test_client()
    response = client.get(TOKENS, headers={"X-Auth-Token": "bad", "X-Subject-Token": "bad"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == GENERIC_401
    assert response.headers["WWW-Authenticate"] == (
        'Keystone uri="https://identity.jp-west-3.cloud.global.fujitsu.com"'
    )
