"""FJcloud-O (ex-K5) identity and compute API emulator."""

from emulator.app import create_app
from emulator.config import EmulatorConfig, LockoutPolicy, Timing
from emulator.seed import Seed, SeedError, load_default_seed, load_seed

__all__ = [
    "EmulatorConfig",
    "LockoutPolicy",
    "Seed",
    "SeedError",
    "Timing",
    "create_app",
    "load_default_seed",
    "load_seed",
]
