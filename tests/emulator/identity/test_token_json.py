"""Token responses are what ``jsonify`` sends: compact JSON, the catalog as the token's last key.

The catalog follows the request's host and the token's project.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.identity.catalog import build_catalog
from tests.emulator.identity.conftest import TOKENS, issue, password_auth, state_of


def compact(data: bytes) -> dict[str, Any]:
    """The parsed body, after checking it is jsonify's compact form (key order kept, newline)."""
    parsed: dict[str, Any] = json.loads(data)
    assert data == (json.dumps(parsed, separators=(",", ":")) + "\n").encode()
    return parsed


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:5000", "keystone.example:35357"])
def test_issued_and_validated_tokens_carry_the_catalog_last(
    app: Flask, client: FlaskClient, host: str
) -> None:
    issued = client.post(TOKENS, json=password_auth(), headers={"Host": host})
    assert issued.status_code == 201
    token = issued.headers["X-Subject-Token"]
    validated = client.get(
        TOKENS, headers={"X-Auth-Token": token, "X-Subject-Token": token, "Host": host}
    )
    assert validated.status_code == 200
    for response in (issued, validated):
        body = compact(response.data)["token"]
        assert list(body)[-1] == "catalog"
        base = f"http://{host}"
        assert body["catalog"] == build_catalog(
            state_of(app).config, body["project"]["id"], f"{base}/{{}}".format
        )
        assert response.mimetype == "application/json"


def test_nocatalog_and_unscoped_tokens_have_no_catalog(client: FlaskClient) -> None:
    without = client.post(TOKENS + "?nocatalog", json=password_auth())
    unscoped = client.post(TOKENS, json=password_auth(scope=None))
    for response in (without, unscoped):
        assert response.status_code == 201
        assert "catalog" not in compact(response.data)["token"]


def test_debug_mode_pretty_prints_the_token_like_jsonify(app: Flask, client: FlaskClient) -> None:
    app.debug = True
    token = issue(client)
    response = client.get(TOKENS, headers={"X-Auth-Token": token, "X-Subject-Token": token})
    assert response.data.startswith(b'{\n  "token": {\n')
    assert list(response.get_json()["token"])[-1] == "catalog"
