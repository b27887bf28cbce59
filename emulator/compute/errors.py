"""Fault bodies of the compute service, in Nova's ``{"<key>": {"code": N, "message": "..."}}`` form.

The keys come from ``nova/api/openstack/wsgi.py`` ``Fault._fault_names`` (a code missing from
that map is rendered as ``computeFault``); the messages from ``nova/exception.py`` and
``nova/api/openstack/wsgi.py``, quoted where each class is raised.
"""

from __future__ import annotations

from emulator.wsgi_fault import WsgiFault


class ComputeFault(WsgiFault):
    """A Nova fault: HTTP ``code`` and a ``message``; the body key follows from the code."""


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
