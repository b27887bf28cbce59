"""Version discovery: ``GET /identity/`` (300 Multiple Choices) and ``GET /identity/v3``.

Source: keystone/api/discovery.py (get_versions returns MULTIPLE_CHOICES; get_version_v3 a
``version`` with id, status, updated, links[self → <base>/v3/], media-types).
"""

from __future__ import annotations

from flask.testing import FlaskClient

from emulator.app import create_app

MEDIA_TYPES = [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]


def test_root_lists_v3_with_300_multiple_choices(client: FlaskClient) -> None:
    for path in ("/identity/", "/identity"):
        response = client.get(path)
        assert response.status_code == 300
        values = response.get_json()["versions"]["values"]
        assert [v["id"] for v in values] == ["v3.14"]
        assert values[0]["links"] == [{"rel": "self", "href": "http://localhost/identity/v3/"}]


def test_v3_document_with_and_without_trailing_slash(client: FlaskClient) -> None:
    for path in ("/identity/v3", "/identity/v3/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.get_json() == {
            "version": {
                "id": "v3.14",
                "status": "stable",
                "updated": "2020-04-07T00:00:00Z",
                "links": [{"rel": "self", "href": "http://localhost/identity/v3/"}],
                "media-types": MEDIA_TYPES,
            }
        }
        assert response.headers["x-openstack-request-id"].startswith("req-")


def test_links_follow_the_request_host(client: FlaskClient) -> None:
    response = client.get("/identity/v3", base_url="http://127.0.0.1:18774")
    href = response.get_json()["version"]["links"][0]["href"]
    assert href == "http://127.0.0.1:18774/identity/v3/"


def test_fjcloud_hosts_style_uses_the_real_hostnames_in_links_and_catalog() -> None:
    client = create_app({"endpoint_style": "fjcloud-hosts", "region": "jp-east-3"}).test_client()
    href = client.get("/identity/v3").get_json()["version"]["links"][0]["href"]
    assert href == "https://identity.jp-east-3.cloud.global.fujitsu.com/v3/"
