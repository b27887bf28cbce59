"""FJcloud-O (ex-K5) identity and compute API emulator.

Three ways to use it: ``EmulatorServer`` (a real socket in a thread), ``mock()`` (in-process, the
real FJcloud-O hostnames) and the pytest fixtures of ``pytest_fjcloud_emulator``; or the standalone
``python -m emulator serve``.
"""

from typing import TYPE_CHECKING, Any

from emulator.app import create_app
from emulator.config import EmulatorConfig, LockoutPolicy, Timing
from emulator.control.errors import ConnectionDropped, ControlError
from emulator.mock import CloudMock, mock
from emulator.seed import Seed, SeedError, load_default_seed, load_seed

if TYPE_CHECKING:
    from emulator.server import EmulatorServer

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
    # EmulatorServer on first use: it imports waitress, which the in-process mock never needs.
    if name == "EmulatorServer":
        from emulator.server import EmulatorServer

        return EmulatorServer
    raise AttributeError(f"module 'emulator' has no attribute {name!r}")
