"""Identity backend (placeholder until the service is built)."""

from emulator.clock import Clock
from emulator.config import EmulatorConfig


class IdentityBackend:
    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
