"""The request log: what is recorded, and that every secret is masked as ``***``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.control.requestlog import MAX_LOGGED_BODY, MAX_TEXT, mask_body, mask_json
from tests.emulator.control.conftest import DEMO_AUTH


def log(client: FlaskClient) -> list[dict[str, Any]]:
    response = client.get("/_emulator/requests")
    assert response.status_code == 200
    entries: list[dict[str, Any]] = response.json["requests"]  # type: ignore[index]
    return entries


def test_password_auth_is_logged_with_password_and_token_masked(client: FlaskClient) -> None:
    issued = client.post("/identity/v3/auth/tokens?nocatalog", json=DEMO_AUTH)
    token = issued.headers["X-Subject-Token"]
    client.get(
        "/identity/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}
    )
    first, second = log(client)
    assert (first["method"], first["path"], first["query"], first["status"]) == (
        "POST",
        "/identity/v3/auth/tokens",
        "nocatalog",
        201,
    )
    assert first["service"] == "identity"
    password = first["request_body"]["auth"]["identity"]["password"]["user"]["password"]
    assert password == "***"
    assert first["response_headers"]["X-Subject-Token"] == "***"
    assert first["response_body"]["token"]["user"]["name"] == "demo-user"
    assert second["request_headers"]["X-Auth-Token"] == "***"
    assert second["request_headers"]["X-Subject-Token"] == "***"
    everything = json.dumps(log(client))
    assert token not in everything
    assert "demo-password" not in everything


def test_token_method_id_and_admin_pass_are_masked() -> None:
    body = {
        "auth": {"identity": {"methods": ["token"], "token": {"id": "gAAAA-secret"}}},
        "server": {"metadata": {"admin_pass": "Password0"}, "adminPass": "x", "id": "keep-me"},
    }
    masked = mask_json(body)
    assert masked["auth"]["identity"]["token"]["id"] == "***"
    assert masked["server"]["metadata"]["admin_pass"] == "***"
    assert masked["server"]["adminPass"] == "***"
    assert masked["server"]["id"] == "keep-me"  # only a token's id is a secret


def test_text_bodies_are_kept_with_password_patterns_masked() -> None:
    assert mask_body(b'{"password": "x"') == '{"password": "***"'
    assert mask_body(b"") is None
    assert mask_body(b"plain") == "plain"


def test_control_plane_requests_are_not_logged_and_delete_clears(client: FlaskClient) -> None:
    client.get("/identity/v3")
    client.get("/_emulator/state")
    assert [entry["path"] for entry in log(client)] == ["/identity/v3"]
    assert client.delete("/_emulator/requests").status_code == 204
    assert log(client) == []


def test_entries_are_numbered_and_carry_the_request_id(client: FlaskClient) -> None:
    client.get("/identity/")
    client.get("/identity/v3")
    first, second = log(client)
    assert (first["seq"], second["seq"]) == (1, 2)
    assert second["response_headers"]["x-openstack-request-id"].startswith("req-")
    assert second["fault"] is None
    assert second["dropped"] is False


def test_deeply_nested_bodies_never_break_the_log(client: FlaskClient) -> None:
    # Found by hand: logging a 100,000-deep JSON array recursed until Python gave up (a 500).
    for depth in (40, 100_000):
        body = "[" * depth + "]" * depth
        response = client.post(
            "/identity/v3/auth/tokens", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, depth
    logged = [entry["request_body"] for entry in log(client)]
    assert logged[0] == [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["***"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
    assert isinstance(logged[1], str)  # too deep for json: kept as text, cut at 4 KiB
    assert len(logged[1]) == 4096


def test_deeply_nested_control_body_is_400(client: FlaskClient) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/_emulator/faults", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json == {
        "error": {"code": 400, "message": "the request body is not valid JSON"}
    }


def test_token_echoed_in_keystones_404_body_is_masked(client: FlaskClient) -> None:
    # keystone/exception.py TokenNotFound: "Could not find token: <token>." (compat finding F2)
    token = client.post("/identity/v3/auth/tokens", json=DEMO_AUTH).headers["X-Subject-Token"]
    client.delete(
        "/identity/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}
    )
    other = client.post("/identity/v3/auth/tokens", json=DEMO_AUTH).headers["X-Subject-Token"]
    missing = client.get(
        "/identity/v3/auth/tokens", headers={"X-Auth-Token": other, "X-Subject-Token": token}
    )
    assert missing.status_code == 404
    assert token in missing.get_data(as_text=True)  # Keystone's own message echoes it
    entry = log(client)[-1]
    assert entry["response_body"]["error"]["message"] == "Could not find token: ***."
    assert token not in json.dumps(log(client))
    assert other not in json.dumps(log(client))


@pytest.mark.parametrize(
    ("body", "secret"),
    [
        # Reliability finding F7: bodies that are not valid JSON are logged as text.
        (b'{"auth": {"identity": {"password": {"user": {"password": "cut-off-secret', "cut-off"),
        (b'{"auth": {"identity": {"methods": ["token"], "token": {"id": "tok-1234567"}}}', "tok-1"),
        (b'{"password": unquoted-secret, "x"', "unquoted"),
        (b'{"adminPass": "escaped \\" secret-tail"', "secret-tail"),
    ],
)
def test_text_bodies_mask_cut_off_and_token_values(body: bytes, secret: str) -> None:
    masked = mask_body(body)
    assert isinstance(masked, str)
    assert secret not in masked
    assert '"***"' in masked


def test_seed_passwords_are_masked_by_value_anywhere(client: FlaskClient) -> None:
    client.post("/identity/v3/auth/tokens", data=b"demo-password?", content_type="text/plain")
    assert "demo-password" not in json.dumps(log(client))


def test_a_large_body_is_logged_cut_with_its_size_and_secrets_still_masked(
    client: FlaskClient,
) -> None:
    """Each entry keeps at most MAX_LOGGED_BODY bytes of a body, so memory stays bounded."""
    for i in range(200):  # servers/detail then answers well over the cap
        client.post("/_emulator/servers", json={"name": f"bulk-{i}"})
    issued = client.post("/identity/v3/auth/tokens?nocatalog", json=DEMO_AUTH)
    token = issued.headers["X-Subject-Token"]
    project = issued.json["token"]["project"]["id"]  # type: ignore[index]
    detail = client.get(f"/compute/v2/{project}/servers/detail", headers={"X-Auth-Token": token})
    assert len(detail.data) > MAX_LOGGED_BODY
    entry = log(client)[-1]
    assert entry["response_body_bytes"] == len(detail.data)
    assert isinstance(entry["response_body"], str)  # cut JSON is kept as (masked) text
    assert len(entry["response_body"]) <= MAX_TEXT
    assert "Password0" not in json.dumps(log(client))  # admin_pass of the seed's server


def test_a_password_in_the_url_is_masked_in_path_and_query(client: FlaskClient) -> None:
    # Found by tests/reliability/test_fuzz.py: a client may put anything in a URL, the seed's
    # passwords included; the log masks them there as it does in headers and bodies.
    password = DEMO_AUTH["auth"]["identity"]["password"]["user"]["password"]
    client.get(f"/compute/v2/x/servers?name={password}")
    client.get(f"/identity/{password}")

    entries = log(client)

    assert [(e["path"], e["query"]) for e in entries] == [
        ("/compute/v2/x/servers", "name=***"),
        ("/identity/***", ""),
    ]
    assert password not in json.dumps(entries)
