"""OpenStack's own response schemas as the oracle: Tempest's compute clients against the emulator.

Tempest (``tempest.lib``) ships a JSON schema for every Nova response and microversion range
(``tempest/lib/api_schema/response/compute/...``) and clients that pick the schema for the
requested microversion (``BaseComputeClient.get_schema`` over each client's
``schema_versions_info``) and validate every body with jsonschema (``RestClient.validate_response``),
and check that a ``/v2.1`` response echoes the microversion asked for. Here those clients talk to
the thread server over HTTP, on a ``/v2`` catalog (jp-east-1, no microversions) and a ``/v2.1`` one
(jp-east-3) at the start of every schema range Tempest knows, up to the maximum the emulator
advertises — so a new field or a new microversion cannot drift from real Nova unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tempest.lib import auth
from tempest.lib.common.api_microversion_fixture import APIMicroversionFixture
from tempest.lib.common.api_version_request import APIVersionRequest
from tempest.lib.services.compute.flavors_client import FlavorsClient
from tempest.lib.services.compute.servers_client import ServersClient
from tempest.lib.services.compute.versions_client import VersionsClient

import emulator
from emulator.compute.microversions import MAX_VERSION
from tests.compat.helpers import REGION_CATALOGS

# Servers in every state and shape the emulator can render (the seed's ACTIVE server is there too).
EXTRA_SERVERS: list[dict[str, Any]] = [
    {"name": "stopped", "status": "SHUTOFF", "key_name": "ops", "metadata": {"role": "db"}},
    {"name": "from-image", "image": "7d3f0a8e-0c1b-4a7e-9d6f-2b5c8e1a4f00", "locked": True},
    {"name": "no-groups", "security_groups": [], "launched_at": None},
]


def range_starts(schema_versions_info: list[dict[str, Any]]) -> list[str]:
    """Each schema range's first microversion up to the emulator's maximum ("2.1" for None)."""
    advertised = APIVersionRequest(str(MAX_VERSION))
    starts = [info["min"] or "2.1" for info in schema_versions_info]
    return [v for v in starts if APIVersionRequest(v) <= advertised]


def cases(schema_versions_info: list[dict[str, Any]]) -> list[Any]:
    """(region, microversion): /v2 without one; /v2.1 without one and at every range start."""
    params = []
    for region, api in REGION_CATALOGS.items():
        versions: list[str | None] = [None]
        if api == "v2.1":
            versions += range_starts(schema_versions_info)
        params += [pytest.param(region, v, id=f"{api}-{v or 'none'}") for v in versions]
    return params


@pytest.fixture
def seeded(thread_servers: dict[str, emulator.EmulatorServer]) -> Iterator[None]:
    """Every thread server back at the seed plus ``EXTRA_SERVERS`` (one of them in ERROR)."""
    for server in thread_servers.values():
        server.reset()
        for fields in EXTRA_SERVERS:
            server.add_server(**fields)
        broken = server.add_server(name="broken")
        server.set_server_state(broken["id"], "ERROR")  # rendered with a "fault"
    yield
    for server in thread_servers.values():
        server.check_errors()


def provider(server: emulator.EmulatorServer) -> auth.KeystoneV3AuthProvider:
    """Tempest's Keystone v3 auth provider for the demo user, scoped to the demo project."""
    credentials = server.credentials
    return auth.KeystoneV3AuthProvider(
        auth.KeystoneV3Credentials(
            username=credentials["OS_USERNAME"],
            password=credentials["OS_PASSWORD"],
            user_domain_name=credentials["OS_USER_DOMAIN_NAME"],
            project_id=credentials["OS_PROJECT_ID"],
        ),
        credentials["OS_AUTH_URL"],
    )


def client(cls: Any, servers: dict[str, emulator.EmulatorServer], region: str) -> Any:
    """A Tempest compute client of ``cls`` for the region's catalog (public interface)."""
    return cls(provider(servers[region]), "compute", region)


@pytest.fixture
def microversion(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The test's microversion, set the way Tempest's own tests set it (its fixture)."""
    version: str | None = request.param
    fixture = APIMicroversionFixture(compute_microversion=version)
    fixture.setUp()
    yield version
    fixture.cleanUp()


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(
    ("region", "microversion"), cases(ServersClient.schema_versions_info), indirect=["microversion"]
)
def test_server_bodies_match_tempests_schemas(
    thread_servers: dict[str, emulator.EmulatorServer], region: str, microversion: str | None
) -> None:
    servers = client(ServersClient, thread_servers, region)
    # Each call raises tempest.lib.exceptions.InvalidHTTPResponseBody on a schema mismatch.
    listed = servers.list_servers()["servers"]
    assert len(listed) == 1 + len(EXTRA_SERVERS) + 1
    detailed = servers.list_servers(detail=True)["servers"]
    assert {s["status"] for s in detailed} == {"ACTIVE", "SHUTOFF", "ERROR"}
    for summary in listed:
        servers.show_server(summary["id"])
        servers.list_security_groups_by_server(summary["id"])
    paged = servers.list_servers(detail=True, limit=1)  # with a servers_links next link
    assert paged["servers_links"][0]["rel"] == "next"
    servers.list_servers(limit=1)


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(
    ("region", "microversion"), cases(FlavorsClient.schema_versions_info), indirect=["microversion"]
)
def test_flavor_bodies_match_tempests_schemas(
    thread_servers: dict[str, emulator.EmulatorServer], region: str, microversion: str | None
) -> None:
    flavors = client(FlavorsClient, thread_servers, region)
    listed = flavors.list_flavors()["flavors"]
    flavors.list_flavors(detail=True)
    for flavor in listed:
        flavors.show_flavor(flavor["id"])
    # Tempest's test_list_flavors_limit_results / _using_marker, schema-checked.
    paged = flavors.list_flavors(detail=True, limit=1)
    assert len(paged["flavors"]) == 1
    assert paged["flavors_links"][0]["rel"] == "next"
    after = flavors.list_flavors(marker=listed[0]["id"])["flavors"]
    assert listed[0]["id"] not in [f["id"] for f in after]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("region", list(REGION_CATALOGS))
def test_version_documents_match_tempests_schemas(
    thread_servers: dict[str, emulator.EmulatorServer], region: str
) -> None:
    versions = client(VersionsClient, thread_servers, region)
    listed = versions.list_versions()["versions"]  # GET <compute>/ (versions.list_versions)
    by_id = {v["id"]: v for v in listed}
    # The maximum these tests walk up to is the one the emulator advertises.
    assert by_id["v2.1"]["version"] == str(MAX_VERSION)
    base = thread_servers[region].compute_url
    for api in ("v2", "v2.1"):
        one = versions.get_version_by_url(f"{base}/{api}/")["version"]  # get_one_version
        assert one["id"] == ("v2.0" if api == "v2" else "v2.1")
