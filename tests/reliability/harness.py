"""The target of the fuzzers: an emulator with a second project, tokens of every kind, and checks.

``FuzzTarget`` holds one Flask app seeded with the default seed plus a second domain, project,
user and server (so "a token of another project" exists), and a set of tokens minted through the
real identity API: valid, observer (may not act), other project, unscoped, revoked and expired.
Generated requests name a token by kind (``@@token:valid@@``); the target substitutes the live
value when it sends the request, so a reset (new tokens) never invalidates a generated example.

``problems_with(...)`` is the oracle: no status >= 500, the request id headers, and every error in
its service's own fault format.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from flask import Flask, got_request_exception
from werkzeug.test import TestResponse

from emulator.app import create_app
from emulator.seed import Seed, parse_seed
from emulator.state import STATE_KEY, EmulatorState

PROJECT_ID = "790f1c092038413a8dd6771a033b17f5"
SERVER_ID = "dbf93607-f105-4e86-842c-02ae504efe36"
DEMO_USER_ID = "d476b7a6a9a74d00b78bc87a3e87de7b"
DEMO_PASSWORD = "demo-password"
DEMO_DOMAIN = "demo0001"
OTHER_PROJECT_ID = "aa0e6f2b3c4d4e5f8a9b0c1d2e3f4a5b"
OTHER_DOMAIN_ID = "bb1f7a3c4d5e4f60a1b2c3d4e5f60719"
OTHER_USER_ID = "cc2a8b4d5e6f4a71b2c3d4e5f6a7b8c9"
OTHER_PASSWORD = "other-password"
ADMIN_PASS = "Password0"  # the seed document's metadata.admin_pass
OTHER_SERVER_ID = "3c9b1f0e-6d2a-4b7c-9e8f-1a2b3c4d5e6f"
LOCKED_SERVER_ID = "7e5d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c"
SHUTOFF_SERVER_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
ERROR_SERVER_ID = "9f8e7d6c-5b4a-4392-8170-f6e5d4c3b2a1"
SERVER_IDS = (SERVER_ID, LOCKED_SERVER_ID, SHUTOFF_SERVER_ID, ERROR_SERVER_ID)
TOKEN_KINDS = ("valid", "observer", "other_project", "unscoped", "revoked", "expired")
PLACEHOLDER = re.compile(r"@@token:([a-z_]+)@@")
REQUEST_ID = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# nova/api/openstack/wsgi.py Fault._fault_names; a code missing here renders as computeFault.
NOVA_FAULT_NAMES = {
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


def reliability_seed() -> Seed:
    """The default seed plus a second domain/project/user/server and locked/SHUTOFF/ERROR servers."""
    text = resources.files("emulator").joinpath("default_seed.yaml").read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    document["domains"].append({"id": OTHER_DOMAIN_ID, "name": "other0002"})
    document["projects"].append(
        {"id": OTHER_PROJECT_ID, "name": "other-project", "domain": "other0002"}
    )
    document["users"].append(
        {
            "id": OTHER_USER_ID,
            "name": "other-user",
            "domain": "other0002",
            "password": OTHER_PASSWORD,
            "roles": [{"project": "other-project", "role": "cpf_systemowner"}],
        }
    )
    template = document["servers"][0]
    extra: list[dict[str, Any]] = [
        {"id": LOCKED_SERVER_ID, "name": "locked-one", "locked": True},
        {"id": SHUTOFF_SERVER_ID, "name": "stopped-one", "status": "SHUTOFF"},
        {"id": ERROR_SERVER_ID, "name": "broken-one", "status": "ERROR"},
        {
            "id": OTHER_SERVER_ID,
            "name": "other-project-server",
            "project": "other-project",
            "user": "other-user",
        },
    ]
    for server in extra:
        document["servers"].append({**copy.deepcopy(template), **server})
    return parse_seed(document, source="tests/reliability seed")


def password_auth(
    user: str = "demo-user",
    password: str = DEMO_PASSWORD,
    domain: str = DEMO_DOMAIN,
    project_id: str | None = PROJECT_ID,
) -> dict[str, Any]:
    """A Keystone v3 password auth body (project-scoped by id, or unscoped)."""
    auth: dict[str, Any] = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": user, "domain": {"name": domain}, "password": password}},
        }
    }
    if project_id is not None:
        auth["scope"] = {"project": {"id": project_id}}
    return {"auth": auth}


@dataclass
class FuzzTarget:
    """One emulator app, its tokens by kind, and the counts of what the fuzzer sent."""

    app: Flask = field(default_factory=lambda: create_app(_fuzz_config()))
    tokens: dict[str, str] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    by_service: Counter[str] = field(default_factory=Counter)
    resets: int = 0

    def __post_init__(self) -> None:
        self.client = self.app.test_client()
        # Exceptions raised outside the view (e.g. in an after_request hook) skip the app's
        # Exception handler and so never reach state.unhandled_errors; Flask still signals them.
        self._signalled: list[BaseException] = []
        got_request_exception.connect(self._on_exception, self.app, weak=False)
        self.mint_tokens()

    def _on_exception(self, sender: Flask, exception: BaseException, **extra: Any) -> None:
        self._signalled.append(exception)

    def take_errors(self) -> list[BaseException]:
        """Every exception that escaped a route or hook since the last call (each once)."""
        errors = self.state.take_unhandled()
        seen = {id(error) for error in errors}
        errors += [e for e in self._signalled if id(e) not in seen]
        self._signalled = []
        return errors

    @property
    def state(self) -> EmulatorState:
        state: EmulatorState = self.app.extensions[STATE_KEY]
        return state

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())

    def _no_latency(self) -> None:
        # A fuzzed delay fault may ask for 300 s; the fuzzer checks that it fires, not the wait.
        self.state.control.sleep = lambda seconds: None

    def mint_tokens(self) -> None:
        """Issue one token of each kind through the identity API (expired first, then the clock moves)."""
        self._no_latency()
        expired = self._issue(password_auth())
        self.state.clock.advance(self.state.config.token_lifetime_seconds + 1)
        revoked = self._issue(password_auth())
        valid = self._issue(password_auth())
        response = self.client.delete(
            "/identity/v3/auth/tokens", headers={"X-Auth-Token": valid, "X-Subject-Token": revoked}
        )
        assert response.status_code == 204, response.get_data(as_text=True)
        self.tokens = {
            "valid": valid,
            "observer": self._issue(password_auth(user="demo-observer")),
            "other_project": self._issue(
                password_auth("other-user", OTHER_PASSWORD, "other0002", OTHER_PROJECT_ID)
            ),
            "unscoped": self._issue(password_auth(project_id=None)),
            "revoked": revoked,
            "expired": expired,
        }

    def secrets(self) -> dict[str, str]:
        """What must never be logged: the seed's passwords, admin_pass, every live token."""
        values = {
            "the demo password": DEMO_PASSWORD,
            "the other password": OTHER_PASSWORD,
            "admin_pass": ADMIN_PASS,
        }
        # Dead ones too: Keystone's 404 echoes a dead subject token ("Could not find token:
        # <id>."), and the request log must mask it there as well.
        values.update({f"the {kind} token": token for kind, token in self.tokens.items()})
        return values

    def reset(self) -> None:
        """Back to the seed (after a control-plane request changed faults, clock or servers)."""
        self.state.reset()
        self.mint_tokens()
        self.resets += 1

    def substitute(self, text: str) -> str:
        """Replace ``@@token:<kind>@@`` by the live token of that kind."""
        return PLACEHOLDER.sub(lambda m: self.tokens.get(m.group(1), m.group(1)), text)

    def send(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes | None,
        count: bool = True,
    ) -> TestResponse:
        """Send one request through the Flask test client and (``count``) count its status."""
        real_headers = {name: self.substitute(value) for name, value in headers.items()}
        data = self.substitute(body.decode("latin-1")).encode("latin-1") if body else body
        response = self.client.open(path, method=method, headers=real_headers, data=data)
        if count:
            self.statuses[response.status_code] += 1
            self.by_service[service_of(path)] += 1
        return response

    def _issue(self, body: dict[str, Any]) -> str:
        response = self.client.post("/identity/v3/auth/tokens", json=body)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.headers["X-Subject-Token"]


