"""Fixtures for the compute tests: an app per test, tokens of the seed's demo users, URL helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from emulator.app import create_app
from emulator.compute.backend import ComputeBackend
from emulator.state import STATE_KEY, EmulatorState
from tests.emulator.demo import DOMAIN_NAME, PROJECT_NAME, demo_auth

PROJECT_ID = "790f1c092038413a8dd6771a033b17f5"
SERVER_ID = "dbf93607-f105-4e86-842c-02ae504efe36"
OTHER_PROJECT_ID = "0123456789abcdef0123456789abcdef"
STOP = {"os-stop": None}
START = {"os-start": None}
SEED_EXAMPLE = Path(__file__).with_name("seed_example_server.json")


def seed_example() -> dict[str, Any]:
    """The example response of export-preparation.ja.txt step 5, verbatim."""
    body: dict[str, Any] = json.loads(SEED_EXAMPLE.read_text(encoding="utf-8"))["server"]
    return body


def state_of(app: Flask) -> EmulatorState:
    """The emulator state behind an app."""
    state: EmulatorState = app.extensions[STATE_KEY]
    return state


def issue_token(client: FlaskClient, user: str = "demo-user") -> str:
    """A project-scoped token of a seed user, minted through the real identity API."""
    body = demo_auth(
        user={"name": user, "domain": {"name": DOMAIN_NAME}},
        scope={"project": {"name": PROJECT_NAME, "domain": {"name": DOMAIN_NAME}}},
    )
    response = client.post("/identity/v3/auth/tokens", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.headers["X-Subject-Token"]


def server_url(api: str = "v2", server_id: str = SERVER_ID, project_id: str = PROJECT_ID) -> str:
    """``/compute/<api>/<project>/servers/<id>``."""
    return f"/compute/{api}/{project_id}/servers/{server_id}"


def action_url(api: str = "v2", server_id: str = SERVER_ID, project_id: str = PROJECT_ID) -> str:
    """``…/servers/<id>/action``."""
    return server_url(api, server_id, project_id) + "/action"


def fault(response: TestResponse) -> tuple[int, str, str]:
    """(status, fault key, message) of a Nova fault body; asserts the body's own code matches."""
    body = response.get_json()
    assert isinstance(body, dict), response.get_data(as_text=True)
    assert len(body) == 1, body
    key, inner = next(iter(body.items()))
    assert inner["code"] == response.status_code
    return response.status_code, key, inner["message"]


class Api:
    """A test client that sends a token (and optionally a microversion) on every request."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"X-Auth-Token": self.token, **(extra or {})}

    def get(self, url: str, **headers: str) -> TestResponse:
        return self.client.get(url, headers=self.headers(_h(headers)))

    def post(self, url: str, body: Any, **headers: str) -> TestResponse:
        return self.client.post(url, json=body, headers=self.headers(_h(headers)))

    def stop(self, api: str = "v2", server_id: str = SERVER_ID) -> TestResponse:
        return self.post(action_url(api, server_id), STOP)

    def start(self, api: str = "v2", server_id: str = SERVER_ID) -> TestResponse:
        return self.post(action_url(api, server_id), START)

    def server(self, api: str = "v2", server_id: str = SERVER_ID, **headers: str) -> dict[str, Any]:
        response = self.get(server_url(api, server_id), **headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        body: dict[str, Any] = response.get_json()["server"]
        return body


def _h(headers: dict[str, str]) -> dict[str, str]:
    # Python names cannot carry dashes: open_stack_api_version -> OpenStack-API-Version.
    names = {
        "microversion": "OpenStack-API-Version",
        "legacy_microversion": "X-OpenStack-Nova-API-Version",
    }
    return {names.get(k, k): v for k, v in headers.items()}


@pytest.fixture
def app() -> Flask:
    """A fresh emulator app whose transitions complete inside the request."""
    return create_app({"timing": "immediate"})


@pytest.fixture
def manual_app() -> Flask:
    """A fresh emulator app whose transitions wait for ``advance``."""
    return create_app({"timing": "manual"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def api(client: FlaskClient) -> Api:
    """The demo user (cpf_systemowner) on the immediate app."""
    return Api(client, issue_token(client))


@pytest.fixture
def manual_api(manual_app: Flask) -> Api:
    """The demo user on the manual-timing app."""
    client = manual_app.test_client()
    return Api(client, issue_token(client))


@pytest.fixture
def observer(client: FlaskClient) -> Api:
    """``demo-observer`` (role cpf_observer): may read, may not stop or start."""
    return Api(client, issue_token(client, "demo-observer"))


@pytest.fixture
def backend(app: Flask) -> ComputeBackend:
    return state_of(app).compute
