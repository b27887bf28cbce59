"""FJcloud-O (ex-K5) identity and compute API emulator.

Three ways to use it: ``EmulatorServer`` (a real socket in a thread), ``mock()`` (in-process, the
real FJcloud-O hostnames) and the pytest fixtures of ``pytest_fjcloud_emulator``; or the standalone
``python -m emulator serve``.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.app import create_app
    from emulator.config import EmulatorConfig, LockoutPolicy, Timing
    from emulator.control.errors import ConnectionDropped, ControlError
    from emulator.mock import CloudMock, mock
    from emulator.seed import Seed, SeedError, load_default_seed, load_seed
    from emulator.server import EmulatorServer

# Each name from its module on first use: a rehearsal (``pytest runbook``) needs EmulatorServer
# only, and the in-process mock alone costs ``responses`` (with unittest.mock and asyncio); the
# mock never needs waitress. ``bench/rehearsal.py`` measures the start-up this saves.
_HOMES = {
    "CloudMock": "emulator.mock",
    "ConnectionDropped": "emulator.control.errors",
    "ControlError": "emulator.control.errors",
    "EmulatorConfig": "emulator.config",
    "EmulatorServer": "emulator.server",
    "LockoutPolicy": "emulator.config",
    "Seed": "emulator.seed",
    "SeedError": "emulator.seed",
    "Timing": "emulator.config",
    "create_app": "emulator.app",
    "load_default_seed": "emulator.seed",
    "load_seed": "emulator.seed",
    "mock": "emulator.mock",
}

__all__ = [
    "CloudMock",
    "ConnectionDropped",
    "ControlError",
    "EmulatorConfig",
    "EmulatorServer",
    "LockoutPolicy",
    "Seed",
    "SeedError",
    "Timing",
    "create_app",
    "load_default_seed",
    "load_seed",
    "mock",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'emulator' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    # Bound here once: importing emulator.mock has just bound the *module* to the package's
    # ``mock`` attribute; the package's ``mock`` is the function.
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