def _fuzz_config() -> dict[str, Any]:
    return {"seed": reliability_seed(), "timing": "immediate"}


def random_token() -> str:
    """A well-formed token value nobody issued."""
    return secrets.token_urlsafe(32)


def service_of(path: str) -> str:
    """``identity`` / ``compute`` / ``control`` by path prefix; anything else renders as compute."""
    for prefix, service in (("/identity", "identity"), ("/_emulator", "control")):
        if path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + "?"):
            return service
    return "compute"


def problems_with(method: str, path: str, status: int, headers: Any, body: bytes) -> list[str]:
    """What is wrong with one answer (empty: nothing): 5xx, missing ids, foreign fault format."""
    problems: list[str] = []
    if status >= 500:
        problems.append(f"status {status}")
    request_id = headers.get("x-openstack-request-id", "")
    if not REQUEST_ID.match(request_id):
        problems.append(f"x-openstack-request-id {request_id!r}")
    service = service_of(path.split("?", 1)[0])
    if service == "compute" and not REQUEST_ID.match(headers.get("x-compute-request-id", "")):
        problems.append("no x-compute-request-id")
    if status < 400 or method == "HEAD":
        return problems
    if not str(headers.get("Content-Type", "")).startswith("application/json"):
        problems.append(f"error Content-Type {headers.get('Content-Type')!r}")
    try:
        document = json.loads(body)
    except ValueError:
        return [*problems, f"error body is not JSON: {body[:80]!r}"]
    keystone_format = service == "identity" or (service == "compute" and status == 401)
    if keystone_format:
        problems += _keystone_problems(document, status, headers)
    elif service == "compute":
        problems += _nova_problems(document, status)
    else:
        problems += _control_problems(document, status)
    return problems


