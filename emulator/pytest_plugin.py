"""pytest fixtures for testing FJcloud-O automation against the emulator (``pytest11`` entry point).

Installing the package is enough; nothing to add to ``conftest.py``.

- ``fjcloud_emulator`` (function scope): the ``EmulatorServer`` (127.0.0.1, a free port), reset to
  the seed before each test; one server serves the whole session.
- ``fjcloud_mock`` (function): an active ``CloudMock``; ``requests`` to the real FJcloud-O
  hostnames (jp-east-1 by default) are answered in-process.
- ``fjcloud_credentials`` (function): the ``OS_*`` dict of the emulator in use (the mock when the
  test uses ``fjcloud_mock``, else the thread server).
- ``fjcloud_server_factory`` (function): ``make(**fields) -> dict`` adds a server (seed
  ``servers[]`` fields) to the emulator in use.
- ``fjcloud_emulator_options`` (session): ``{}``; override it in a conftest to configure the
  session's server (``region``, ``timing``, ``seed``… as for ``EmulatorServer``).
- ``fjcloud_mock_options`` (function): ``{}``; the same for ``fjcloud_mock`` (``region``,
  ``passthrough``… as for ``emulator.mock``).

``@pytest.mark.fjcloud_servers({"name": "web-1"}, {"name": "db-1", "status": "SHUTOFF"})`` adds
servers for one test. An exception raised inside the emulator while serving the test is re-raised
in that test's teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from emulator.handle import ControlMethods
from emulator.mock import CloudMock
from emulator.server import EmulatorServer

MARKER = "fjcloud_servers"


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too so projects running --strict-markers need no ini entry.
    config.addinivalue_line(
        "markers", f"{MARKER}(*servers): extra servers seeded into the FJcloud-O emulator"
    )


def _seed_marked_servers(request: pytest.FixtureRequest, cloud: ControlMethods) -> None:
    for marker in request.node.iter_markers(MARKER):
        for fields in marker.args:
            if not isinstance(fields, dict):
                raise pytest.UsageError(
                    f"@pytest.mark.{MARKER} takes dicts of seed server fields, got {fields!r}"
                )
            cloud.add_server(**fields)


@pytest.fixture(scope="session")
def fjcloud_emulator_options() -> dict[str, Any]:
    """Keyword arguments for the session's ``EmulatorServer``; override to change region etc."""
    return {}


@pytest.fixture(scope="session")
def fjcloud_emulator_session(
    fjcloud_emulator_options: dict[str, Any],
) -> Iterator[EmulatorServer]:
    """The session's ``EmulatorServer``, started once; prefer ``fjcloud_emulator`` (it resets)."""
    server = EmulatorServer(**fjcloud_emulator_options)
    with server:
        yield server


@pytest.fixture
def fjcloud_emulator(
    request: pytest.FixtureRequest, fjcloud_emulator_session: EmulatorServer
) -> Iterator[EmulatorServer]:
    """The session's thread server, reset to the seed (plus marked servers) for this test."""
    server = fjcloud_emulator_session
    server.reset()
    server.state.take_unhandled()  # errors of earlier tests were reported there
    _seed_marked_servers(request, server)
    yield server
    server.check_errors()


@pytest.fixture
def fjcloud_mock_options() -> dict[str, Any]:
    """Keyword arguments for ``fjcloud_mock``'s ``CloudMock``; override to change region etc."""
    return {}


@pytest.fixture
def fjcloud_mock(
    request: pytest.FixtureRequest, fjcloud_mock_options: dict[str, Any]
) -> Iterator[CloudMock]:
    """An active in-process mock of the real FJcloud-O hostnames (jp-east-1 unless configured)."""
    with CloudMock(**fjcloud_mock_options) as cloud:
        _seed_marked_servers(request, cloud)
        yield cloud
        cloud.check_errors()


def _emulator_in_use(request: pytest.FixtureRequest) -> ControlMethods:
    name = "fjcloud_mock" if "fjcloud_mock" in request.fixturenames else "fjcloud_emulator"
    cloud: ControlMethods = request.getfixturevalue(name)
    return cloud


@pytest.fixture
def fjcloud_credentials(request: pytest.FixtureRequest) -> dict[str, str]:
    """The ``OS_*`` variables of the emulator in use (demo credentials from the seed)."""
    return _emulator_in_use(request).credentials


@pytest.fixture
def fjcloud_server_factory(
    request: pytest.FixtureRequest,
) -> Callable[..., dict[str, Any]]:
    """``make(name="web-1", status="SHUTOFF", ...)`` adds a server and returns its snapshot entry."""
    cloud = _emulator_in_use(request)

    def make(**fields: Any) -> dict[str, Any]:
        return cloud.add_server(**fields)

    return make
