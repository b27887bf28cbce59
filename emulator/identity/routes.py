"""Routes of the identity service (placeholder until the service is built)."""

from flask import Blueprint

URL_PREFIX = "/identity"
bp = Blueprint("identity", __name__, url_prefix=URL_PREFIX)
