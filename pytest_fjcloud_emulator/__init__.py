"""pytest fixtures for testing FJcloud-O automation against the emulator (``pytest11`` entry point).

Installing the package is enough; nothing to add to ``conftest.py``. Registering the plugin
imports nothing but this module: Flask, responses and the emulator load when a test first uses a
fixture, so a run that uses none costs what it costs with ``-p no:fjcloud_emulator``. The module
has a name of its own so that a project's own ``emulator/`` or ``runbook/`` folder cannot stop
pytest from starting; if such a folder shadows the ``emulator`` package, the run goes on with one
warning that says what to do, and only the tests that use a fixture fail.

- ``fjcloud_emulator`` (function): an ``EmulatorServer`` (127.0.0.1, a free port), reset to the
  seed before each test; one server per distinct ``fjcloud_emulator_options`` serves the session.
- ``fjcloud_mock`` (function): an active ``CloudMock``; ``requests`` to the real FJcloud-O
  hostnames are answered in-process. One mock per distinct ``fjcloud_mock_options`` serves the
  session; it is reset before and stopped after each test.
- ``fjcloud_credentials`` (function): the ``OS_*`` dict of the emulator in use (the mock when the
  test uses ``fjcloud_mock``, else the thread server).
- ``fjcloud_server_factory`` (function): ``make(**fields) -> dict`` adds a server (seed
  ``servers[]`` fields) to the emulator in use.
- ``fjcloud_emulator_options`` / ``fjcloud_mock_options``: ``{}``; override either in any
  ``conftest.py`` or test module, at any scope, to configure the emulator of the tests below it
  (``region``, ``timing``, ``seed``… as for ``EmulatorServer`` / ``emulator.mock``). A relative
  ``seed`` path is relative to the file that defines the override.

``@pytest.mark.fjcloud_servers({"name": "web-1"}, {"name": "db-1", "status": "SHUTOFF"})`` adds
servers for one test. An exception raised inside the emulator while serving the test is re-raised
in that test's teardown. ``--fjcloud-guard`` (or ``fjcloud_guard = true`` in the ini file) makes
any attempt to reach ``*.cloud.global.fujitsu.com`` fail the test (see ``_guard``); the runbook's
``--target live`` runs are never guarded.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_fjcloud_emulator._guard import Guard

if TYPE_CHECKING:
    from emulator.handle import ControlMethods
    from emulator.mock import CloudMock
    from emulator.server import EmulatorServer

MARKER = "fjcloud_servers"
GUARD_INI = "fjcloud_guard"
OPTION_FIXTURES = ("fjcloud_emulator_options", "fjcloud_mock_options")
# Where this package is installed; the emulator package it drives is installed beside it.
_HOME = Path(__file__).resolve().parent.parent
_GUARD_KEY = pytest.StashKey[Guard]()
_WARNED_KEY = pytest.StashKey[bool]()


class FJcloudEmulatorWarning(pytest.PytestWarning):
    """The plugin cannot serve its fixtures in this run (the message says why and what to do)."""


# -- options, hooks --------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fjcloud_emulator", "FJcloud-O emulator")
    group.addoption(
        "--fjcloud-guard",
        action="store_true",
        default=None,
        help="fail any attempt to reach *.cloud.global.fujitsu.com (the real FJcloud-O) from a "
        "test; also the ini option fjcloud_guard = true",
    )
    parser.addini(
        GUARD_INI,
        type="bool",
        default=False,
        help="fail any attempt to reach *.cloud.global.fujitsu.com from a test (--fjcloud-guard)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too so projects running --strict-markers need no ini entry.
    config.addinivalue_line(
        "markers", f"{MARKER}(*servers): extra servers seeded into the FJcloud-O emulator"
    )
    wanted = config.getoption("fjcloud_guard") or config.getini(GUARD_INI)
    # The runbook against production (its own plugin's --target live) must reach the cloud.
    if wanted and config.getoption("runbook_target", default=None) != "live":
        guard = Guard()
        guard.install()
        config.stash[_GUARD_KEY] = guard


def pytest_unconfigure(config: pytest.Config) -> None:
    guard = config.stash.get(_GUARD_KEY, None)
    if guard is not None:
        guard.uninstall()


def pytest_report_header(config: pytest.Config) -> str | None:
    if _GUARD_KEY in config.stash:
        return "fjcloud guard: on (*.cloud.global.fujitsu.com cannot be reached)"
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    # After collection sys.path is what the tests will run with (conftests and test modules
    # may have put the project's folders on it).
    problem = shadowed_emulator()
    if problem is not None and not session.config.stash.get(_WARNED_KEY, False):
        session.config.stash[_WARNED_KEY] = True
        # Attributed to no line of code: the cause is a folder, not a statement.
        warnings.warn_explicit(FJcloudEmulatorWarning(problem), None, "fjcloud-emulator", 0)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    guard = item.config.stash.get(_GUARD_KEY, None)
    blocked = guard.take_blocked() if guard is not None else []
    if blocked:
        report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
        message = (
            f"fjcloud guard: this test tried to reach the real FJcloud-O ({', '.join(blocked)}); "
            "use the fjcloud_mock or fjcloud_emulator fixture"
        )
        if report.passed:  # the code under test caught the error: fail the test all the same
            report.outcome = "failed"
            report.longrepr = message
        else:
            report.sections.append(("fjcloud guard", message))


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> Iterator[None]:
    outcome = yield
    if fixturedef.argname in OPTION_FIXTURES and outcome.excinfo is None:  # type: ignore[attr-defined]
        _resolve_seed_path(fixturedef, outcome.get_result())  # type: ignore[attr-defined]


def _resolve_seed_path(fixturedef: Any, options: Any) -> None:
    """A relative ``seed`` is relative to the file that defines the options fixture."""
    if not isinstance(options, dict):
        raise pytest.UsageError(
            f"{fixturedef.argname} ({_defined_in(fixturedef.func) or 'plugin'}) must return a "
            f"dict of keyword arguments, got {type(options).__name__}"
        )
    seed = options.get("seed")
    # Only a relative path needs the defining file (inspect and a resolve() on disk): the
    # function-scoped fjcloud_mock_options is set up again for every test.
    if isinstance(seed, str | os.PathLike) and not Path(seed).is_absolute():
        where = _defined_in(fixturedef.func)
        if where is not None:
            options["seed"] = where.parent / seed  # in place: it is the cached value


def _defined_in(func: Any) -> Path | None:
    try:
        source = inspect.getsourcefile(inspect.unwrap(func))
    except TypeError:
        return None
    return Path(source).resolve() if source else None


def shadowed_emulator() -> str | None:
    """Why ``import emulator`` would not give this package's emulator, or None when it would."""
    module = sys.modules.get("emulator")
    if module is not None:
        origin = getattr(module, "__file__", None)
    else:
        spec = importlib.util.find_spec("emulator")
        origin = spec.origin if spec is not None else None
    if origin is not None and Path(origin).resolve().parent.parent == _HOME:
        return None
    found = f"finds {Path(origin).parent}" if origin else "finds no emulator package"
    return (
        f"the fjcloud_* fixtures cannot be used in this run: `import emulator` {found}, not the "
        f"emulator installed in {_HOME}. A folder named `emulator` in your project comes first "
        "on sys.path (`python -m pytest` puts the current directory there; pytest's default "
        "import mode puts the folder of a top-level conftest.py or of a test package there). "
        "Tests that use no fjcloud_* fixture run as usual. To use the fixtures, rename that "
        "folder, or run `pytest --import-mode=importlib` instead of `python -m pytest`."
    )


