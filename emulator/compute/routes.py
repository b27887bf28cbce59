"""Routes of the compute service (placeholder until the service is built)."""

from flask import Blueprint

URL_PREFIX = "/compute"
bp = Blueprint("compute", __name__, url_prefix=URL_PREFIX)
