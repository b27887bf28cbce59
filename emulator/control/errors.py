"""Errors of the control plane: exception classes carrying data (``render.py`` renders them).

The control plane answers ``{"error": {"code": 400, "message": "..."}}``; it is the emulator's own
API, so it does not imitate Keystone or Nova.
"""

from __future__ import annotations


class ControlError(Exception):
    """A request to ``/_emulator/…`` that cannot be served; ``code`` is the HTTP status."""

    code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(ControlError):
    """Malformed JSON or a field with a wrong value; the message names the field."""

    code = 400


class NotFound(ControlError):
    """An unknown server or fault id."""

    code = 404


class ConnectionDropped(Exception):
    """A drop fault fired: the connection must close without a response.

    Not a subclass of waitress's ``ClientDisconnected``: the in-process mock, which serves no
    socket, must not pay for importing waitress (``emulator.server.waitress_app`` translates).
    """

    def __init__(self, fault_id: str, method: str, path: str, when: str) -> None:
        super().__init__(f"fault {fault_id} dropped the connection {when} {method} {path}")
        self.fault_id = fault_id
        self.method = method
        self.path = path
        self.when = when
