"""``ControlMethods``: the public handle shared by ``EmulatorServer`` and ``CloudMock``.

Where it is: credentials, URLs, ``token()``; what it controls: reset, servers, faults, timing,
clock, request log (same code, same behaviour for the thread server and the in-process mock).

Both act on their ``EmulatorState`` directly (same process), which is simpler and faster than
going through ``/_emulator/…`` over HTTP; the operations are the very functions the HTTP routes
call.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Any, TypeVar

import requests

from emulator.config import Timing
from emulator.control import operations
from emulator.control.chain_methods import ExportChainControls
from emulator.control.errors import InvalidRequest
from emulator.state import EmulatorState

_Running = TypeVar("_Running", bound="ControlMethods")


class ControlMethods(ExportChainControls, ABC):
    """``reset``, ``add_server``, ``inject_fault``, ``advance``, ``requests_log``, ``credentials``…"""

    @abstractmethod
    def start(self: _Running) -> _Running:
        """Start serving (a socket, or intercepting ``requests``); returns itself."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving; safe to call twice."""

    def __enter__(self: _Running) -> _Running:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    @abstractmethod
    def state(self) -> EmulatorState:
        """The emulator's state (config, clock, backends)."""

    @property
    @abstractmethod
    def auth_url(self) -> str:
        """The identity v3 URL clients authenticate against (``OS_AUTH_URL``)."""

    @property
    @abstractmethod
    def compute_url(self) -> str:
        """The seed document's ``COMPUTE`` (the URL in front of ``/v2/{project_id}/…``)."""

    # -- what clients need to log in ----------------------------------------------------------
    @property
    def region(self) -> str:
        return self.state.config.region

    @property
    def project_id(self) -> str:
        """The demo project's id (the seed document's ``PROJECT_ID``)."""
        return operations.demo_login(self.state.config.seed).project_id

    @property
    def server_ids(self) -> list[str]:
        """Ids of the servers in the seed, in seed order (``server_ids[0]`` is ``SERVER_ID``)."""
        return [server.id for server in self.state.config.seed.servers]

    @property
    def credentials(self) -> dict[str, str]:
        """The ``OS_*`` variables for the seed's demo user (its password is a demo value)."""
        login = operations.demo_login(self.state.config.seed)
        return {
            "OS_AUTH_URL": self.auth_url,
            "OS_USERNAME": login.user_name,
            "OS_PASSWORD": login.password,
            "OS_USER_DOMAIN_NAME": login.user_domain_name,
            "OS_PROJECT_ID": login.project_id,
            "OS_PROJECT_NAME": login.project_name,
            "OS_PROJECT_DOMAIN_NAME": login.project_domain_name,
            "OS_REGION_NAME": self.region,
            "OS_IDENTITY_API_VERSION": "3",
            "OS_INTERFACE": "public",
        }

    @property
    def openstack_kwargs(self) -> dict[str, str]:
        """``credentials`` as keyword arguments for ``openstack.connect(**kwargs)``."""
        return {name[3:].lower(): value for name, value in self.credentials.items()}

    def auth_body(self) -> dict[str, Any]:
        """The ``POST /v3/auth/tokens`` body that logs the demo user in, scoped to its project."""
        creds = self.credentials
        user = {
            "name": creds["OS_USERNAME"],
            "domain": {"name": creds["OS_USER_DOMAIN_NAME"]},
            "password": creds["OS_PASSWORD"],
        }
        return {
            "auth": {
                "identity": {"methods": ["password"], "password": {"user": user}},
                "scope": {"project": {"id": creds["OS_PROJECT_ID"]}},
            }
        }

    def token(self) -> str:
        """A project-scoped token for the demo user (the document's ``TOKEN``), issued over HTTP."""
        status, token, text = self._post_auth(self.auth_body())
        if status != 201 or token is None:
            raise RuntimeError(f"the emulator refused the demo login: {status} {text}")
        return token

    def _post_auth(self, body: dict[str, Any]) -> tuple[int, str | None, str]:
        """``POST <auth_url>/auth/tokens``: (status, ``X-Subject-Token`` or None, body text)."""
        response = requests.post(f"{self.auth_url}/auth/tokens", json=body, timeout=30)
        return response.status_code, response.headers.get("X-Subject-Token"), response.text

    # -- control plane ------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the seed: servers, tokens, lockouts, clock, faults and request log."""
        self.state.reset()

    def add_server(self, **fields: Any) -> dict[str, Any]:
        """Add a server described like a seed ``servers[]`` entry (``name=…, status=…``)."""
        return operations.add_server(self.state, fields)

    def inject_fault(self, **spec: Any) -> dict[str, Any]:
        """Add a fault rule (see ``emulator.control.faults``); returns it with its ``id``."""
        return operations.add_fault(self.state, spec)

    def faults(self) -> list[dict[str, Any]]:
        """The fault rules with their hit counts."""
        return self.state.control.faults.list()

    def remove_fault(self, fault_id: str) -> None:
        self.state.control.faults.remove(fault_id)

    def clear_faults(self) -> None:
        self.state.control.faults.clear()

    def set_timing(
        self, timing: Timing | str | float | dict[str, Any], server_id: str | None = None
    ) -> None:
        """``"immediate"``, ``"manual"``, seconds or a ``Timing``; for one server or all."""
        try:
            parsed = Timing.parse(timing)
        except ValueError as exc:
            raise InvalidRequest(f"timing: {exc}") from None
        operations.apply_timing(self.state, parsed, server_id)

    def advance(self, server_id: str) -> dict[str, Any]:
        """Complete the server's pending transition (``manual`` timing) now."""
        return operations.advance(self.state, server_id)

    def set_server_state(
        self, server_id: str, status: str, *, locked: bool | None = None
    ) -> dict[str, Any]:
        """Force ACTIVE / SHUTOFF / ERROR (and optionally the lock)."""
        return operations.set_server_state(
            self.state, server_id, {"status": status, "locked": locked}
        )

    def delete_server(self, server_id: str) -> None:
        operations.delete_server(self.state, server_id)

    def server_history(self, server_id: str) -> list[dict[str, Any]]:
        """Every state change of the server (vm_state, task_state, power_state, cause)."""
        with operations.compute_errors():
            history: list[dict[str, Any]] = self.state.compute.history(server_id)
        return history

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock forward: tokens expire, lockouts end."""
        operations.advance_clock(self.state, {"seconds": seconds})

    def requests_log(self) -> list[dict[str, Any]]:
        """The cloud requests served so far, secrets masked."""
        return self.state.control.requests.entries()

    def clear_requests_log(self) -> None:
        self.state.control.requests.clear()

    def snapshot(self) -> dict[str, Any]:
        """What ``GET /_emulator/state`` answers."""
        return operations.summary(self.state)

    def check_errors(self) -> None:
        """Re-raise the first exception that escaped a route since the last check."""
        errors = self.state.take_unhandled()
        if errors:
            first = errors[0]
            if len(errors) > 1 and hasattr(first, "add_note"):  # Python >= 3.11
                others = "; ".join(repr(error) for error in errors[1:])
                first.add_note(
                    f"{len(errors) - 1} more unhandled error(s) in the emulator: {others}"
                )
            raise first
