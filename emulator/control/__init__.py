"""The control service of the emulator: routes (blueprint), backend (state), errors (fault bodies)."""

from emulator.control.errors import render_http_exception
from emulator.control.routes import URL_PREFIX, bp, install

__all__ = ["URL_PREFIX", "bp", "install", "render_http_exception"]
