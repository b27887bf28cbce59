"""POST /identity/v3/auth/tokens: methods, scopes, token body and catalog.

Source for the body: keystone/api/auth.py + keystone/common/render_token.py; the FJcloud-O
rules (domain scope refused, 3 h lifetime) from shared/reference/fjcloud-o.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask.testing import FlaskClient

from emulator.app import create_app
from tests.emulator.identity.conftest import (
    DOMAIN_ID,
    DOMAIN_NAME,
    PROJECT_ID,
    PROJECT_NAME,
    TOKENS,
    USER_ID,
    USER_NAME,
    assert_keystone_error,
    password_auth,
    token_auth,
)


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")


def test_password_project_scope_returns_201_with_full_token_body_keystone_api_auth(
    client: FlaskClient,
) -> None:
    response = client.post(TOKENS, json=password_auth())
    assert response.status_code == 201
    token_id = response.headers["X-Subject-Token"]
    assert len(token_id) >= 22  # >= 128 bits of randomness in url-safe base64
    token = response.get_json()["token"]
    assert token["methods"] == ["password"]
    assert token["user"] == {
        "domain": {"id": DOMAIN_ID, "name": DOMAIN_NAME},
        "id": USER_ID,
        "name": USER_NAME,
        "password_expires_at": None,
    }
    assert token["project"] == {
        "domain": {"id": DOMAIN_ID, "name": DOMAIN_NAME},
        "id": PROJECT_ID,
        "name": PROJECT_NAME,
    }
    assert token["is_domain"] is False
    assert token["roles"] == [{"id": "9fe2ff9ee4384b1894a90878d3e92bab", "name": "cpf_systemowner"}]
    assert len(token["audit_ids"]) == 1
    lifetime = _parse(token["expires_at"]) - _parse(token["issued_at"])
    assert lifetime == timedelta(hours=3)  # FJcloud-O: tokens live 3 hours
    assert token_id not in response.get_data(as_text=True)
    assert response.headers["Vary"] == "X-Auth-Token"  # keystone/server/flask/application.py


def test_catalog_jp_east_1_lists_every_service_with_three_interfaces(
    client: FlaskClient,
) -> None:
    catalog = client.post(TOKENS, json=password_auth()).get_json()["token"]["catalog"]
    by_type = {service["type"]: service for service in catalog}
    assert set(by_type) == {
        "identity", "compute", "volumev2", "image", "object-store", "import-export",
    }  # fmt: skip
    assert by_type["identity"]["name"] == "keystone"
    assert by_type["compute"]["name"] == "nova"
    for service in catalog:
        assert service["id"]
        assert sorted(e["interface"] for e in service["endpoints"]) == [
            "admin",
            "internal",
            "public",
        ]
        for endpoint in service["endpoints"]:
            assert endpoint["id"]
            assert endpoint["region"] == endpoint["region_id"] == "jp-east-1"
    compute_urls = {e["url"] for e in by_type["compute"]["endpoints"]}
    assert compute_urls == {f"http://localhost/compute/v2/{PROJECT_ID}"}
    identity_urls = {e["url"] for e in by_type["identity"]["endpoints"]}
    assert identity_urls == {"http://localhost/identity/v3"}
    urls = {t: {e["url"] for e in s["endpoints"]} for t, s in by_type.items()}
    assert urls["volumev2"] == {f"http://localhost/blockstorage/v2/{PROJECT_ID}"}
    assert urls["image"] == {"http://localhost/image"}
    assert urls["object-store"] == {f"http://localhost/objectstorage/v1/AUTH_{PROJECT_ID}"}
    assert urls["import-export"] == {"http://localhost/import-export"}


def test_catalog_jp_east_3_points_compute_at_v2_1() -> None:
    client = create_app({"region": "jp-east-3"}).test_client()
    catalog = client.post(TOKENS, json=password_auth()).get_json()["token"]["catalog"]
    compute = next(s for s in catalog if s["type"] == "compute")
    assert {e["url"] for e in compute["endpoints"]} == {
        f"http://localhost/compute/v2.1/{PROJECT_ID}"
    }
    assert {e["region"] for e in compute["endpoints"]} == {"jp-east-3"}


def test_nocatalog_drops_the_catalog_keystone_api_auth(client: FlaskClient) -> None:
    response = client.post(TOKENS + "?nocatalog", json=password_auth())
    assert response.status_code == 201
    token = response.get_json()["token"]
    assert "catalog" not in token
    assert token["project"]["id"] == PROJECT_ID


def test_user_by_id_and_user_by_name_with_domain_id(client: FlaskClient) -> None:
    by_id = client.post(TOKENS, json=password_auth(user={"id": USER_ID}))
    assert by_id.status_code == 201
    by_domain_id = client.post(
        TOKENS, json=password_auth(user={"name": USER_NAME, "domain": {"id": DOMAIN_ID}})
    )
    assert by_domain_id.status_code == 201
    assert by_domain_id.get_json()["token"]["user"]["id"] == USER_ID


def test_project_scope_by_name_and_domain_name_or_id(client: FlaskClient) -> None:
    for domain in ({"name": DOMAIN_NAME}, {"id": DOMAIN_ID}):
        scope = {"project": {"name": PROJECT_NAME, "domain": domain}}
        response = client.post(TOKENS, json=password_auth(scope=scope))
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["token"]["project"]["id"] == PROJECT_ID


def test_unscoped_token_has_no_project_roles_or_catalog_like_keystone(client: FlaskClient) -> None:
    response = client.post(TOKENS, json=password_auth(scope=None))
    assert response.status_code == 201
    token = response.get_json()["token"]
    for key in ("project", "roles", "catalog", "is_domain"):
        assert key not in token
    assert token["user"]["id"] == USER_ID


def test_rescope_unscoped_token_to_project_keeps_expiry_and_chains_audit_ids(
    client: FlaskClient,
) -> None:
    first = client.post(TOKENS, json=password_auth(scope=None))
    unscoped = first.get_json()["token"]
    scoped = client.post(
        TOKENS,
        json=token_auth(first.headers["X-Subject-Token"], {"project": {"id": PROJECT_ID}}),
    )
    assert scoped.status_code == 201
    token = scoped.get_json()["token"]
    assert token["project"]["id"] == PROJECT_ID
    assert token["expires_at"] == unscoped["expires_at"]  # keystone: re-scope keeps the expiry
    assert token["audit_ids"][1] == unscoped["audit_ids"][0]
    assert set(token["methods"]) == {"password", "token"}
    assert scoped.headers["X-Subject-Token"] != first.headers["X-Subject-Token"]


def test_rescope_with_unknown_token_is_404_keystone_auth_plugins_token(
    client: FlaskClient,
) -> None:
    response = client.post(
        TOKENS, json=token_auth("no-such-token", {"project": {"id": PROJECT_ID}})
    )
    assert_keystone_error(response, 404, "Could not find token: no-such-token.")
