"""GET servers, servers/detail, servers/{id} and flavors: bodies, filters, links.

The reference body is the seed document's example (export-preparation.ja.txt step 5), kept
verbatim in seed_example_server.json.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.seed import load_default_seed, server_seed_from_dict
from tests.emulator.compute.conftest import (
    PROJECT_ID,
    SERVER_ID,
    Api,
    fault,
    issue_token,
    seed_example,
    state_of,
)
from tests.emulator.demo import demo_auth

SECOND_ID = "6a1f0c1e-8a4b-4f7d-9c3e-2b5d7e9f1a2c"


def add_second_server(app: Flask, **fields: Any) -> None:
    spec = server_seed_from_dict(
        {"id": SECOND_ID, "name": "web-01", "created": "2017-01-01T00:00:00Z", **fields},
        load_default_seed(),
    )
    state_of(app).compute.add_server(spec)


@pytest.mark.parametrize("api_path", ["v2", "v2.1"])
def test_show_has_every_field_of_the_seed_example_with_the_same_types(
    api: Api, api_path: str
) -> None:
    """The key set and JSON types equal the seed document's example (after a stop)."""
    api.stop(api_path)
    server = api.server(api_path)
    example = seed_example()
    assert set(example) <= set(server)
    for key, value in example.items():
        assert type(server[key]) is type(value), key
    if api_path == "v2":
        assert set(server) == set(example)  # legacy v2 adds nothing


def test_show_values_match_the_seed_example_except_host_and_time(api: Api) -> None:
    api.stop()
    server = api.server()
    example = seed_example()
    for key in ("links", "flavor", "updated"):
        server.pop(key)
        example.pop(key)
    assert server == example


def test_progress_is_shown_for_active_servers_only(api: Api) -> None:
    """nova views/servers.py _progress_statuses: ACTIVE has "progress": 0, SHUTOFF none."""
    assert api.server()["progress"] == 0
    api.stop()
    assert "progress" not in api.server()


def test_error_server_shows_its_fault(api: Api, app: Flask) -> None:
    """nova views/servers.py: a fault {code, created, message} while status is ERROR."""
    state_of(app).compute.set_state(SERVER_ID, "ERROR")
    server = api.server()
    assert (server["status"], server["fault"]["code"]) == ("ERROR", 500)
    assert set(server["fault"]) == {"code", "created", "message"}
    api.stop()  # nova lets an ERROR server be stopped
    assert "fault" not in api.server()


def test_detail_paging_link_points_at_detail(api: Api, app: Flask) -> None:
    add_second_server(app)
    page = api.get(f"/compute/v2/{PROJECT_ID}/servers/detail?limit=1").get_json()
    assert page["servers_links"][0]["href"] == (
        f"http://localhost/compute/v2/{PROJECT_ID}/servers/detail?limit=1&marker={SECOND_ID}"
    )


def test_links_point_at_the_requests_own_host(api: Api) -> None:
    server = api.server("v2.1")
    assert server["links"] == [
        {"href": f"http://localhost/compute/v2.1/{PROJECT_ID}/servers/{SERVER_ID}", "rel": "self"},
        {"href": f"http://localhost/compute/{PROJECT_ID}/servers/{SERVER_ID}", "rel": "bookmark"},
    ]
    assert server["flavor"] == {
        "id": "11",
        "links": [{"href": f"http://localhost/compute/{PROJECT_ID}/flavors/11", "rel": "bookmark"}],
    }


def test_image_is_a_dict_with_links_when_the_server_has_one(api: Api, app: Flask) -> None:
    add_second_server(app, image="70a599e0-31e7-49b7-b260-868f441e862b")
    image = api.server(server_id=SECOND_ID)["image"]
    assert image == {
        "id": "70a599e0-31e7-49b7-b260-868f441e862b",
        "links": [
            {
                "href": f"http://localhost/compute/{PROJECT_ID}/images/70a599e0-31e7-49b7-b260-868f441e862b",
                "rel": "bookmark",
            }
        ],
    }


