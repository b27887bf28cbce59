"""Helpers of the compatibility suite: client factories, catalog facts and request-log queries."""

from __future__ import annotations

from typing import Any

import openstack
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3 as ks_v3

from emulator.compute.microversions import MAX_VERSION
from emulator.handle import ControlMethods

# region -> the compute version its catalog advertises (emulator/config.py REGIONS)
REGION_CATALOGS = {"jp-east-1": "v2", "jp-east-3": "v2.1"}
SERVER_NAME = "Win2012R2SE"
# The emulator's maximum compute microversion; clients negotiate min(theirs, this) on /v2.1.
MAX_MICROVERSION = str(MAX_VERSION)
# Fast client-side polling: the emulator answers in milliseconds.
POLL_INTERVAL = 0.01
POLL_WAIT = 10
# openstacksdk warns about its own internals (Resource._compute_attributes, influxdb metrics) on
# every call: PendingDeprecationWarnings that are not ours to fix and that pyproject's
# "error" filter would turn into failures. Only those two classes are ignored.
SDK_OWN_WARNINGS = [
    pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK50Warning"),
    pytest.mark.filterwarnings("ignore::openstack.warnings.RemovedInSDK60Warning"),
]


def compute_version(cloud: ControlMethods) -> str:
    """``"v2"`` or ``"v2.1"``: what the cloud's catalog advertises for compute."""
    return REGION_CATALOGS[cloud.region]


def compute_endpoint(cloud: ControlMethods) -> str:
    """The catalog's public compute endpoint, e.g. ``<COMPUTE>/v2/<project_id>``."""
    return f"{cloud.compute_url}/{compute_version(cloud)}/{cloud.project_id}"


def password_plugin(cloud: ControlMethods, password: str | None = None) -> ks_v3.Password:
    """keystoneauth1's v3 password plugin for the cloud's demo user, scoped to its project."""
    credentials = cloud.credentials
    return ks_v3.Password(
        auth_url=credentials["OS_AUTH_URL"],
        username=credentials["OS_USERNAME"],
        password=credentials["OS_PASSWORD"] if password is None else password,
        user_domain_name=credentials["OS_USER_DOMAIN_NAME"],
        project_id=credentials["OS_PROJECT_ID"],
    )


def keystone_session(cloud: ControlMethods) -> ks_session.Session:
    """A keystoneauth1 session authenticating with :func:`password_plugin`."""
    return ks_session.Session(auth=password_plugin(cloud))


def sdk_connect(
    cloud: ControlMethods, password: str | None = None
) -> openstack.connection.Connection:
    """``openstack.connect`` from the cloud's ``OS_*`` values, ignoring env vars and clouds.yaml."""
    credentials = cloud.credentials
    return openstack.connect(
        auth_url=credentials["OS_AUTH_URL"],
        username=credentials["OS_USERNAME"],
        password=credentials["OS_PASSWORD"] if password is None else password,
        user_domain_name=credentials["OS_USER_DOMAIN_NAME"],
        project_id=credentials["OS_PROJECT_ID"],
        project_domain_name=credentials["OS_PROJECT_DOMAIN_NAME"],
        region_name=credentials["OS_REGION_NAME"],
        identity_api_version=credentials["OS_IDENTITY_API_VERSION"],
        interface=credentials["OS_INTERFACE"],
        load_envvars=False,
        load_yaml_config=False,
    )


def token_requests(cloud: ControlMethods) -> list[dict[str, Any]]:
    """The request log's ``POST /identity/v3/auth/tokens`` entries (token issues)."""
    return [
        entry
        for entry in cloud.requests_log()
        if entry["method"] == "POST" and entry["path"] == "/identity/v3/auth/tokens"
    ]


def compute_requests(cloud: ControlMethods) -> list[dict[str, Any]]:
    """The request log's compute entries."""
    return [entry for entry in cloud.requests_log() if entry["service"] == "compute"]
