"""Seed documents: the default mirrors the seed document; bad seeds name file, field, problem."""

from pathlib import Path

import pytest

from emulator.config import EmulatorConfig, Timing
from emulator.seed import SeedError, load_default_seed, load_seed, parse_seed

# The seed document's example response (export-preparation.ja.txt, タスクの結果).
DOC_PROJECT = "790f1c092038413a8dd6771a033b17f5"
DOC_SERVER = "dbf93607-f105-4e86-842c-02ae504efe36"


def test_default_seed_mirrors_the_seed_document() -> None:
    seed = load_default_seed()
    server = next(s for s in seed.servers if s.id == DOC_SERVER)
    assert server.name == "Win2012R2SE"
    assert server.project_id == DOC_PROJECT
    assert server.user_id == "d476b7a6a9a74d00b78bc87a3e87de7b"
    assert server.status == "ACTIVE"
    assert (server.availability_zone, server.host) == ("", "")  # the emulator's region decides
    assert server.metadata == {"admin_pass": "Password0"}
    assert seed.region == "jp-east-1"


def test_seed_file_yaml_and_json_load(tmp_path: Path) -> None:
    doc = tmp_path / "seed.json"
    doc.write_text(
        '{"domains": [{"name": "c1"}], "projects": [{"id": "' + "a" * 32 + '", "name": "p",'
        ' "domain": "c1"}], "users": [{"name": "u", "domain": "c1", "password": "pw"}],'
        ' "servers": [{"name": "s"}]}'
    )
    seed = load_seed(doc)
    assert seed.servers[0].project_id == "a" * 32
    assert seed.servers[0].user_id == seed.users[0].id


_BASE = {
    "domains": [{"name": "c1"}],
    "projects": [{"name": "p", "domain": "c1"}],
    "users": [{"name": "u", "domain": "c1", "password": "pw"}],
}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (None, "(top): the seed is empty"),
        ({"servrs": []}, "servrs: unknown key"),
        ({**_BASE, "servers": [{"name": "s", "project": "nope"}]},
         "servers[0].project: no project with id or name 'nope'"),
        ({"domains": [{"name": "c"}], "projects": [{"name": "p", "domain": "x"}]},
         "projects[0].domain: no domain with id or name 'x'"),
        ({**_BASE, "servers": [{"name": "s", "status": "RUNNING"}]},
         "servers[0].status: 'RUNNING' is not one of ACTIVE, SHUTOFF, ERROR"),
        ({**_BASE, "servers": [{"id": "nope", "name": "s"}]}, "servers[0].id: 'nope' is not a UUID"),
        ({**_BASE, "servers": [{"name": "s", "timing": "slow"}]}, "servers[0].timing: timing must be"),
    ],
)  # fmt: skip
def test_bad_seed_names_the_field(document: object, message: str) -> None:
    with pytest.raises(SeedError) as info:
        parse_seed(document, source="my-seed.yaml")
    assert str(info.value).startswith("my-seed.yaml: ")
    assert message in str(info.value)


def test_unreadable_seed_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match=r"missing\.yaml: cannot read the seed file"):
        load_seed(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("immediate", Timing("immediate")),
        ("manual", Timing("manual")),
        (2, Timing("seconds", 2.0)),
        ("seconds:1.5", Timing("seconds", 1.5)),
        ({"mode": "seconds", "seconds": 3}, Timing("seconds", 3.0)),
    ],
)
def test_timing_parse(value: object, expected: Timing) -> None:
    assert Timing.parse(value) == expected


def test_unknown_region_is_refused_with_the_list() -> None:
    with pytest.raises(ValueError, match="unknown region 'jp-north-1'; choose one of: jp-east-1"):
        EmulatorConfig(region="jp-north-1")


def test_a_server_given_only_its_name_takes_the_dataclass_defaults() -> None:
    """Defaults are written once, on ServerSeed/FlavorSeed; the document reader takes them."""
    import dataclasses

    from emulator.seed import FlavorSeed, ServerSeed

    base = load_default_seed()
    seed = parse_seed(
        {
            **_minimal(),
            "flavors": [{"id": "f1", "name": "tiny"}],
            "servers": [{"name": "only-a-name"}],
        }
    )
    server, flavor = seed.servers[0], seed.flavors[0]
    for item in dataclasses.fields(ServerSeed):
        if item.name in ("status", "image", "locked", "created", "launched_at", "key_name"):
            assert getattr(server, item.name) == item.default, item.name
    assert server.security_groups == ("default",)
    assert server.volumes_attached == ()
    assert server.flavor_id == "f1"  # the seed's first flavor
    for item in dataclasses.fields(FlavorSeed):
        if item.name in ("vcpus", "ram", "disk"):
            assert getattr(flavor, item.name) == item.default, item.name
    assert base.servers  # the built-in seed still loads


def test_unknown_server_key_lists_the_document_keys() -> None:
    document = {"servers": [{"name": "x", "flavor_id": "11"}]}
    with pytest.raises(SeedError, match=r"servers\[0\]\.flavor_id: unknown key") as raised:
        parse_seed({**_minimal(), **document})
    assert "flavor, " in str(raised.value)
    assert "project, " in str(raised.value)


def _minimal() -> dict[str, object]:
    return {
        "domains": [{"id": "d" * 32, "name": "dom"}],
        "projects": [{"id": "a" * 32, "name": "p", "domain": "dom"}],
        "users": [{"name": "u", "domain": "dom", "password": "pw"}],
    }
