"""Fixtures of the real-client compatibility suite: the emulator on a socket and in-process.

Two region forms are covered everywhere: ``jp-east-1`` (the catalog points at ``/compute/v2``,
legacy mode without microversions) and ``jp-east-3`` (``/compute/v2.1`` with microversions).

- ``thread_servers`` (session): one started ``EmulatorServer`` per region, shared by the suite.
- ``thread_server`` (function, parametrized by region): one of them, reset to the seed.
- ``cloud`` (function, parametrized by transport x region): the thread server *or* a fresh
  ``emulator.mock`` of the real FJcloud-O hostnames; both expose the same control methods.

Every cloud starts in ``immediate`` timing; tests that want to watch ``powering-off`` switch to
``manual`` and advance the server themselves. After each test, exceptions that escaped a route
in the emulator are re-raised (``check_errors``), so a 500 is never just a log line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import openstack
import pytest

import emulator
from emulator.handle import ControlMethods
from tests.compat.helpers import REGION_CATALOGS, sdk_connect


@pytest.fixture(scope="session")
def thread_servers() -> Iterator[dict[str, emulator.EmulatorServer]]:
    """One started thread server per region for the whole session (stopped at the end)."""
    servers: dict[str, emulator.EmulatorServer] = {}
    try:
        for region in REGION_CATALOGS:
            servers[region] = emulator.EmulatorServer(region=region, timing="immediate").start()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture(params=list(REGION_CATALOGS))
def thread_server(
    request: pytest.FixtureRequest, thread_servers: dict[str, emulator.EmulatorServer]
) -> Iterator[emulator.EmulatorServer]:
    """The session's thread server of one region, back at the seed (immediate timing)."""
    server = thread_servers[request.param]
    server.reset()
    yield server
    server.check_errors()


@pytest.fixture(
    params=[(transport, region) for transport in ("server", "mock") for region in REGION_CATALOGS],
    ids=lambda param: f"{param[0]}-{param[1]}",
)
def cloud(
    request: pytest.FixtureRequest, thread_servers: dict[str, emulator.EmulatorServer]
) -> Iterator[ControlMethods]:
    """The thread server (reset) or an active in-process mock, for one region."""
    transport, region = request.param
    if transport == "server":
        server = thread_servers[region]
        server.reset()
        yield server
        server.check_errors()
        return
    with emulator.mock(region=region, timing="immediate") as mocked:
        yield mocked
    mocked.check_errors()


@pytest.fixture
def sdk(cloud: ControlMethods) -> Iterator[openstack.connection.Connection]:
    """An openstacksdk connection to ``cloud`` (closed afterwards)."""
    connection = sdk_connect(cloud)
    yield connection
    connection.close()


@pytest.fixture
def isolated_os_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ``OS_*`` variable and no user clouds.yaml leaks in; returns the empty clouds.yaml."""
    for name in list(os.environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    clouds_yaml = tmp_path / "clouds.yaml"
    clouds_yaml.write_text("clouds: {}\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds_yaml))
    return clouds_yaml
