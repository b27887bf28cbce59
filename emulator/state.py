"""The one object that holds an emulator's state: its config, clock and service backends."""

from __future__ import annotations

import threading

from emulator.blockstorage.backend import BlockStorageBackend
from emulator.clock import Clock
from emulator.compute.backend import ComputeBackend
from emulator.config import EmulatorConfig
from emulator.control.backend import ControlBackend
from emulator.current import STATE_KEY, current_state
from emulator.identity.backend import IdentityBackend
from emulator.image.backend import ImageBackend
from emulator.importexport.backend import ImportExportBackend
from emulator.objectstorage.backend import ObjectStorageBackend

__all__ = ["STATE_KEY", "EmulatorState", "current_state"]


class EmulatorState:
    """Config + clock + one backend per service. ``reset()`` re-creates them from the seed."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        # Exceptions that escaped a route: kept so the thread server / pytest plugin can raise
        # them in the test that caused them instead of losing them in a log.
        self.unhandled_errors: list[BaseException] = []
        self._errors_lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Back to the seed: new clock, new backends, no faults, empty request log."""
        self.clock = Clock()
        self.identity = IdentityBackend(self.config, self.clock)
        self.compute = ComputeBackend(self.config, self.clock)
        self.control = ControlBackend()
        self.image = ImageBackend(self.config.timing, self.clock)
        self.blockstorage = BlockStorageBackend(self.config.seed, self.clock, self.image)
        self.objectstorage = ObjectStorageBackend(self.clock)
        self.importexport = ImportExportBackend(
            self.config.region,
            frozenset(p.id for p in self.config.seed.projects),
            self.clock,
            self.config.timing,
            self.image,
            self.objectstorage,
        )

    def record_unhandled(self, error: BaseException) -> None:
        with self._errors_lock:
            self.unhandled_errors.append(error)

    def take_unhandled(self) -> list[BaseException]:
        """Return and clear the recorded unhandled exceptions."""
        with self._errors_lock:
            errors, self.unhandled_errors = self.unhandled_errors, []
        return errors
