"""The control plane of the emulator (``/_emulator/…``): faults, request log, timing, seeding."""

from emulator.control.errors import ControlError, render_http_exception
from emulator.control.layer import ConnectionDropped
from emulator.control.routes import URL_PREFIX, bp, install

__all__ = [
    "URL_PREFIX",
    "ConnectionDropped",
    "ControlError",
    "bp",
    "install",
    "render_http_exception",
]