def test_list_gives_id_links_name(api: Api) -> None:
    body = api.get(f"/compute/v2/{PROJECT_ID}/servers").get_json()
    assert body == {
        "servers": [
            {
                "id": SERVER_ID,
                "links": [
                    {
                        "href": f"http://localhost/compute/v2/{PROJECT_ID}/servers/{SERVER_ID}",
                        "rel": "self",
                    },
                    {
                        "href": f"http://localhost/compute/{PROJECT_ID}/servers/{SERVER_ID}",
                        "rel": "bookmark",
                    },
                ],
                "name": "Win2012R2SE",
            }
        ]
    }


def names(api: Api, query: str, detail: bool = True) -> list[str]:
    path = "servers/detail" if detail else "servers"
    response = api.get(f"/compute/v2/{PROJECT_ID}/{path}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [s["name"] for s in response.get_json()["servers"]]


def test_name_filter_is_a_regex_search_like_nova(api: Api, app: Flask) -> None:
    add_second_server(app)
    assert names(api, "name=2012") == ["Win2012R2SE"]
    assert names(api, "name=^web-0[0-9]$", detail=False) == ["web-01"]
    assert sorted(names(api, "name=.")) == ["Win2012R2SE", "web-01"]
    assert names(api, "name=nomatch") == []
    assert names(api, "name=(") == []  # a broken regex is matched literally, never a 500


def test_status_filter_and_deleted_false(api: Api, app: Flask) -> None:
    add_second_server(app, status="SHUTOFF")
    assert names(api, "status=SHUTOFF") == ["web-01"]
    assert names(api, "status=active&deleted=False") == ["Win2012R2SE"]
    assert sorted(names(api, "status=ACTIVE&status=SHUTOFF")) == ["Win2012R2SE", "web-01"]
    assert names(api, "all_tenants=1&sort_key=name&whatever=1") != []  # unknown filters ignored


def test_status_active_lists_a_server_that_is_powering_off(manual_api: Api) -> None:
    """Nova filters status=ACTIVE by vm_state: a server powering off is still listed."""
    manual_api.stop()
    response = manual_api.get(f"/compute/v2/{PROJECT_ID}/servers?status=ACTIVE")
    assert [s["id"] for s in response.get_json()["servers"]] == [SERVER_ID]
    response = manual_api.get(f"/compute/v2/{PROJECT_ID}/servers?status=SHUTOFF")
    assert response.get_json()["servers"] == []


def test_unknown_status_is_an_empty_list_before_2_38_and_400_after(api: Api) -> None:
    """nova servers.py _get_servers: 'Invalid status value' from microversion 2.38."""
    assert names(api, "status=RUNNING") == []
    response = api.get(
        f"/compute/v2.1/{PROJECT_ID}/servers?status=RUNNING", microversion="compute 2.38"
    )
    assert fault(response) == (400, "badRequest", "Invalid status value")


def test_newest_first_and_limit_marker_paging(api: Api, app: Flask) -> None:
    add_second_server(app)
    assert names(api, "") == ["web-01", "Win2012R2SE"]  # created_at desc, like Nova
    page = api.get(f"/compute/v2/{PROJECT_ID}/servers?limit=1").get_json()
    assert [s["name"] for s in page["servers"]] == ["web-01"]
    assert page["servers_links"] == [
        {
            "href": f"http://localhost/compute/v2/{PROJECT_ID}/servers?limit=1&marker={SECOND_ID}",
            "rel": "next",
        }
    ]
    assert names(api, f"limit=1&marker={SECOND_ID}") == ["Win2012R2SE"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=abc", "limit param must be an integer"),
        ("limit=-1", "limit param must be positive"),
        ("marker=nope", "marker [nope] not found"),
    ],
)
def test_bad_paging_parameters_are_400(api: Api, query: str, message: str) -> None:
    """nova/api/openstack/common.py get_pagination_params / servers.py marker lookup."""
    assert fault(api.get(f"/compute/v2/{PROJECT_ID}/servers?{query}")) == (
        400,
        "badRequest",
        message,
    )


