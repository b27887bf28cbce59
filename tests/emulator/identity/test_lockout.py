"""FJcloud-O lockout: 5 wrong passwords within 15 minutes lock authentication for 15 minutes.

Source: FJcloud-O API reference, トークンの取得 (V1_man_man_posttoken_0401010502.html), quoted in
shared/reference/fjcloud-o.md. The 401 keeps Keystone's body shape (keystone/exception.py
AccountLocked is a 401 Unauthorized) but says what happened and when to retry.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.config import LockoutPolicy
from tests.emulator.identity.conftest import (
    TOKENS,
    USER_ID,
    assert_keystone_error,
    password_auth,
    state_of,
)

GENERIC_401 = "The request you have made requires authentication."


def _fail(client: FlaskClient, times: int) -> list[dict[str, object]]:
    errors = []
    for _ in range(times):
        response = client.post(TOKENS, json=password_auth(password="wrong"))
        errors.append(assert_keystone_error(response, 401))
    return errors


def _retry_at(message: str) -> datetime:
    stamp = message.rsplit("retry after ", 1)[1].rstrip(".")
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def test_fifth_wrong_password_locks_and_right_password_is_refused_for_15_minutes(
    app: Flask, client: FlaskClient
) -> None:
    clock = state_of(app).clock
    errors = _fail(client, 4)
    assert all(e["message"] == GENERIC_401 for e in errors)
    assert client.post(TOKENS, json=password_auth()).status_code == 201  # not locked after 4
    locked_at = clock.now()
    errors = _fail(client, 5)
    assert [e["message"] == GENERIC_401 for e in errors] == [True] * 4 + [False]
    message = str(errors[-1]["message"])
    assert message.startswith(f"The account is locked for user: {USER_ID}.")
    assert "5 wrong passwords within 15 minutes lock authentication" in message
    retry_at = _retry_at(message)
    assert timedelta(minutes=15) <= retry_at - locked_at < timedelta(minutes=16)

    # Right password while locked: still 401, with the same explanation.
    clock.advance(15 * 60 - 1)
    response = client.post(TOKENS, json=password_auth())
    error = assert_keystone_error(response, 401)
    assert _retry_at(str(error["message"])) == retry_at
    assert "X-Subject-Token" not in response.headers
    # A wrong password during the lock does not extend it.
    assert _retry_at(str(_fail(client, 1)[0]["message"])) == retry_at

    clock.advance(1)
    assert client.post(TOKENS, json=password_auth()).status_code == 201


def test_failures_spread_over_more_than_15_minutes_do_not_lock(
    app: Flask, client: FlaskClient
) -> None:
    clock = state_of(app).clock
    for _ in range(8):
        _fail(client, 1)
        clock.advance(4 * 60)  # at most 4 failures in any 15-minute window
    assert client.post(TOKENS, json=password_auth()).status_code == 201


def test_successful_login_clears_earlier_failures(client: FlaskClient) -> None:
    _fail(client, 4)
    assert client.post(TOKENS, json=password_auth()).status_code == 201
    errors = _fail(client, 4)
    assert all(e["message"] == GENERIC_401 for e in errors)
    assert client.post(TOKENS, json=password_auth()).status_code == 201


def test_lockout_is_per_user(client: FlaskClient) -> None:
    _fail(client, 5)
    observer = password_auth(user={"id": "0c4e5a8b7f9d4e2a9b1c3d5e7f9a1b3c"}, scope=None)
    assert client.post(TOKENS, json=observer).status_code == 201


def test_lockout_can_be_disabled() -> None:
    client = create_app({"lockout": LockoutPolicy(enabled=False)}).test_client()
    errors = _fail(client, 20)
    assert all(e["message"] == GENERIC_401 for e in errors)
    assert client.post(TOKENS, json=password_auth()).status_code == 201


def test_thresholds_are_configurable() -> None:
    app = create_app({"lockout": {"attempts": 2, "window_seconds": 60, "duration_seconds": 30}})
    client = app.test_client()
    errors = _fail(client, 2)
    assert "2 wrong passwords within 1 minutes" in str(errors[-1]["message"])
    state_of(app).clock.advance(30)
    assert client.post(TOKENS, json=password_auth()).status_code == 201


def test_existing_tokens_stay_valid_during_a_lockout(app: Flask, client: FlaskClient) -> None:
    token = client.post(TOKENS, json=password_auth()).headers["X-Subject-Token"]
    _fail(client, 5)
    assert state_of(app).identity.authenticate(token).user_id == USER_ID


def test_snapshot_shows_lockout_without_secrets(app: Flask, client: FlaskClient) -> None:
    token = client.post(TOKENS, json=password_auth()).headers["X-Subject-Token"]
    _fail(client, 5)
    snapshot = state_of(app).identity.snapshot()
    assert snapshot["active_tokens"] == 1
    assert snapshot["lockouts"] == [
        {
            "user_id": USER_ID,
            "recent_failures": 0,
            "locked": True,
            "locked_until": snapshot["lockouts"][0]["locked_until"],
        }
    ]
    assert snapshot["lockouts"][0]["locked_until"].endswith("Z")
    assert {u["id"] for u in snapshot["users"]} >= {USER_ID}
    assert snapshot["projects"][0]["id"] == "790f1c092038413a8dd6771a033b17f5"
    text = repr(snapshot)
    assert token not in text
    assert "demo-password" not in text
    assert "password" not in {key for user in snapshot["users"] for key in user}
