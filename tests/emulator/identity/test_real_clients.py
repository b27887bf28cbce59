"""Over a real socket: plain HTTP and keystoneauth1 (Password plugin + Session) against the app.

The app runs on the project's own ``EmulatorServer`` (waitress on 127.0.0.1, port 0, in a thread).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openstack
import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic as ks_generic
from keystoneauth1.identity import v3 as ks_v3

from emulator import EmulatorServer
from tests.emulator.identity.conftest import (
    DOMAIN_NAME,
    PASSWORD,
    PROJECT_ID,
    PROJECT_NAME,
    USER_NAME,
    password_auth,
)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(region="jp-east-3") as running:
        yield running
        running.check_errors()


def _url(server: EmulatorServer) -> str:
    return server.url


def test_post_tokens_over_http_returns_201_with_catalog_on_the_socket_host(
    server: EmulatorServer,
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    body = json.dumps(password_auth())
    connection.request(
        "POST", "/identity/v3/auth/tokens", body, {"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    payload = json.loads(response.read())
    assert response.status == 201
    assert response.getheader("X-Subject-Token")
    assert response.getheader("x-openstack-request-id", "").startswith("req-")
    compute = next(s for s in payload["token"]["catalog"] if s["type"] == "compute")
    public = next(e for e in compute["endpoints"] if e["interface"] == "public")
    assert public["url"] == f"{_url(server)}/compute/v2.1/{PROJECT_ID}"

    connection.request("GET", "/identity/v3/auth/tokens", headers={"X-Auth-Token": "bad"})
    response = connection.getresponse()
    assert response.status == 401
    assert json.loads(response.read())["error"]["title"] == "Unauthorized"
    assert response.getheader("WWW-Authenticate") == f'Keystone uri="{_url(server)}/identity"'
    connection.close()


def _password_plugin(server: EmulatorServer, password: str = PASSWORD) -> ks_v3.Password:
    return ks_v3.Password(
        auth_url=f"{_url(server)}/identity/v3",
        username=USER_NAME,
        password=password,
        user_domain_name=DOMAIN_NAME,
        project_name=PROJECT_NAME,
        project_domain_name=DOMAIN_NAME,
    )


def test_keystoneauth1_discovers_authenticates_and_finds_compute(server: EmulatorServer) -> None:
    session = ks_session.Session(auth=_password_plugin(server))
    token = session.get_token()
    assert token
    assert session.get_project_id() == PROJECT_ID
    endpoint = session.get_endpoint(
        service_type="compute", interface="public", region_name="jp-east-3"
    )
    assert endpoint == f"{_url(server)}/compute/v2.1/{PROJECT_ID}"
    # The token works for validation through the same session.
    response = session.get(
        f"{_url(server)}/identity/v3/auth/tokens",
        headers={"X-Subject-Token": token},
        authenticated=True,
    )
    assert response.status_code == 200
    assert response.json()["token"]["project"]["id"] == PROJECT_ID


def test_keystoneauth1_generic_plugin_discovers_v3_from_unversioned_url(
    server: EmulatorServer,
) -> None:
    # GET /identity answers 300 with the versions list; keystoneauth picks v3 from it.
    plugin = ks_generic.Password(
        auth_url=f"{_url(server)}/identity",
        user_id="d476b7a6a9a74d00b78bc87a3e87de7b",
        password=PASSWORD,
        project_id=PROJECT_ID,
    )
    session = ks_session.Session(auth=plugin)
    assert session.get_token()
    assert session.get_endpoint(service_type="identity", interface="public") == (
        f"{_url(server)}/identity/v3"
    )


# openstacksdk warns about its own influxdb support on every connect; not ours to fix.
@pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK60Warning")
def test_openstacksdk_connects_and_reads_the_catalog(server: EmulatorServer) -> None:
    connection = openstack.connect(
        auth_url=f"{_url(server)}/identity/v3",
        username=USER_NAME,
        password=PASSWORD,
        user_domain_name=DOMAIN_NAME,
        project_id=PROJECT_ID,
        region_name="jp-east-3",
        identity_api_version="3",
        load_envvars=False,
        load_yaml_config=False,
    )
    try:
        connection.authorize()
        assert connection.current_project_id == PROJECT_ID
        endpoint = connection.endpoint_for("compute")
        assert endpoint == f"{_url(server)}/compute/v2.1/{PROJECT_ID}"
    finally:
        connection.close()


def test_keystoneauth1_wrong_password_raises_unauthorized(server: EmulatorServer) -> None:
    session = ks_session.Session(auth=_password_plugin(server, password="wrong"))
    with pytest.raises(ks_exceptions.Unauthorized) as caught:
        session.get_token()
    assert caught.value.http_status == 401


def test_openstack_cli_token_issue_discovers_and_authenticates(server: EmulatorServer) -> None:
    cli = Path(sys.executable).parent / "openstack"
    if not cli.exists():
        pytest.skip("python-openstackclient is not installed in this environment")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "OS_AUTH_URL": f"{_url(server)}/identity/v3",
        "OS_USERNAME": USER_NAME,
        "OS_PASSWORD": PASSWORD,
        "OS_USER_DOMAIN_NAME": DOMAIN_NAME,
        "OS_PROJECT_NAME": PROJECT_NAME,
        "OS_PROJECT_DOMAIN_NAME": DOMAIN_NAME,
        "OS_REGION_NAME": "jp-east-3",
        "OS_IDENTITY_API_VERSION": "3",
        "OS_INTERFACE": "public",
    }
    # -c keeps the token value itself out of the captured output.
    result = subprocess.run(
        [str(cli), "token", "issue", "-f", "json", "-c", "project_id", "-c", "user_id"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "project_id": PROJECT_ID,
        "user_id": "d476b7a6a9a74d00b78bc87a3e87de7b",
    }
