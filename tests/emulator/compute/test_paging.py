"""Server lists are paged like Nova's: never more than ``[api] max_limit`` servers per page.

nova/api/openstack/common.py: ``get_limit_and_marker`` caps ``limit`` at ``CONF.api.max_limit``
(default 1000, nova/conf/api.py); ``ViewBuilder._get_next_link`` adds a ``servers_links`` "next"
link when a page is full, carrying the request's own query parameters (sorted) and the marker.
"""

from __future__ import annotations

from typing import Any

import pytest

from emulator import create_app
from emulator.seed import load_default_seed, server_seed_from_dict
from tests.emulator.compute.conftest import PROJECT_ID, Api, issue_token, state_of


@pytest.fixture
def small_pages() -> Api:
    """An emulator whose max_limit is 2, with 5 servers in the demo project."""
    app = create_app({"timing": "immediate", "max_limit": 2})
    for i in range(4):
        spec = server_seed_from_dict({"name": f"extra-{i}"}, load_default_seed())
        state_of(app).compute.add_server(spec)
    client = app.test_client()
    return Api(client, issue_token(client))


def follow(api: Api, url: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Every server name over all pages, and the links seen on the way."""
    names: list[str] = []
    links: list[dict[str, Any]] = []
    while url:
        body = api.get(url).get_json()
        names += [s["name"] for s in body["servers"]]
        page_links = body.get("servers_links", [])
        links += page_links
        url = page_links[0]["href"].replace("http://localhost", "") if page_links else ""
    return names, links


@pytest.mark.parametrize("collection", ["servers", "servers/detail"])
def test_pages_never_exceed_max_limit_and_link_to_the_next(
    small_pages: Api, collection: str
) -> None:
    first = small_pages.get(f"/compute/v2/{PROJECT_ID}/{collection}").get_json()
    assert len(first["servers"]) == 2
    marker = first["servers"][-1]["id"]
    assert first["servers_links"] == [
        {
            "href": f"http://localhost/compute/v2/{PROJECT_ID}/{collection}?marker={marker}",
            "rel": "next",
        }
    ]
    names, _ = follow(small_pages, f"/compute/v2/{PROJECT_ID}/{collection}")
    assert len(names) == len(set(names)) == 5


def test_a_larger_limit_is_capped_and_filters_ride_along(small_pages: Api) -> None:
    body = small_pages.get(
        f"/compute/v2.1/{PROJECT_ID}/servers/detail?status=ACTIVE&limit=50"
    ).get_json()
    assert len(body["servers"]) == 2
    marker = body["servers"][-1]["id"]
    assert body["servers_links"][0]["href"] == (
        f"http://localhost/compute/v2.1/{PROJECT_ID}/servers/detail"
        f"?limit=50&status=ACTIVE&marker={marker}"  # sorted params, then the marker (OrderedDict)
    )


def test_default_max_limit_is_novas_1000() -> None:
    app = create_app()
    assert state_of(app).config.max_limit == 1000


def test_the_marker_is_found_even_when_the_filters_exclude_it(small_pages: Api) -> None:
    """nova/compute/instance_list.py get_marker_record looks the marker up without the filters."""
    first = small_pages.get(f"/compute/v2/{PROJECT_ID}/servers").get_json()["servers"]
    names, _ = follow(small_pages, f"/compute/v2/{PROJECT_ID}/servers")  # newest first
    marker = first[1]["id"]  # the second newest
    excluded = small_pages.get(
        f"/compute/v2/{PROJECT_ID}/servers?marker={marker}&name=^{names[3]}$"
    ).get_json()
    assert [s["name"] for s in excluded["servers"]] == [names[3]]
    # The marker itself filtered out: still a marker, not a 400.
    response = small_pages.get(
        f"/compute/v2/{PROJECT_ID}/servers?marker={marker}&name=^{names[0]}$"
    )
    assert response.status_code == 200
    assert response.get_json()["servers"] == []
