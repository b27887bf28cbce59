"""Flavor lists filtered and paged like Nova's.

nova/api/openstack/compute/flavors.py ``_get_flavors``: ``common.get_limit_and_marker`` (``limit``
capped at ``[api] max_limit``), sort by ``flavorid``, an unknown marker is 400 ``marker [x] not
found``; ``is_public`` is read for admins only (``filters['is_public'] = True`` for anyone else).
views/flavors.py ``_list_view`` adds ``flavors_links`` with a "next" link
(common.py ``ViewBuilder._get_collection_links``) when a page is full. Tempest's
``test_list_flavors_using_marker`` / ``test_list_flavors_limit_results`` (and their ``detailed``
twins) assert the marker and limit behaviour.
"""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from emulator import create_app
from emulator.seed import Seed, parse_seed
from tests.emulator.compute.conftest import PROJECT_ID, Api, fault, issue_token

BASE = f"/compute/v2.1/{PROJECT_ID}"
# Deliberately out of order in the seed: the emulator must sort by flavorid (a string, as
# Nova's flavorid column is), so "100" < "11" < "12".
FLAVORS = [
    {"id": "12", "name": "M-4", "vcpus": 4, "ram": 16384, "disk": 0},
    {"id": "11", "name": "S-2", "vcpus": 2, "ram": 8192, "disk": 0},
    {"id": "100", "name": "L-8", "vcpus": 8, "ram": 32768, "disk": 40},
]
SORTED_IDS = ["100", "11", "12"]


def _seed(with_admin: bool) -> Seed:
    """The built-in seed with three flavors (and a project admin when asked)."""
    text = resources.files("emulator").joinpath("default_seed.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    document["flavors"] = FLAVORS
    if with_admin:
        document["roles"].append({"name": "admin"})
        document["users"].append(
            {
                "name": "demo-admin",
                "domain": "demo0001",
                "password": "demo-password",
                "roles": [{"project": "demo-project", "role": "admin"}],
            }
        )
    return parse_seed(document)


@pytest.fixture
def three() -> Api:
    """The demo user (no admin role) on an emulator with three flavors."""
    client = create_app({"seed": _seed(False), "timing": "immediate"}).test_client()
    return Api(client, issue_token(client))


@pytest.fixture
def admin() -> Api:
    """A project admin (role ``admin``) on an emulator with three flavors."""
    client = create_app({"seed": _seed(True), "timing": "immediate"}).test_client()
    return Api(client, issue_token(client, "demo-admin"))


def ids(api: Api, url: str) -> list[str]:
    response = api.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [f["id"] for f in response.get_json()["flavors"]]


@pytest.mark.parametrize("collection", ["flavors", "flavors/detail"])
def test_flavors_are_sorted_by_flavorid_and_start_after_the_marker(
    three: Api, collection: str
) -> None:
    """Tempest test_list_flavors_using_marker: the marker itself is not listed again."""
    assert ids(three, f"{BASE}/{collection}") == SORTED_IDS
    assert ids(three, f"{BASE}/{collection}?marker=100") == ["11", "12"]
    assert ids(three, f"{BASE}/{collection}?marker=11") == ["12"]
    assert ids(three, f"{BASE}/{collection}?marker=12") == []


@pytest.mark.parametrize("collection", ["flavors", "flavors/detail"])
def test_limit_cuts_the_page_and_links_to_the_next(three: Api, collection: str) -> None:
    """Tempest test_list_flavors_limit_results; the link as common.py _get_next_link builds it."""
    body = three.get(f"{BASE}/{collection}?limit=1").get_json()
    assert [f["id"] for f in body["flavors"]] == ["100"]
    assert body["flavors_links"] == [
        {
            "href": f"http://localhost/compute/v2.1/{PROJECT_ID}/{collection}?limit=1&marker=100",
            "rel": "next",
        }
    ]
    # Following the links visits every flavor once; the last full page links on, the short
    # (here: empty) page after it does not.
    seen: list[str] = []
    url = f"{BASE}/{collection}?limit=2&minDisk=0"
    while url:
        body = three.get(url).get_json()
        seen += [f["id"] for f in body["flavors"]]
        links = body.get("flavors_links", [])
        url = links[0]["href"].removeprefix("http://localhost") if links else ""
    assert seen == SORTED_IDS
    second = three.get(f"{BASE}/{collection}?limit=2&marker=11&minDisk=0").get_json()
    assert "flavors_links" not in second


def test_the_next_link_keeps_filters_sorted_and_replaces_the_marker(three: Api) -> None:
    body = three.get(f"{BASE}/flavors?minRam=1&marker=100&limit=1").get_json()
    assert [f["id"] for f in body["flavors"]] == ["11"]
    assert body["flavors_links"][0]["href"] == (
        f"http://localhost/compute/v2.1/{PROJECT_ID}/flavors?limit=1&marker=11&minRam=1"
    )


def test_no_link_when_the_page_is_not_full(three: Api) -> None:
    body = three.get(f"{BASE}/flavors?limit=5").get_json()
    assert [f["id"] for f in body["flavors"]] == SORTED_IDS
    assert "flavors_links" not in body


def test_max_limit_caps_a_page_like_nova_api_max_limit() -> None:
    app = create_app({"seed": _seed(False), "timing": "immediate", "max_limit": 2})
    client = app.test_client()
    api = Api(client, issue_token(client))
    body = api.get(f"/compute/v2/{PROJECT_ID}/flavors/detail?limit=50").get_json()
    assert [f["id"] for f in body["flavors"]] == ["100", "11"]
    assert body["flavors_links"][0]["href"].endswith("/flavors/detail?limit=50&marker=11")


@pytest.mark.parametrize("collection", ["flavors", "flavors/detail"])
def test_an_unknown_marker_is_a_bad_request(three: Api, collection: str) -> None:
    """flavors.py: exception.MarkerNotFound -> HTTPBadRequest "marker [%s] not found"."""
    response = three.get(f"{BASE}/{collection}?marker=nope")
    assert fault(response) == (400, "badRequest", "marker [nope] not found")


def test_the_marker_is_found_even_when_the_filters_exclude_it(three: Api) -> None:
    # _flavor_get_all_from_db looks the marker row up without the request's filters.
    assert ids(three, f"{BASE}/flavors?marker=100&minDisk=1") == []


@pytest.mark.parametrize("value", ["false", "0", "maybe", "none"])
def test_is_public_is_ignored_for_a_non_admin(three: Api, value: str) -> None:
    """flavors.py _get_flavors: not context.is_admin -> filters['is_public'] = True."""
    assert ids(three, f"{BASE}/flavors?is_public={value}") == SORTED_IDS
    assert ids(three, f"{BASE}/flavors/detail?is_public={value}") == SORTED_IDS


def test_is_public_is_parsed_for_an_admin(admin: Api) -> None:
    """flavors.py _parse_is_public: "none" all, a strict boolean otherwise, else 400."""
    assert ids(admin, f"{BASE}/flavors?is_public=none") == SORTED_IDS
    assert ids(admin, f"{BASE}/flavors?is_public=true") == SORTED_IDS
    assert ids(admin, f"{BASE}/flavors?is_public=false") == []  # every emulated flavor is public
    response = admin.get(f"{BASE}/flavors?is_public=maybe")
    assert fault(response) == (400, "badRequest", "Invalid is_public filter [maybe]")
