"""Discovery documents and microversion negotiation (nova/api/openstack/compute/versions.py,
nova/api/openstack/wsgi.py set_api_version_request, nova/api/openstack/api_version_request.py)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from emulator.compute.microversions import APIVersion
from tests.emulator.compute.conftest import PROJECT_ID, Api, fault, server_url

V21_DOC = {
    "id": "v2.1",
    "status": "CURRENT",
    "version": "2.60",
    "min_version": "2.1",
    "updated": "2013-07-23T11:33:21Z",
    "links": [
        {"rel": "self", "href": "http://localhost/compute/v2.1/"},
        {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"},
    ],
    "media-types": [
        {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}
    ],
}


@pytest.mark.parametrize("path", ["/compute/", "/compute"])
def test_versions_list_is_unauthenticated(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    versions = response.get_json()["versions"]
    assert [(v["id"], v["status"], v["version"], v["min_version"]) for v in versions] == [
        ("v2.0", "SUPPORTED", "", ""),
        ("v2.1", "CURRENT", "2.60", "2.1"),
    ]
    assert versions[1]["links"] == [{"rel": "self", "href": "http://localhost/compute/v2.1/"}]


@pytest.mark.parametrize("path", ["/compute/v2.1", "/compute/v2.1/"])
def test_v21_version_document(client: FlaskClient, path: str) -> None:
    """What keystoneauth/openstacksdk fetch first (they request /compute/v2.1 without slash)."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.get_json() == {"version": V21_DOC}


@pytest.mark.parametrize("path", ["/compute/v2", "/compute/v2/"])
def test_v2_version_document_is_legacy(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    doc = response.get_json()["version"]
    assert (doc["id"], doc["status"], doc["version"], doc["min_version"]) == (
        "v2.0",
        "SUPPORTED",
        "",
        "",
    )
    assert doc["media-types"][0]["type"] == "application/vnd.openstack.compute+json;version=2"
    assert "OpenStack-API-Version" not in response.headers


def test_version_document_under_the_project_needs_a_token(client: FlaskClient, api: Api) -> None:
    """Nova's ProjectMapper also routes /{project_id}/ to the version 'show' (behind auth)."""
    assert client.get(f"/compute/v2.1/{PROJECT_ID}/").status_code == 401
    assert api.get(f"/compute/v2.1/{PROJECT_ID}/").get_json() == {"version": V21_DOC}
    assert api.get(f"/compute/v2.1/{PROJECT_ID}").status_code == 200


def test_no_header_means_2_1(api: Api) -> None:
    response = api.get(server_url("v2.1"))
    assert response.headers["OpenStack-API-Version"] == "compute 2.1"
    assert response.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    assert response.headers["Vary"] == "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
    assert "locked" not in response.get_json()["server"]


@pytest.mark.parametrize(
    ("version", "added"),
    [
        (
            "2.3",
            {
                "OS-EXT-SRV-ATTR:hostname",
                "OS-EXT-SRV-ATTR:reservation_id",
                "OS-EXT-SRV-ATTR:user_data",
            },
        ),
        ("2.9", {"locked"}),
        ("2.19", {"description"}),
        ("2.26", {"tags"}),
    ],
)
def test_fields_appear_from_their_microversion(api: Api, version: str, added: set[str]) -> None:
    before = APIVersion.parse(version)
    previous = f"{before.major}.{before.minor - 1}"
    assert not added & set(api.server("v2.1", microversion=f"compute {previous}"))
    assert added <= set(api.server("v2.1", microversion=f"compute {version}"))


def test_flavor_is_embedded_from_2_47(api: Api) -> None:
    assert set(api.server("v2.1", microversion="compute 2.46")["flavor"]) == {"id", "links"}
    assert api.server("v2.1", microversion="compute 2.47")["flavor"] == {
        "vcpus": 2,
        "ram": 8192,
        "disk": 0,
        "ephemeral": 0,
        "swap": 0,
        "original_name": "S-2",
        "extra_specs": {},
    }


def test_latest_and_legacy_header(api: Api) -> None:
    response = api.get(server_url("v2.1"), microversion="compute latest")
    assert response.headers["OpenStack-API-Version"] == "compute 2.60"
    response = api.get(server_url("v2.1"), legacy_microversion="2.9")
    assert response.headers["X-OpenStack-Nova-API-Version"] == "2.9"
    assert "locked" in response.get_json()["server"]


def test_new_header_wins_and_other_services_are_ignored(api: Api) -> None:
    response = api.get(server_url("v2.1"), microversion="compute 2.10", legacy_microversion="2.20")
    assert response.headers["OpenStack-API-Version"] == "compute 2.10"
    response = api.get(server_url("v2.1"), microversion="volume 3.59")
    assert response.headers["OpenStack-API-Version"] == "compute 2.1"
    response = api.get(server_url("v2.1"), microversion="volume 3.59, compute 2.19")
    assert response.headers["OpenStack-API-Version"] == "compute 2.19"


@pytest.mark.parametrize("version", ["9.9", "2.61", "2.0", "1.1"])
def test_out_of_range_is_406(api: Api, version: str) -> None:
    """nova/exception.py InvalidGlobalAPIVersion; 406 has no name in Fault._fault_names."""
    response = api.get(server_url("v2.1"), microversion=f"compute {version}")
    assert fault(response) == (
        406,
        "computeFault",
        f"Version {version} is not supported by the API. Minimum is 2.1 and maximum is 2.60.",
    )


@pytest.mark.parametrize("version", ["abc", "2", "2.01", "2.x", "compute"])
def test_malformed_version_is_400(api: Api, version: str) -> None:
    """nova/exception.py InvalidAPIVersionString."""
    response = api.get(server_url("v2.1"), legacy_microversion=version)
    assert fault(response) == (
        400,
        "badRequest",
        f"API Version String {version} is of invalid format. Must be of format MajorNum.MinorNum.",
    )


def test_blank_version_header_counts_as_absent(api: Api) -> None:
    response = api.get(server_url("v2.1"), legacy_microversion=" ")
    assert response.headers["OpenStack-API-Version"] == "compute 2.1"


def test_v2_ignores_microversion_headers(api: Api) -> None:
    """/v2 is v2.1 in legacy mode: headers ignored, none sent back."""
    response = api.get(server_url("v2"), microversion="compute 9.9")
    assert response.status_code == 200
    for name in ("OpenStack-API-Version", "X-OpenStack-Nova-API-Version", "Vary"):
        assert name not in response.headers
    assert "locked" not in response.get_json()["server"]


def test_auth_comes_before_the_microversion_check(client: FlaskClient) -> None:
    response = client.get(server_url("v2.1"), headers={"OpenStack-API-Version": "compute 9.9"})
    assert response.status_code == 401


def test_errors_on_v21_carry_the_version_headers(api: Api) -> None:
    response = api.get(server_url("v2.1", server_id="nope"), microversion="compute 2.20")
    assert fault(response)[0] == 404
    assert response.headers["OpenStack-API-Version"] == "compute 2.20"


def test_every_response_has_both_request_id_headers(api: Api, client: FlaskClient) -> None:
    """nova/api/compute_req_id.py: x-compute-request-id equals x-openstack-request-id."""
    for response in (
        client.get("/compute/"),
        client.get("/compute/no/such/path"),
        api.get(server_url()),
        api.stop(),
        api.stop(),
        client.get(server_url()),
    ):
        request_id = response.headers["x-openstack-request-id"]
        assert request_id.startswith("req-")
        assert response.headers["x-compute-request-id"] == request_id
