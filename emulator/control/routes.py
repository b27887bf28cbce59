"""Routes of the control service (placeholder until the service is built)."""

from flask import Blueprint, Flask

URL_PREFIX = "/_emulator"
bp = Blueprint("control", __name__, url_prefix=URL_PREFIX)


def install(app: Flask) -> None:
    """Put the fault layer and the request log in front of every route of ``app``."""
