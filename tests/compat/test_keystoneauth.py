"""keystoneauth1 sessions against the emulator: password auth, the catalog, re-auth on expiry.

keystoneauth1 is what openstacksdk, novaclient and the CLI authenticate with; here it is used
directly, as automation without the SDK does (``Session`` + ``identity.v3.Password``).
"""

from __future__ import annotations

import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic as ks_generic
from keystoneauth1.identity import v3 as ks_v3

from emulator.handle import ControlMethods
from tests.compat.helpers import (
    SERVER_NAME,
    compute_endpoint,
    keystone_session,
    password_plugin,
    token_requests,
)

COMPUTE = {"service_type": "compute", "interface": "public"}


def test_password_auth_scopes_the_project_and_finds_compute(cloud: ControlMethods) -> None:
    session = keystone_session(cloud)

    assert session.get_token()
    assert session.get_project_id() == cloud.project_id
    assert session.get_user_id() is not None
    endpoint = session.get_endpoint(
        service_type="compute", interface="public", region_name=cloud.region
    )
    assert endpoint == compute_endpoint(cloud)
    identity = session.get_endpoint(service_type="identity", interface="public")
    assert identity == cloud.auth_url

    response = session.get("/servers", endpoint_filter={**COMPUTE, "region_name": cloud.region})
    assert response.status_code == 200
    assert [s["name"] for s in response.json()["servers"]] == [SERVER_NAME]
    # One token for both calls: the session caches it.
    assert len(token_requests(cloud)) == 1


def test_wrong_password_is_unauthorized_with_keystones_body(cloud: ControlMethods) -> None:
    session = ks_session.Session(auth=password_plugin(cloud, password="not-the-password"))

    with pytest.raises(ks_exceptions.Unauthorized) as caught:
        session.get_token()
    assert caught.value.http_status == 401
    # keystone/exception.py Unauthorized: "The request you have made requires authentication."
    assert "The request you have made requires authentication." in str(caught.value)
    assert [e["status"] for e in token_requests(cloud)] == [401]


def test_expired_token_is_replaced_by_reauthentication(cloud: ControlMethods) -> None:
    session = keystone_session(cloud)
    first_token = session.get_token()
    endpoint_filter = {**COMPUTE, "region_name": cloud.region}
    server_path = f"/servers/{cloud.server_ids[0]}"
    assert session.get(server_path, endpoint_filter=endpoint_filter).status_code == 200

    # The emulator's clock passes the 3 h token lifetime; the client's clock does not, so
    # keystoneauth sends the old token, gets Keystone's 401 and re-authenticates once
    # (keystoneauth1/session.py Session.request: allow_reauth → invalidate → get_token).
    cloud.advance_clock(3 * 3600 + 1)
    response = session.get(server_path, endpoint_filter=endpoint_filter)

    assert response.status_code == 200
    assert response.json()["server"]["id"] == cloud.server_ids[0]
    assert session.get_token() != first_token
    assert [e["status"] for e in token_requests(cloud)] == [201, 201]
    fetches = [e for e in cloud.requests_log() if e["path"].endswith(server_path)]
    assert [e["status"] for e in fetches] == [200, 401, 200]
    # The 401 is Keystone's (keystonemiddleware in front of Nova), pointing at the identity URL.
    rejected = fetches[1]
    assert rejected["response_body"]["error"]["code"] == 401
    assert rejected["response_headers"]["WWW-Authenticate"].startswith('Keystone uri="')


def test_expired_token_without_reauth_raises_unauthorized(cloud: ControlMethods) -> None:
    session = keystone_session(cloud)
    session.get_token()
    cloud.advance_clock(3 * 3600 + 1)

    with pytest.raises(ks_exceptions.Unauthorized) as caught:
        session.get(
            f"/servers/{cloud.server_ids[0]}",
            endpoint_filter={**COMPUTE, "region_name": cloud.region},
            allow_reauth=False,
        )
    assert caught.value.http_status == 401
    assert len(token_requests(cloud)) == 1


def test_generic_plugin_discovers_v3_from_the_unversioned_identity_url(
    cloud: ControlMethods,
) -> None:
    """``GET <identity>/`` answers Keystone's versions list; the v3 link carries the same host."""
    credentials = cloud.credentials
    unversioned = credentials["OS_AUTH_URL"].removesuffix("/v3")
    plugin = ks_generic.Password(
        auth_url=unversioned,
        username=credentials["OS_USERNAME"],
        password=credentials["OS_PASSWORD"],
        user_domain_name=credentials["OS_USER_DOMAIN_NAME"],
        project_name=credentials["OS_PROJECT_NAME"],
        project_domain_name=credentials["OS_PROJECT_DOMAIN_NAME"],
    )
    session = ks_session.Session(auth=plugin)

    assert session.get_project_id() == cloud.project_id
    assert session.get_endpoint(
        service_type="compute", interface="public", region_name=cloud.region
    ) == compute_endpoint(cloud)
    discovery = cloud.requests_log()[0]
    # On a socket the client asks for "/identity"; through the mock, for "https://identity…/".
    assert discovery["method"] == "GET"
    assert discovery["path"] in ("/identity", "/identity/")
    assert discovery["status"] == 300


def test_token_method_rescopes_an_existing_token(cloud: ControlMethods) -> None:
    first = keystone_session(cloud)
    token = first.get_token()
    assert token is not None
    rescoped = ks_session.Session(
        auth=ks_v3.Token(auth_url=cloud.auth_url, token=token, project_id=cloud.project_id)
    )

    assert rescoped.get_project_id() == cloud.project_id
    assert rescoped.get_token() != token
    methods = [e["request_body"]["auth"]["identity"]["methods"] for e in token_requests(cloud)]
    assert methods == [["password"], ["token"]]
    response = rescoped.get(
        f"/servers/{cloud.server_ids[0]}", endpoint_filter={**COMPUTE, "region_name": cloud.region}
    )
    assert response.status_code == 200


def test_lockout_after_five_wrong_passwords_then_unlock_after_fifteen_minutes(
    cloud: ControlMethods,
) -> None:
    """FJcloud-O: 5 wrong passwords within 15 minutes lock the user for 15 minutes."""
    for _ in range(5):
        wrong = ks_session.Session(auth=password_plugin(cloud, password="not-the-password"))
        with pytest.raises(ks_exceptions.Unauthorized):
            wrong.get_token()

    with pytest.raises(ks_exceptions.Unauthorized) as caught:
        keystone_session(cloud).get_token()
    # keystone/exception.py AccountLocked: "The account is locked for user: %(user_id)s."
    assert "The account is locked for user: " in str(caught.value)

    cloud.advance_clock(15 * 60 + 1)
    assert keystone_session(cloud).get_project_id() == cloud.project_id
    assert [e["status"] for e in token_requests(cloud)] == [401] * 6 + [201]
