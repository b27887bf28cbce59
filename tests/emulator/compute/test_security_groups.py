"""``GET servers/{id}/os-security-groups``, as Nova answers it.

api-ref os-security-groups.inc "List Security Groups By Server"; nova/api/openstack/compute/
security_groups.py ``ServerSecurityGroupController.index``: 200 ``{"security_groups": [...]}``,
each ``_format_security_group`` (``id``, ``name``, ``description``, ``tenant_id``, ``rules``),
sorted by ``(tenant_id, name)``; an unknown server is ``common.get_instance``'s 404.
openstacksdk requests it whenever it expands a server.
"""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.seed import load_default_seed, server_seed_from_dict
from tests.emulator.compute.conftest import (
    OTHER_PROJECT_ID,
    PROJECT_ID,
    SERVER_ID,
    Api,
    fault,
    server_url,
    state_of,
)


@pytest.mark.parametrize("api_path", ["v2", "v2.1"])
def test_lists_the_seed_servers_groups(api: Api, api_path: str) -> None:
    response = api.get(server_url(api_path) + "/os-security-groups")
    assert response.status_code == 200
    groups = response.get_json()["security_groups"]
    assert groups == [
        {
            "id": groups[0]["id"],
            "name": "service_secgroup",
            "description": "",
            "tenant_id": PROJECT_ID,
            "rules": [],
        }
    ]
    uuid.UUID(groups[0]["id"])  # Neutron's ids are UUIDs
    # The same group has the same id on every call and every path form.
    again = api.get(server_url("v2") + "/os-security-groups").get_json()["security_groups"]
    assert again[0]["id"] == groups[0]["id"]


def test_groups_are_unique_and_sorted_by_tenant_and_name(app: Flask, api: Api) -> None:
    spec = server_seed_from_dict(
        {"name": "web", "security_groups": ["web", "default", "web"]}, load_default_seed()
    )
    state_of(app).compute.add_server(spec)
    groups = api.get(server_url("v2.1", spec.id) + "/os-security-groups").get_json()
    assert [(g["name"], g["description"]) for g in groups["security_groups"]] == [
        ("default", "Default security group"),
        ("web", ""),
    ]


def test_a_server_without_groups_lists_none(app: Flask, api: Api) -> None:
    spec = server_seed_from_dict({"name": "bare", "security_groups": []}, load_default_seed())
    state_of(app).compute.add_server(spec)
    body = api.get(server_url("v2", spec.id) + "/os-security-groups").get_json()
    assert body == {"security_groups": []}


def test_an_unknown_server_is_404(api: Api) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    response = api.get(server_url("v2.1", missing) + "/os-security-groups")
    assert fault(response) == (404, "itemNotFound", f"Instance {missing} could not be found.")


def test_an_observer_may_list_them(observer: Api) -> None:
    assert observer.get(server_url() + "/os-security-groups").status_code == 200


def test_another_projects_url_and_no_token_are_refused(api: Api, client: FlaskClient) -> None:
    other = api.get(server_url("v2", SERVER_ID, OTHER_PROJECT_ID) + "/os-security-groups")
    assert fault(other)[:2] == (400, "badRequest")
    anonymous = client.get(server_url() + "/os-security-groups")
    assert anonymous.status_code == 401
