"""Steps 3–5's compute calls: show the server, stop it. Re-authenticates once on 401."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from runbook.client import ApiClient
from runbook.errors import ApiError
from runbook.identity import fault_message
from runbook.variables import Variables

# nova/objects/fields.py PowerState
POWER_STATES = {
    0: "pending",
    1: "running",
    3: "paused",
    4: "shutdown",
    6: "crashed",
    7: "suspended",
}
STOP_BODY: dict[str, Any] = {"os-stop": None}
START_BODY: dict[str, Any] = {"os-start": None}


class ServerNotFound(ApiError):
    """404 itemNotFound for the server: wrong SERVER_ID or project, or it was deleted."""


@dataclass(frozen=True)
class ServerView:
    """The fields of a server body the runbook shows and decides on."""

    id: str
    name: str
    status: str
    vm_state: str | None
    task_state: str | None
    power_state: int | None
    updated: str | None
    availability_zone: str | None
    locked: bool | None
    fault: str | None
    volumes_attached: tuple[str, ...] = ()  # os-extended-volumes:volumes_attached ids

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> ServerView:
        """From Nova's ``{"server": {...}}``."""
        server = body.get("server", {})
        fault = server.get("fault") or {}
        return cls(
            id=str(server.get("id", "")),
            name=str(server.get("name", "")),
            status=str(server.get("status", "")).upper(),
            vm_state=server.get("OS-EXT-STS:vm_state"),
            task_state=server.get("OS-EXT-STS:task_state"),
            power_state=server.get("OS-EXT-STS:power_state"),
            updated=server.get("updated"),
            availability_zone=server.get("OS-EXT-AZ:availability_zone"),
            locked=server.get("locked"),
            fault=fault.get("message") if isinstance(fault, dict) else None,
            volumes_attached=tuple(
                str(v.get("id"))
                for v in server.get("os-extended-volumes:volumes_attached") or []
                if isinstance(v, dict) and v.get("id")
            ),
        )

    def power_label(self) -> str:
        """``4 (shutdown)``."""
        if self.power_state is None:
            return "-"
        return f"{self.power_state} ({POWER_STATES.get(self.power_state, 'unknown')})"

    def state_line(self) -> str:
        """``status SHUTOFF, vm_state stopped, task_state -, power_state 4 (shutdown)``."""
        return (
            f"status {self.status}, vm_state {self.vm_state or '-'}, "
            f"task_state {self.task_state or '-'}, power_state {self.power_label()}"
        )


class ComputeApi:
    """The two compute calls of the document, with the token of ``variables``."""

    def __init__(
        self,
        client: ApiClient,
        variables: Variables,
        reauthenticate: Callable[[], str] | None,
    ) -> None:
        self.client = client
        self.variables = variables
        self._reauthenticate = reauthenticate

    def show_server(self) -> ServerView:
        """``GET {COMPUTE}/{ver}/{PROJECT_ID}/servers/{SERVER_ID}`` → 200."""
        url = self.variables.server_url()
        response = self._call("GET", url, None)
        if response.status_code == 404:
            raise ServerNotFound(
                "GET",
                url,
                404,
                response.reason,
                fault_message(response, self.client.secrets),
                hint="check SERVER_ID and PROJECT_ID (the server must be in the token's project); "
                "if they are right, the server was deleted",
            )
        if response.status_code != 200:
            raise ApiError(
                "GET",
                url,
                response.status_code,
                response.reason,
                fault_message(response, self.client.secrets),
            )
        return ServerView.from_body(response.json())

    def list_servers(self) -> list[dict[str, Any]]:
        """``GET {COMPUTE}/{ver}/{PROJECT_ID}/servers`` (id and name), following Nova's next links."""
        return self._pages("servers")[0]

    def servers_detail(self) -> tuple[list[ServerView], int]:
        """``GET …/servers/detail``, every page: the project's servers in full, and the pages read."""
        servers, pages = self._pages("servers/detail")
        return [ServerView.from_body({"server": server}) for server in servers], pages

    def _pages(self, path: str) -> tuple[list[dict[str, Any]], int]:
        v = self.variables
        url: str | None = f"{v.compute}/{v.compute_version or 'v2'}/{v.project_id}/{path}"
        servers: list[dict[str, Any]] = []
        pages = 0
        while url is not None:
            response = self._call("GET", url, None)
            pages += 1
            if response.status_code != 200:
                raise ApiError(
                    "GET",
                    url,
                    response.status_code,
                    response.reason,
                    fault_message(response, self.client.secrets),
                )
            body = response.json()
            servers += body.get("servers", [])
            links = [link for link in body.get("servers_links", []) if link.get("rel") == "next"]
            url = str(links[0]["href"]) if links else None
        return servers, pages

    def stop_server(self) -> requests.Response:
        """``POST …/servers/{SERVER_ID}/action {"os-stop": null}`` (202 expected; caller decides)."""
        return self._call("POST", self.variables.server_url() + "/action", STOP_BODY, "os-stop")

    def start_server(self) -> requests.Response:
        """``POST …/servers/{SERVER_ID}/action {"os-start": null}`` (202 expected; caller decides)."""
        return self._call("POST", self.variables.server_url() + "/action", START_BODY, "os-start")

    def _call(self, method: str, url: str, body: Any, action: str = "read") -> requests.Response:
        response = self._send(method, url, body, action)
        if response.status_code == 401 and self._reauthenticate is not None:
            # The token lives 3 hours and calls near the end can get 401: get a new one once.
            # Safe for the POST too: a 401 comes from the auth layer, before Nova acts.
            self._reauthenticate()
            response = self._send(method, url, body, action)
        if response.status_code == 401:
            raise ApiError(
                method,
                url,
                401,
                response.reason,
                fault_message(response, self.client.secrets),
                hint="the token was refused (expired after 3 hours, or revoked): run step 2 again "
                "(--from-step 2), or give a new TOKEN",
            )
        return response

    def _send(self, method: str, url: str, body: Any, action: str) -> requests.Response:
        headers = {"X-Auth-Token": self.variables.token or ""}
        if method == "GET":
            return self.client.get(url, headers=headers)
        about = {"server_id": self.variables.server_id}
        return self.client.post(url, body, headers=headers, action=action, about=about)
