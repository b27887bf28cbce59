"""The token requests gophercloud builds from the ``OS_*`` its loader reads (docs/CI.md says what
Go and Terraform users export).

gophercloud openstack/auth_env.go ``AuthOptionsFromEnv`` reads the user's domain from
``OS_DOMAIN_NAME`` / ``OS_DOMAIN_ID`` (not ``OS_USER_DOMAIN_NAME``); auth_options.go
``ToTokenV3CreateMap`` sends it as ``user.domain``, and ``ToTokenV3ScopeMap`` scopes to
``OS_PROJECT_ID``, or to ``OS_PROJECT_NAME`` in that same domain, or — with no project — to the
domain itself, which FJcloud-O refuses ("The token's scope may not be a domain").
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.identity.errors import DOMAIN_SCOPE_REFUSED_MESSAGE

PROJECT_ID = "790f1c092038413a8dd6771a033b17f5"
DOMAIN_ID = "5a1c6f4ed1e24ea6a1d0c9a1e5c0d001"


def gophercloud_body(domain: dict[str, str], scope: dict[str, Any] | None) -> dict[str, Any]:
    """What ToTokenV3CreateMap builds for OS_USERNAME + OS_PASSWORD + OS_DOMAIN_NAME/ID."""
    body: dict[str, Any] = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": "demo-user", "password": "demo-password", "domain": domain}
                },
            }
        }
    }
    if scope is not None:
        body["auth"]["scope"] = scope
    return body


@pytest.fixture
def client() -> FlaskClient:
    return create_app().test_client()


@pytest.mark.parametrize("domain", [{"name": "demo0001"}, {"id": DOMAIN_ID}])
@pytest.mark.parametrize("project_by", ["OS_PROJECT_ID", "OS_PROJECT_NAME"])
def test_a_project_with_os_domain_name_or_id_gets_a_project_token(
    client: FlaskClient, domain: dict[str, str], project_by: str
) -> None:
    if project_by == "OS_PROJECT_ID":
        scope = {"project": {"id": PROJECT_ID}}
    else:  # a project by name is looked up in the same OS_DOMAIN_* (ToTokenV3ScopeMap)
        scope = {"project": {"name": "demo-project", "domain": domain}}
    response = client.post("/identity/v3/auth/tokens", json=gophercloud_body(domain, scope))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["token"]["project"]["id"] == PROJECT_ID


def test_no_project_means_a_domain_scope_which_fjcloud_refuses(client: FlaskClient) -> None:
    scope = {"domain": {"name": "demo0001"}}  # ToTokenV3ScopeMap without OS_PROJECT_*
    response = client.post(
        "/identity/v3/auth/tokens", json=gophercloud_body({"name": "demo0001"}, scope)
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == DOMAIN_SCOPE_REFUSED_MESSAGE
