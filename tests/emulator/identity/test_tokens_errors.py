"""POST /identity/v3/auth/tokens failures: status code and Keystone error body for each.

Sources: keystone/exception.py (classes, titles, messages), keystone/auth/schema.py and
keystone/auth/core.py (validation), keystone/server/flask/request_processing/json_body.py (body
parsing), FJcloud-O (domain scope refused, see shared/reference/fjcloud-o.md).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.identity.errors import DOMAIN_SCOPE_REFUSED_MESSAGE
from emulator.seed import parse_seed
from tests.emulator.identity.conftest import (
    DOMAIN_ID,
    DOMAIN_NAME,
    PROJECT_ID,
    TOKENS,
    USER_NAME,
    assert_keystone_error,
    password_auth,
)

GENERIC_401 = "The request you have made requires authentication."
NOT_COMPLY = (
    "The server could not comply with the request since it is either malformed or otherwise "
    "incorrect. The client is assumed to be in error."
)


def test_domain_scope_is_refused_with_400_naming_the_fjcloud_rule(client: FlaskClient) -> None:
    for domain in ({"id": DOMAIN_ID}, {"name": DOMAIN_NAME}):
        response = client.post(TOKENS, json=password_auth(scope={"domain": domain}))
        error = assert_keystone_error(response, 400, DOMAIN_SCOPE_REFUSED_MESSAGE)
        assert "認証トークンのスコープにドメインは指定できません" in error["message"]
        assert "a token scoped to a domain is not allowed on FJcloud-O" in error["message"]
        assert "X-Subject-Token" not in response.headers


def test_wrong_password_is_401_generic_with_www_authenticate_keystone_exception(
    client: FlaskClient,
) -> None:
    response = client.post(TOKENS, json=password_auth(password="wrong"))
    assert_keystone_error(response, 401, GENERIC_401)
    assert "wrong" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "user",
    [
        {"id": "0" * 32},
        {"name": "nobody", "domain": {"name": DOMAIN_NAME}},
        {"name": USER_NAME, "domain": {"name": "other-contract"}},
        {"name": USER_NAME, "domain": {"id": "f" * 32}},
    ],
    ids=["unknown-id", "unknown-name", "unknown-domain-name", "unknown-domain-id"],
)
def test_unknown_user_or_domain_is_401_keystone_auth_core(
    client: FlaskClient, user: dict[str, Any]
) -> None:
    assert_keystone_error(client.post(TOKENS, json=password_auth(user=user)), 401, GENERIC_401)


@pytest.mark.parametrize(
    "scope",
    [
        {"project": {"id": "0" * 32}},
        {"project": {"name": "no-such-project", "domain": {"name": DOMAIN_NAME}}},
        {"project": {"name": "demo-project", "domain": {"name": "other-contract"}}},
    ],
    ids=["unknown-project-id", "unknown-project-name", "project-in-unknown-domain"],
)
def test_unknown_project_is_401_keystone_auth_core_lookup_project(
    client: FlaskClient, scope: dict[str, Any]
) -> None:
    assert_keystone_error(client.post(TOKENS, json=password_auth(scope=scope)), 401, GENERIC_401)


def test_user_without_role_on_project_is_401_keystone_token_provider() -> None:
    seed_doc = {
        "domains": [{"id": DOMAIN_ID, "name": DOMAIN_NAME}],
        "projects": [
            {"id": PROJECT_ID, "name": "demo-project", "domain": DOMAIN_NAME},
            {"id": "1" * 32, "name": "other-project", "domain": DOMAIN_NAME},
        ],
        "roles": [{"id": "2" * 32, "name": "cpf_systemowner"}],
        "users": [
            {
                "id": "3" * 32,
                "name": "u",
                "domain": DOMAIN_NAME,
                "password": "p",
                "roles": [{"project": "other-project", "role": "cpf_systemowner"}],
            }
        ],
    }
    client = create_app({"seed": parse_seed(seed_doc)}).test_client()
    body = password_auth(user={"id": "3" * 32}, password="p")
    assert_keystone_error(client.post(TOKENS, json=body), 401, GENERIC_401)
    other = password_auth(user={"id": "3" * 32}, password="p", scope={"project": {"id": "1" * 32}})
    assert client.post(TOKENS, json=other).status_code == 201


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "'identity' is a required property"),
        ({"auth": {}}, "'identity' is a required property"),
        ({"auth": {"identity": {}}}, "Invalid input for field 'identity': 'methods' is a required property"),
        (
            {"auth": {"identity": {"methods": "password"}}},
            "Invalid input for field 'identity/methods': 'password' is not of type 'array'",
        ),
        (
            {"auth": {"identity": {"methods": ["password"]}}},
            f"Expecting to find password in identity. {NOT_COMPLY}",
        ),
        (
            {"auth": {"identity": {"methods": ["password"], "password": {}}}},
            f"Expecting to find user in password. {NOT_COMPLY}",
        ),
        (
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {"password": "x"}}}}},
            "Invalid input for field identity/password/user: id or name must be present.",
        ),
        (
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": USER_NAME, "password": "x"}}}}},
            f"Expecting to find domain in user. {NOT_COMPLY}",
        ),
        (
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": USER_NAME, "domain": {}, "password": "x"}}}}},
            "Invalid input for field identity/password/user/domain: id or name must be present.",
        ),
        (
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "x"}}}}},
            f"Expecting to find password in user. {NOT_COMPLY}",
        ),
        (
            {"auth": {"identity": {"methods": ["token"], "token": {}}}},
            "Invalid input for field 'identity/token': 'id' is a required property",
        ),
        (
            password_auth(scope={"project": {"name": "demo-project"}}),
            f"Expecting to find domain in project. {NOT_COMPLY}",
        ),
        (
            password_auth(scope={"project": {}}),
            "Invalid input for field scope/project: id or name must be present.",
        ),
        (
            password_auth(scope={}),
            f"Expecting to find system, project, domain, OS-TRUST:trust or unscoped in scope. {NOT_COMPLY}",
        ),
        (
            password_auth(scope={"system": {"all": True}}),
            "a system scope is not supported on FJcloud-O; scope the token to a project.",
        ),
    ],
    ids=[
        "no-auth", "empty-auth", "no-methods", "methods-not-list", "method-without-section",
        "password-without-user", "user-without-id-or-name", "user-name-without-domain",
        "empty-user-domain", "no-password", "token-without-id", "project-name-without-domain",
        "project-without-id-or-name", "empty-scope", "system-scope",
    ],
)  # fmt: skip
def test_malformed_auth_body_is_400_keystone_validation(
    client: FlaskClient, body: dict[str, Any], message: str
) -> None:
    assert_keystone_error(client.post(TOKENS, json=body), 400, message)


def test_password_of_wrong_type_is_400_without_echoing_it(client: FlaskClient) -> None:
    body: dict[str, Any] = password_auth()
    body["auth"]["identity"]["password"]["user"]["password"] = 12345678
    response = client.post(TOKENS, json=body)
    assert_keystone_error(
        response,
        400,
        "Invalid input for field 'identity/password/user/password': the value is not of type "
        "'string'",
    )
    assert "12345678" not in response.get_data(as_text=True)


def test_unsupported_method_is_401_listing_supported_methods_keystone_exception(
    client: FlaskClient,
) -> None:
    body = {"auth": {"identity": {"methods": ["totp"], "totp": {}}}}
    response = client.post(TOKENS, json=body)
    error = assert_keystone_error(
        response, 401, "Attempted to authenticate with an unsupported method."
    )
    assert error["identity"] == {"methods": ["password", "token"]}


def test_empty_methods_is_401_keystone_authentication(client: FlaskClient) -> None:
    body: dict[str, Any] = {"auth": {"identity": {"methods": []}}}
    assert_keystone_error(client.post(TOKENS, json=body), 401, GENERIC_401)


def test_invalid_json_is_400_keystone_json_body(client: FlaskClient) -> None:
    response = client.post(TOKENS, data="{not json", content_type="application/json")
    assert_keystone_error(
        response, 400, f"Expecting to find valid JSON in request body. {NOT_COMPLY}"
    )


def test_json_that_is_not_an_object_is_400_keystone_json_body(client: FlaskClient) -> None:
    response = client.post(TOKENS, data="[1, 2]", content_type="application/json")
    assert_keystone_error(
        response, 400, f"Expecting to find valid JSON in request body. {NOT_COMPLY}"
    )


def test_non_json_content_type_is_400_like_keystone_not_415(client: FlaskClient) -> None:
    # keystone/server/flask/request_processing/json_body.py answers a wrong Content-Type with a
    # 400 ValidationError; FJcloud-O region 3 also lists 415, but Keystone's code is what runs.
    response = client.post(TOKENS, data="auth=x", content_type="application/x-www-form-urlencoded")
    assert_keystone_error(
        response, 400, f"Expecting to find application/json in Content-Type header. {NOT_COMPLY}"
    )


def test_json_without_content_type_is_accepted_like_keystone(client: FlaskClient) -> None:
    response = client.post(TOKENS, data=json.dumps(password_auth()), content_type="")
    assert response.status_code == 201


def test_body_over_max_body_bytes_is_413_keystone_request_too_large() -> None:
    client = create_app({"max_body_bytes": 1024}).test_client()
    body = password_auth()
    body["auth"]["padding"] = "x" * 2048
    response = client.post(TOKENS, json=body)
    assert_keystone_error(response, 413, "Request is too large.")


def test_wrong_method_on_tokens_is_405_with_allow_header(client: FlaskClient) -> None:
    response = client.put(TOKENS, json={})
    assert_keystone_error(response, 405, "The method is not allowed for the requested URL.")
    assert {"GET", "POST", "DELETE", "HEAD"} <= set(response.headers["Allow"].split(", "))


def test_unknown_identity_path_is_404_in_keystone_format(client: FlaskClient) -> None:
    response = client.get("/identity/v3/no-such-thing")
    assert_keystone_error(response, 404, "The resource could not be found.")
