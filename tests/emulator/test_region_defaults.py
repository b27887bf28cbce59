"""An emulator describes its own region: what the seed leaves open belongs to that region.

Before, ``--region jp-east-3`` still answered with the seed document's jp-east-1 zone and host
(``jp-east-1a``, ``jp1a01-pgy017-00``), because the built-in seed and the parser's defaults
spelled them out. Sources (emulator/config.py ``region_location``): the seed document's example
for jp-east-1; K5's public code names zones ``<region>a``/``<region>b`` (jp-east-1, uk-1);
FJcloud-O's region page lists one zone for region 3 and names none, so ``jp-east-3a`` is an
inference, and so is every host outside the example.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

import emulator
from emulator.seed import load_default_seed, parse_seed

ZONE = "OS-EXT-AZ:availability_zone"
HOST = "OS-EXT-SRV-ATTR:host"
HYPERVISOR = "OS-EXT-SRV-ATTR:hypervisor_hostname"


def server_body(server: emulator.EmulatorServer, server_id: str) -> dict[str, Any]:
    api = server.config.compute_version
    response = requests.get(
        f"{server.compute_url}/{api}/{server.project_id}/servers/{server_id}",
        headers={"X-Auth-Token": server.token()},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()["server"]
    return body


@pytest.mark.parametrize(
    ("region", "zone", "host"),
    [
        ("jp-east-1", "jp-east-1a", "jp1a01-pgy017-00"),  # the seed document's example
        ("jp-east-3", "jp-east-3a", "jp-east-3a-host-00"),
        ("jp-west-3", "jp-west-3a", "jp-west-3a-host-00"),
    ],
)
def test_seed_and_added_servers_are_placed_in_the_emulators_region(
    region: str, zone: str, host: str
) -> None:
    with emulator.EmulatorServer(region=region, timing="immediate") as server:
        seeded = server_body(server, server.server_ids[0])
        assert (seeded[ZONE], seeded[HOST], seeded[HYPERVISOR]) == (zone, host, host)
        added = server.add_server(name="later")
        body = server_body(server, added["id"])
        assert (body[ZONE], body[HOST]) == (zone, host)


def test_a_seed_that_names_its_zone_and_host_keeps_them() -> None:
    seed = load_default_seed()
    document = {
        "domains": [{"id": d.id, "name": d.name} for d in seed.domains],
        "projects": [{"id": p.id, "name": p.name, "domain": p.domain_id} for p in seed.projects],
        "roles": [{"id": r.id, "name": r.name} for r in seed.roles],
        "users": [
            {
                "name": "u",
                "domain": seed.domains[0].id,
                "password": "demo-password",
                "roles": [{"project": seed.projects[0].id, "role": "cpf_systemowner"}],
            }
        ],
        "servers": [{"name": "pinned", "availability_zone": "jp-east-1b", "host": "h-1"}],
    }
    config = emulator.EmulatorConfig(region="jp-east-3", seed=parse_seed(document))
    (pinned,) = config.seed.servers
    assert (pinned.availability_zone, pinned.host) == ("jp-east-1b", "h-1")