def _keystone_problems(document: Any, status: int, headers: Any) -> list[str]:
    # keystone/exception.py + keystone/server/flask/application.py: {"error": {code,title,message}}
    error = document.get("error") if isinstance(document, dict) else None
    if not isinstance(error, dict) or set(document) != {"error"}:
        return [f"not a Keystone error body: {document!r:.120}"]
    problems = []
    if error.get("code") != status:
        problems.append(f"Keystone error code {error.get('code')} != {status}")
    if not isinstance(error.get("title"), str) or not isinstance(error.get("message"), str):
        problems.append(f"Keystone error without title/message: {error!r:.120}")
    if status == 401 and not str(headers.get("WWW-Authenticate", "")).startswith("Keystone uri="):
        problems.append("401 without WWW-Authenticate: Keystone uri=...")
    return problems


def _nova_problems(document: Any, status: int) -> list[str]:
    # nova/api/openstack/wsgi.py Fault: {"<name>": {"code": N, "message": "..."}}
    if not isinstance(document, dict) or len(document) != 1:
        return [f"not a Nova fault body: {document!r:.120}"]
    key, inner = next(iter(document.items()))
    expected = NOVA_FAULT_NAMES.get(status, "computeFault")
    problems = []
    if key != expected:
        problems.append(f"Nova fault key {key!r} != {expected!r}")
    if not isinstance(inner, dict) or inner.get("code") != status:
        problems.append(f"Nova fault code mismatch: {inner!r:.120}")
    elif not isinstance(inner.get("message"), str):
        problems.append(f"Nova fault without message: {inner!r:.120}")
    return problems


def _control_problems(document: Any, status: int) -> list[str]:
    # The control plane's own format (emulator/control/errors.py): {"error": {code, message}}
    error = document.get("error") if isinstance(document, dict) else None
    if not isinstance(error, dict) or error.get("code") != status:
        return [f"not a control-plane error body: {document!r:.120}"]
    if not isinstance(error.get("message"), str):
        return [f"control-plane error without message: {error!r:.120}"]
    return []