def _require_emulator() -> None:
    problem = shadowed_emulator()
    if problem is not None:
        pytest.fail(f"fjcloud-emulator: {problem}", pytrace=False)


# -- the emulators, one per distinct options -------------------------------------------------
class _Emulators:
    """Emulators of one kind by their options; each made on first use and stopped at the end."""

    def __init__(self, make: Callable[[dict[str, Any]], ControlMethods]) -> None:
        self._make = make
        self._made: dict[str, ControlMethods] = {}

    def get(self, options: dict[str, Any]) -> ControlMethods:
        key = repr(sorted(options.items()))
        cloud = self._made.get(key)
        if cloud is None:
            cloud = self._made[key] = self._make(dict(options))
        return cloud

    def close(self) -> None:
        for cloud in self._made.values():
            cloud.stop()
        self._made.clear()


def _new_server(options: dict[str, Any]) -> ControlMethods:
    from emulator.server import EmulatorServer

    return EmulatorServer(**options).start()


def _new_mock(options: dict[str, Any]) -> ControlMethods:
    from emulator.mock import CloudMock

    return CloudMock(**options)


def _seed_marked_servers(request: pytest.FixtureRequest, cloud: ControlMethods) -> None:
    for marker in request.node.iter_markers(MARKER):
        for fields in marker.args:
            if not isinstance(fields, dict):
                raise pytest.UsageError(
                    f"@pytest.mark.{MARKER} takes dicts of seed server fields, got {fields!r}"
                )
            cloud.add_server(**fields)


def _prepare(request: pytest.FixtureRequest, cloud: ControlMethods) -> None:
    cloud.reset()
    cloud.state.take_unhandled()  # errors of earlier tests were reported there
    _seed_marked_servers(request, cloud)


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def fjcloud_emulator_options() -> dict[str, Any]:
    """Keyword arguments for the ``EmulatorServer``; override to change region, seed etc."""
    return {}


@pytest.fixture
def fjcloud_mock_options() -> dict[str, Any]:
    """Keyword arguments for ``fjcloud_mock``'s ``CloudMock``; override to change region etc."""
    return {}


@pytest.fixture(scope="session")
def _fjcloud_servers() -> Iterator[_Emulators]:
    emulators = _Emulators(_new_server)
    yield emulators
    emulators.close()


@pytest.fixture(scope="session")
def _fjcloud_mocks() -> Iterator[_Emulators]:
    emulators = _Emulators(_new_mock)
    yield emulators
    emulators.close()


@pytest.fixture
def fjcloud_emulator(
    request: pytest.FixtureRequest,
    fjcloud_emulator_options: dict[str, Any],
    _fjcloud_servers: _Emulators,
) -> Iterator[EmulatorServer]:
    """The thread server for these options, reset to the seed (plus marked servers)."""
    _require_emulator()
    server: EmulatorServer = _fjcloud_servers.get(fjcloud_emulator_options)  # type: ignore[assignment]
    _prepare(request, server)
    yield server
    server.check_errors()


@pytest.fixture
def fjcloud_mock(
    request: pytest.FixtureRequest,
    fjcloud_mock_options: dict[str, Any],
    _fjcloud_mocks: _Emulators,
) -> Iterator[CloudMock]:
    """The in-process mock of the real FJcloud-O hostnames for these options, active and reset."""
    _require_emulator()
    cloud: CloudMock = _fjcloud_mocks.get(fjcloud_mock_options)  # type: ignore[assignment]
    _prepare(request, cloud)
    with cloud:
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
