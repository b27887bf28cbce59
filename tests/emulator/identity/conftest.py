"""Fixtures for the identity tests: an app per test and helpers to build auth bodies."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.state import STATE_KEY, EmulatorState
from tests.emulator.demo import (
    DOMAIN_ID,
    DOMAIN_NAME,
    PASSWORD,
    PROJECT_ID,
    PROJECT_NAME,
    TOKENS,
    USER_ID,
    USER_NAME,
    demo_auth,
)

__all__ = [
    "DOMAIN_ID",
    "DOMAIN_NAME",
    "PASSWORD",
    "PROJECT_ID",
    "PROJECT_NAME",
    "TOKENS",
    "USER_ID",
    "USER_NAME",
    "password_auth",
]

# The identity tests' names for the demo login (tests/emulator/demo.py holds it once).
password_auth = demo_auth


def token_auth(token_id: str, scope: dict[str, Any] | None = None) -> dict[str, Any]:
    """A re-scope body: the ``token`` method."""
    auth: dict[str, Any] = {"identity": {"methods": ["token"], "token": {"id": token_id}}}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def state_of(app: Flask) -> EmulatorState:
    state: EmulatorState = app.extensions[STATE_KEY]
    return state


@pytest.fixture
def app() -> Flask:
    return create_app({"region": "jp-east-1"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def issue(client: FlaskClient, body: dict[str, Any] | None = None, query: str = "") -> str:
    """Issue a token (asserting 201) and return its value."""
    response = client.post(TOKENS + query, json=body or password_auth())
    assert response.status_code == 201, response.get_json()
    return str(response.headers["X-Subject-Token"])


def assert_keystone_error(response: Any, code: int, message: str | None = None) -> dict[str, Any]:
    """Status and Keystone's ``{"error": {code, title, message}}`` body (keystone/exception.py)."""
    titles = {
        400: "Bad Request",
        401: "Unauthorized",
        404: "Not Found",
        405: "Method Not Allowed",
        413: "Request Entity Too Large",
    }
    assert response.status_code == code, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["title"] == titles[code]
    if message is not None:
        assert error["message"] == message
    if code == 401:
        assert response.headers["WWW-Authenticate"] == 'Keystone uri="http://localhost/identity"'
    body: dict[str, Any] = error
    return body
