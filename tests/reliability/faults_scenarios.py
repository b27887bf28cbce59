"""The 12 fault scenarios of issue 6: how each is injected and what the runbook documents for it.

Every fault goes through the emulator's control plane over HTTP (``POST /_emulator/faults``,
``…/servers/{id}/state``, ``…/timing``, ``…/clock/advance``, ``…/servers/{id}/advance``).
``faults_matrix`` runs them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from emulator.server import EmulatorServer
from tests.reliability.harness import password_auth
from tests.reliability.servers import control
from tests.runbook.conftest import requests_to

WRONG = password_auth(password="wrong", project_id=None)


@dataclass
class Context:
    """What a scenario's hooks act on."""

    server: EmulatorServer
    server_id: str
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        return control(self.server.url, method, path, body)


Hook = Callable[[Context], None]


@dataclass(frozen=True)
class Scenario:
    """One row of the matrix: the fault, how it is injected, and the documented outcome."""

    id: str
    fault: str
    expect: str  # "recovered" (exit 0) or "failed" (exit 1 with the message)
    message: str  # a fragment the runbook's output must contain
    setup: Hook = lambda ctx: None
    during: Hook | None = None  # acts once step 5 polls (the runbook runs in the background)
    settle: Hook | None = None  # waits for requests still in the emulator when the run ends


def _fault(spec: dict[str, Any]) -> Hook:
    return lambda ctx: ctx.control("POST", "/faults", spec)


def _manual(ctx: Context) -> None:
    ctx.control("POST", "/timing", {"mode": "manual"})


def _stop_by_someone_else(ctx: Context) -> None:
    _manual(ctx)
    token = _token(ctx)
    url = f"{ctx.server.compute_url}/v2/{ctx.server.project_id}/servers/{ctx.server_id}/action"
    answer = requests.post(url, json={"os-stop": None}, headers={"X-Auth-Token": token}, timeout=5)
    assert answer.status_code == 202
    ctx.control("DELETE", "/requests")


def _token(ctx: Context) -> str:
    answer = requests.post(ctx.server.auth_url + "/auth/tokens", json=password_auth(), timeout=5)
    return str(answer.headers["X-Subject-Token"])


def _lock_out(ctx: Context) -> None:
    for _ in range(5):
        requests.post(ctx.server.auth_url + "/auth/tokens", json=WRONG, timeout=5)
    ctx.control("DELETE", "/requests")


def _read_timeout(ctx: Context) -> None:
    ctx.args += ["--read-timeout", "1"]
    _fault(
        {"method": "POST", "path": "*/action", "action": "delay", "delay_seconds": 2, "times": 1}
    )(ctx)


def _delayed_post_done(ctx: Context) -> None:
    """The delayed POST may still be asleep in the emulator when the runbook ends: wait for its
    log entry (written when it completes, with the fault's id), so it is judged with this run."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        posts = requests_to(ctx.server.requests_log(), "POST", "/action")
        if any(entry["fault"] is not None for entry in posts):
            return
        time.sleep(0.05)


def _expire_token(ctx: Context) -> None:
    ctx.control("POST", "/clock/advance", {"seconds": 3 * 3600 + 1})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the runbook re-authenticates, then we let it finish
        if len(requests_to(ctx.server.requests_log(), "POST", "/auth/tokens")) >= 2:
            break
        time.sleep(0.02)
    ctx.control("POST", f"/servers/{ctx.server_id}/advance")


SCENARIOS: list[Scenario] = [
    Scenario(
        "token-503",
        "503 on token issue (POST /v3/auth/tokens, once)",
        "failed",
        "→ 503 Service Unavailable",
        setup=_fault({"method": "POST", "path": "*/auth/tokens", "status": 503, "times": 1}),
    ),
    Scenario(
        "get-5xx",
        "503 on GET server (twice)",
        "recovered",
        "after retries: 503, 503",
        setup=lambda ctx: _fault(
            {"method": "GET", "path": f"*/servers/{ctx.server_id}", "status": 503, "times": 2}
        )(ctx),
    ),
    Scenario(
        "post-dropped",
        "connection dropped on the os-stop POST after Nova accepted it",
        "recovered",
        "the stop arrived despite the dropped answer",
        setup=_fault({"method": "POST", "path": "*/action", "action": "drop_after", "times": 1}),
    ),
    Scenario(
        "read-timeout",
        "read timeout on the os-stop POST (2 s delay, --read-timeout 1)",
        "recovered",
        "second attempt, after re-reading the state",
        setup=_read_timeout,
        settle=_delayed_post_done,
    ),
    Scenario(
        "already-stopped",
        "409 already stopped (server SHUTOFF before the run)",
        "recovered",
        "already stopped",
        setup=lambda ctx: ctx.control(
            "POST", f"/servers/{ctx.server_id}/state", {"status": "SHUTOFF"}
        ),
    ),
    Scenario(
        "powering-off",
        "409 powering-off (someone else's os-stop is in progress)",
        "recovered",
        "already powering off",
        setup=_stop_by_someone_else,
        during=lambda ctx: ctx.control("POST", f"/servers/{ctx.server_id}/advance"),
    ),
    Scenario(
        "locked",
        "409 locked",
        "failed",
        "is locked",
        setup=lambda ctx: ctx.control(
            "POST", f"/servers/{ctx.server_id}/state", {"status": "ACTIVE", "locked": True}
        ),
    ),
    Scenario(
        "no-server",
        "404 server (SERVER_ID of no server)",
        "failed",
        "could not be found",
        setup=lambda ctx: ctx.env.update(SERVER_ID=str(uuid.uuid4())),
    ),
    Scenario(
        "wrong-password",
        "401 wrong password",
        "failed",
        "401 Unauthorized",
        setup=lambda ctx: ctx.env.update(OS_PASSWORD="not-the-password"),
    ),
    Scenario(
        "lockout",
        "lockout (5 wrong passwords before the run)",
        "failed",
        "the user is locked: wait until",
        setup=_lock_out,
    ),
    Scenario(
        "token-expiry",
        "token expiry mid-run (clock +3 h while step 5 polls)",
        "recovered",
        "token refused (401)",
        setup=_manual,
        during=_expire_token,
    ),
    Scenario(
        "server-error",
        "server goes to ERROR while step 5 polls",
        "failed",
        "the server is in ERROR and no stop is under way",
        setup=_manual,
        during=lambda ctx: ctx.control(
            "POST", f"/servers/{ctx.server_id}/state", {"status": "ERROR"}
        ),
    ),
]
