"""Fault bodies of the compute service, in Nova's ``{"<key>": {"code": N, "message": "..."}}`` form.

The keys come from ``nova/api/openstack/wsgi.py`` ``Fault._fault_names`` (a code missing from
that map is rendered as ``computeFault``); the messages from ``nova/exception.py`` and
``nova/api/openstack/wsgi.py``, quoted where each class is raised.
"""

from __future__ import annotations

from typing import ClassVar

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from emulator.requestid import current_request_id

# nova/api/openstack/wsgi.py Fault._fault_names
FAULT_NAMES: dict[int, str] = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}

# webob's explanations, which Nova's Fault uses when a handler gives none.
_WEBOB_EXPLANATIONS: dict[int, str] = {
    400: "The server could not comply with the request since it is either malformed or otherwise incorrect.",
    404: "The resource could not be found.",
    413: "Request is too large.",
    415: "The request media type is not supported by this server.",
}


class ComputeFault(Exception):
    """A Nova fault: HTTP ``code`` and a ``message``; the body key follows from the code."""

    code: ClassVar[int] = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})

    @property
    def key(self) -> str:
        """The top-level key of the fault body, e.g. ``itemNotFound``."""
        return FAULT_NAMES.get(self.code, "computeFault")


class BadRequest(ComputeFault):
    """400 ``badRequest``."""

    code = 400


class Forbidden(ComputeFault):
    """403 ``forbidden``: the policy denies the action (nova/exception.py PolicyNotAuthorized)."""

    code = 403

    @classmethod
    def policy(cls, action: str) -> Forbidden:
        """``Policy doesn't allow <action> to be performed.``"""
        return cls(f"Policy doesn't allow {action} to be performed.")


class ItemNotFound(ComputeFault):
    """404 ``itemNotFound``."""

    code = 404

    @classmethod
    def instance(cls, server_id: str) -> ItemNotFound:
        """nova/exception.py InstanceNotFound."""
        return cls(f"Instance {server_id} could not be found.")

    @classmethod
    def flavor(cls, flavor_id: str) -> ItemNotFound:
        """nova/exception.py FlavorNotFound."""
        return cls(f"Flavor {flavor_id} could not be found.")


class MethodNotAllowed(ComputeFault):
    """405 ``badMethod``."""

    code = 405


class NotAcceptable(ComputeFault):
    """406 (no name in Nova's map, so ``computeFault``): an unsupported microversion."""

    code = 406


class Conflict(ComputeFault):
    """409 ``conflictingRequest``."""

    code = 409

    @classmethod
    def invalid_state(cls, action: str, server_id: str, attr: str, state: str) -> Conflict:
        """nova/api/openstack/common.py raise_http_conflict_for_instance_invalid_state."""
        return cls(f"Cannot '{action}' instance {server_id} while it is in {attr} {state}")

    @classmethod
    def locked(cls, server_id: str) -> Conflict:
        """nova/exception.py InstanceIsLocked."""
        return cls(f"Instance {server_id} is locked")


class RequestEntityTooLarge(ComputeFault):
    """413 ``overLimit`` (oslo.middleware sizelimit)."""

    code = 413


class UnsupportedMediaType(ComputeFault):
    """415 ``badMediaType``: nova/api/openstack/wsgi.py "Unsupported Content-Type"."""

    code = 415


def render_fault(exc: ComputeFault) -> Response:
    """Nova's fault body for ``exc``, with the compute request id header."""
    response = jsonify({exc.key: {"code": exc.code, "message": exc.message}})
    response.status_code = exc.code
    for name, value in exc.headers.items():
        response.headers[name] = value
    _add_compute_request_id(response)
    return response


def render_http_exception(exc: HTTPException) -> Response:
    """Render a werkzeug error (unknown path, wrong method, body too large) as a Nova fault."""
    code = exc.code or 500
    if code == 405:
        # webob's HTTPMethodNotAllowed explanation, which Nova's Fault wraps.
        message = f"The method {request.method} is not allowed for this resource."
    else:
        message = _WEBOB_EXPLANATIONS.get(code, exc.description or exc.name)
    response = jsonify({FAULT_NAMES.get(code, "computeFault"): {"code": code, "message": message}})
    response.status_code = code
    for name, value in exc.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    _add_compute_request_id(response)
    return response


def _add_compute_request_id(response: Response) -> None:
    # nova/api/compute_req_id.py: the same id as x-openstack-request-id, under Nova's old name.
    request_id = current_request_id()
    if request_id:
        response.headers.setdefault("x-compute-request-id", request_id)
        response.headers.setdefault("x-openstack-request-id", request_id)