def test_other_projects_servers_are_invisible(api: Api, app: Flask) -> None:
    spec = server_seed_from_dict({"id": SECOND_ID, "name": "theirs"}, load_default_seed())
    other = type(spec)(**{**spec.__dict__, "project_id": "0123456789abcdef0123456789abcdef"})
    state_of(app).compute.add_server(other)
    assert names(api, "") == ["Win2012R2SE"]
    assert fault(api.get(f"/compute/v2/{PROJECT_ID}/servers/{SECOND_ID}"))[0:2] == (
        404,
        "itemNotFound",
    )


def test_observer_may_read(observer: Api) -> None:
    assert observer.server()["id"] == SERVER_ID


def test_flavor_show_and_lists(api: Api) -> None:
    flavor = api.get(f"/compute/v2/{PROJECT_ID}/flavors/11").get_json()["flavor"]
    assert flavor == {
        "id": "11",
        "name": "S-2",
        "ram": 8192,
        "disk": 0,
        "swap": "",
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "OS-FLV-DISABLED:disabled": False,
        "vcpus": 2,
        "os-flavor-access:is_public": True,
        "rxtx_factor": 1.0,
        "links": [
            {"href": f"http://localhost/compute/v2/{PROJECT_ID}/flavors/11", "rel": "self"},
            {"href": f"http://localhost/compute/{PROJECT_ID}/flavors/11", "rel": "bookmark"},
        ],
    }
    # python-openstackclient sends is_public=None literally
    detail = api.get(f"/compute/v2.1/{PROJECT_ID}/flavors/detail?is_public=None").get_json()
    assert [f["id"] for f in detail["flavors"]] == ["11"]
    summary = api.get(f"/compute/v2.1/{PROJECT_ID}/flavors").get_json()
    assert set(summary["flavors"][0]) == {"id", "links", "name"}
    assert api.get(f"/compute/v2/{PROJECT_ID}/flavors/detail?minRam=9000").get_json() == {
        "flavors": []
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("flavors/99", "Flavor 99 could not be found."),
        ("flavors/detail?minRam=x", "Invalid minRam filter [x]"),
    ],
)
def test_flavor_errors(api: Api, url: str, message: str) -> None:
    """nova/exception.py FlavorNotFound; flavors.py min filters (is_public: test_flavors.py)."""
    status = 404 if "99" in url else 400
    key = "itemNotFound" if status == 404 else "badRequest"
    assert fault(api.get(f"/compute/v2/{PROJECT_ID}/{url}")) == (status, key, message)


def test_links_use_the_real_fjcloud_hostnames_in_mock_mode() -> None:
    """endpoint_style fjcloud-hosts: links as in the seed example, host + /v2/<project>/…"""
    app = create_app({"endpoint_style": "fjcloud-hosts", "region": "jp-east-1"})
    client = app.test_client()
    api = Api(client, issue_token(client))
    server = api.server()
    host = "https://compute.jp-east-1.cloud.global.fujitsu.com"
    assert server["links"][0]["href"] == f"{host}/v2/{PROJECT_ID}/servers/{SERVER_ID}"
    assert server["links"][1]["href"] == f"{host}/{PROJECT_ID}/servers/{SERVER_ID}"
    assert server["flavor"]["links"][0]["href"] == f"{host}/{PROJECT_ID}/flavors/11"


def test_unscoped_token_is_400_project_mismatch(client: FlaskClient) -> None:
    """An unscoped token has no project: Nova's check compares against None."""
    token = client.post("/identity/v3/auth/tokens", json=demo_auth(scope=None)).headers[
        "X-Subject-Token"
    ]
    response = client.get(f"/compute/v2/{PROJECT_ID}/servers", headers={"X-Auth-Token": token})
    assert fault(response) == (
        400,
        "badRequest",
        f"Malformed request URL: URL's project_id '{PROJECT_ID}' doesn't match Context's "
        "project_id 'None'",
    )
