"""Routes of the identity service: discovery and ``/v3/auth/tokens`` (thin: the backend decides)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulator.current import current_state
from emulator.identity.auth_request import parse_auth_request
from emulator.identity.backend import IdentityBackend, TokenInfo
from emulator.identity.catalog import version_v3
from emulator.identity.errors import RequestTooLarge, ValidationError
from emulator.urls import service_base, service_bases

# Under /identity (emulator.services). IdentityError is rendered by the app-level handler.
bp = Blueprint("identity", __name__)


@bp.after_request
def _vary_on_auth_token(response: Response) -> Response:
    # keystone/server/flask/application.py adds this to every response.
    response.headers["Vary"] = "X-Auth-Token"
    return response


AUTH_TOKEN_HEADER = "X-Auth-Token"  # noqa: S105 - a header name, not a secret
SUBJECT_TOKEN_HEADER = "X-Subject-Token"  # noqa: S105 - a header name


def _backend() -> IdentityBackend:
    backend: IdentityBackend = current_state().identity
    return backend


@bp.get("/", strict_slashes=False)
def versions() -> Response:
    """Keystone answers ``/`` with 300 Multiple Choices (keystone/api/discovery.py)."""
    response = jsonify({"versions": {"values": [version_v3(service_base("identity"))]}})
    response.status_code = 300
    return response


@bp.get("/v3", strict_slashes=False)
def version() -> Response:
    """``GET /v3``: the version document keystoneauth discovers the API from."""
    return jsonify({"version": version_v3(service_base("identity"))})


@bp.post("/v3/auth/tokens")
def issue_token() -> Response:
    """Password or token method; project scope or none; 201 with ``X-Subject-Token``."""
    info = _backend().issue(parse_auth_request(_json_body()))
    response = _token_response(info)
    response.status_code = 201
    response.headers[SUBJECT_TOKEN_HEADER] = info.id
    return response


@bp.get("/v3/auth/tokens")
def validate_token() -> Response:
    """Validate ``X-Subject-Token`` for the holder of ``X-Auth-Token`` (HEAD: no body)."""
    backend = _backend()
    backend.authenticate(_header(AUTH_TOKEN_HEADER))
    info = backend.validate(_header(SUBJECT_TOKEN_HEADER))
    response = _token_response(info)
    response.headers[SUBJECT_TOKEN_HEADER] = info.id
    return response


@bp.delete("/v3/auth/tokens")
def revoke_token() -> Response:
    """Revoke ``X-Subject-Token``: 204."""
    backend = _backend()
    backend.authenticate(_header(AUTH_TOKEN_HEADER))
    backend.revoke(_header(SUBJECT_TOKEN_HEADER))
    return Response(status=204)


def _header(name: str) -> str | None:
    value = request.headers.get(name)
    return value if value else None


def _token_response(info: TokenInfo) -> Response:
    """``{"token": {…}}``; a project-scoped token carries the catalog unless ``?nocatalog``."""
    backend = _backend()
    body = backend.describe(info)
    if info.project_id is not None and "nocatalog" not in request.args:
        body["catalog"] = backend.catalog.render(info.project_id, service_bases())
    return jsonify({"token": body})


def _json_body() -> Any:
    """The request's JSON as keystone/server/flask/request_processing/json_body.py reads it."""
    limit = current_state().config.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise RequestTooLarge()
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise RequestTooLarge()
    if not data:
        return None
    # Keystone accepts JSON or no Content-Type at all; anything else is a 400, not a 415.
    if not (request.is_json or not request.headers.get("Content-Type")):
        raise ValidationError.expecting("application/json", "Content-Type header")
    try:
        decoded = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting too deep: F3
        raise ValidationError.expecting("valid JSON", "request body") from None
    if not isinstance(decoded, dict):
        raise ValidationError.expecting("valid JSON", "request body")
    return decoded
