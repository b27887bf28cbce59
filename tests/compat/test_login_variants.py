"""The ways automation logs in: names or ids, a user id, an existing token, unscoped, domain scope.

Each openstacksdk variant must reach the compute API; keystoneauth's unscoped token has no
catalog (Keystone's rule), and a domain-scoped request is refused with FJcloud-O's message.
"""

from __future__ import annotations

from typing import Any

import openstack
import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3 as ks_v3

from emulator.handle import ControlMethods
from tests.compat.helpers import SDK_OWN_WARNINGS, keystone_session, token_requests

pytestmark = SDK_OWN_WARNINGS

DOMAIN_ID = "5a1c6f4ed1e24ea6a1d0c9a1e5c0d001"  # the demo contract's domain (default_seed.yaml)
USER_ID = "d476b7a6a9a74d00b78bc87a3e87de7b"


def login_fields(cloud: ControlMethods, variant: str) -> dict[str, Any]:
    """``openstack.connect`` auth fields for one way of naming the user and the project."""
    credentials = cloud.credentials
    password = credentials["OS_PASSWORD"]
    user_by_name = {
        "username": credentials["OS_USERNAME"],
        "password": password,
        "user_domain_name": credentials["OS_USER_DOMAIN_NAME"],
    }
    if variant == "project-name":
        return {
            **user_by_name,
            "project_name": credentials["OS_PROJECT_NAME"],
            "project_domain_name": credentials["OS_PROJECT_DOMAIN_NAME"],
        }
    if variant == "domain-ids":
        return {
            "username": credentials["OS_USERNAME"],
            "password": password,
            "user_domain_id": DOMAIN_ID,
            "project_name": credentials["OS_PROJECT_NAME"],
            "project_domain_id": DOMAIN_ID,
        }
    if variant == "user-id":
        return {
            "auth_type": "v3password",
            "user_id": USER_ID,
            "password": password,
            "project_id": cloud.project_id,
        }
    if variant == "existing-token":
        token = keystone_session(cloud).get_token()
        return {"auth_type": "v3token", "token": token, "project_id": cloud.project_id}
    raise ValueError(variant)


@pytest.mark.parametrize("variant", ["project-name", "domain-ids", "user-id", "existing-token"])
def test_sdk_login_variants_reach_compute(cloud: ControlMethods, variant: str) -> None:
    connection = openstack.connect(
        auth_url=cloud.auth_url,
        region_name=cloud.region,
        load_envvars=False,
        load_yaml_config=False,
        **login_fields(cloud, variant),
    )
    try:
        assert connection.compute.get_server(cloud.server_ids[0]).status == "ACTIVE"
        assert connection.current_project_id == cloud.project_id
    finally:
        connection.close()
    methods = [e["request_body"]["auth"]["identity"]["methods"] for e in token_requests(cloud)]
    assert methods[-1] == (["token"] if variant == "existing-token" else ["password"])


def test_unscoped_token_has_no_catalog(cloud: ControlMethods) -> None:
    credentials = cloud.credentials
    plugin = ks_v3.Password(
        auth_url=credentials["OS_AUTH_URL"],
        username=credentials["OS_USERNAME"],
        password=credentials["OS_PASSWORD"],
        user_domain_name=credentials["OS_USER_DOMAIN_NAME"],
    )
    session = ks_session.Session(auth=plugin)
    access = plugin.get_access(session)

    assert (access.scoped, access.project_id) == (False, None)
    assert access.user_id == USER_ID
    # keystone/token/token_formatters + providers: no scope, no catalog.
    with pytest.raises(ks_exceptions.EmptyCatalog):
        session.get_endpoint(service_type="compute", interface="public")


def test_domain_scope_is_refused_with_fjcloud_message(cloud: ControlMethods) -> None:
    credentials = cloud.credentials
    plugin = ks_v3.Password(
        auth_url=credentials["OS_AUTH_URL"],
        username=credentials["OS_USERNAME"],
        password=credentials["OS_PASSWORD"],
        user_domain_name=credentials["OS_USER_DOMAIN_NAME"],
        domain_name=credentials["OS_USER_DOMAIN_NAME"],
    )
    with pytest.raises(ks_exceptions.BadRequest) as caught:
        ks_session.Session(auth=plugin).get_token()

    assert caught.value.http_status == 400
    # The seed document, step 2: 認証トークンのスコープにドメインは指定できません。
    assert "認証トークンのスコープにドメインは指定できません" in str(caught.value)
    (request,) = token_requests(cloud)
    assert request["request_body"]["auth"]["scope"] == {
        "domain": {"name": credentials["OS_USER_DOMAIN_NAME"]}
    }


@pytest.mark.parametrize("suffix", ["/v3/", "", "/"], ids=["v3-slash", "unversioned", "root-slash"])
def test_auth_url_forms_users_paste(cloud: ControlMethods, suffix: str) -> None:
    """``OS_AUTH_URL`` with a trailing slash or without ``/v3`` (keystoneauth discovers v3)."""
    credentials = cloud.credentials
    auth_url = credentials["OS_AUTH_URL"].removesuffix("/v3") + suffix
    connection = openstack.connect(
        auth_url=auth_url,
        username=credentials["OS_USERNAME"],
        password=credentials["OS_PASSWORD"],
        user_domain_name=credentials["OS_USER_DOMAIN_NAME"],
        project_id=credentials["OS_PROJECT_ID"],
        region_name=cloud.region,
        load_envvars=False,
        load_yaml_config=False,
    )
    try:
        assert connection.compute.get_server(cloud.server_ids[0]).status == "ACTIVE"
    finally:
        connection.close()
    discovery = cloud.requests_log()[0]
    # GET <identity>/v3/ answers the v3 version (200); the unversioned root, the list (300).
    assert (discovery["method"], discovery["status"]) == ("GET", 200 if "v3" in suffix else 300)
    assert [e["status"] for e in token_requests(cloud)] == [201]
