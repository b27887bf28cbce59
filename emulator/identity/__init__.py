"""The identity service of the emulator: routes (blueprint), backend (state), errors (fault bodies)."""

from emulator.identity.errors import render_http_exception
from emulator.identity.routes import URL_PREFIX, bp

__all__ = ["URL_PREFIX", "bp", "render_http_exception"]
