"""FJcloud-O (ex-K5) identity and compute API emulator.

Three ways to use it: ``EmulatorServer`` (a real socket in a thread), ``mock()`` (in-process, the
real FJcloud-O hostnames) and the pytest fixtures of ``emulator.pytest_plugin``; or the standalone
``python -m emulator serve``.
"""

from emulator.app import create_app
from emulator.config import EmulatorConfig, LockoutPolicy, Timing
from emulator.control import ConnectionDropped, ControlError
from emulator.mock import CloudMock, mock
from emulator.seed import Seed, SeedError, load_default_seed, load_seed
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
