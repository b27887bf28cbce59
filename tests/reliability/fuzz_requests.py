"""Hypothesis strategies for whole requests to every emulator route: identity, compute, control.

Each request mixes a plausible skeleton (the right path, a nearly right body) with bad parts, so
the fuzzer gets past the first check of a route and reaches the deeper ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.reliability.fuzz_values import (
    LATIN1_PRINTABLE,
    MICROVERSIONS,
    SURROGATES,
    WEIRD_TEXT,
    any_body,
    encode,
    headers,
    json_values,
    query,
    segment,
)
from tests.reliability.harness import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEMO_USER_ID,
    OTHER_PASSWORD,
    OTHER_PROJECT_ID,
    OTHER_SERVER_ID,
    PROJECT_ID,
    SERVER_IDS,
    TOKEN_KINDS,
)

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "PROPFIND", "TRACE"]


@dataclass(frozen=True)
class FuzzRequest:
    """One generated request; ``@@token:<kind>@@`` stands for a live token of that kind."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None

    def describe(self) -> str:
        body = self.body if self.body is None or len(self.body) < 200 else self.body[:200] + b"..."
        return f"{self.method} {self.path[:300]} headers={self.headers!r:.400} body={body!r}"


def method_for(usual: list[str]) -> st.SearchStrategy[str]:
    """Mostly the route's own methods, sometimes any other."""
    return st.one_of(st.sampled_from(usual), st.sampled_from(usual), st.sampled_from(METHODS))


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(value, value, value, json_values)


# -- compute -----------------------------------------------------------------------------------
action_bodies = st.one_of(
    # exactly right (so the state machine is reached), twice the weight
    st.sampled_from([{"os-stop": None}, {"os-start": None}, {"reboot": {"type": "SOFT"}}]),
    st.sampled_from([{"os-stop": None}, {"os-start": None}, {"reboot": {"type": "HARD"}}]),
    # a known action with any value (reboot wants {"type": ...})
    st.builds(
        lambda key, value: {key: value},
        st.sampled_from(["os-stop", "os-start", "reboot"]),
        st.one_of(
            st.none(),
            json_values,
            st.fixed_dictionaries({"type": st.sampled_from(["SOFT", "HARD", "soft", "x"])}),
            st.fixed_dictionaries({"type": json_values}),
        ),
    ),
    # several actions at once
    st.dictionaries(
        st.sampled_from(["os-stop", "os-start", "reboot", "pause", "os-getConsoleOutput"]),
        st.none(),
        min_size=2,
    ),
    # an unknown action
    st.dictionaries(
        WEIRD_TEXT | st.sampled_from(["pause", "lock", "stop"]), json_values, max_size=2
    ),
    json_values,
)


def mostly(good: list[str], bad: st.SearchStrategy[str], one_in: int = 5) -> st.SearchStrategy[str]:
    """One of ``good`` most of the time, ``bad`` once in ``one_in``: most requests get past the
    first check of a route and reach the deeper ones."""
    return st.integers(0, one_in - 1).flatmap(lambda n: bad if n == 0 else st.sampled_from(good))


server_ids = mostly([*SERVER_IDS, OTHER_SERVER_ID, "Win2012R2SE"], segment())
project_ids = mostly(
    [PROJECT_ID, PROJECT_ID, PROJECT_ID, OTHER_PROJECT_ID],
    st.one_of(st.uuids().map(lambda u: u.hex), segment()),
)
apis = mostly(["v2", "v2.1"], segment(), one_in=8)


@st.composite
def compute_requests(draw: st.DrawFn) -> FuzzRequest:
    """Servers, actions, flavors and discovery under ``/compute``, with bad parts anywhere."""
    api, project, sid = draw(apis), draw(project_ids), draw(server_ids)
    base = f"/compute/{api}/{project}"
    tail, usual = draw(
        st.sampled_from(
            [
                (f"/servers/{sid}/action", ["POST"]),
                (f"/servers/{sid}/action", ["POST"]),
                (f"/servers/{sid}", ["GET"]),
                ("/servers", ["GET"]),
                ("/servers/detail", ["GET"]),
                ("/flavors", ["GET"]),
                ("/flavors/detail", ["GET"]),
                (f"/flavors/{sid}", ["GET"]),
                ("", ["GET"]),
                (f"/servers/{sid}/action/x", ["POST"]),
                (f"/{sid}", ["GET"]),
            ]
        )
    )
    path = draw(
        mostly(
            [base + tail],
            st.one_of(
                st.sampled_from(["/compute", "/compute/", f"/compute/{api}", f"/compute/{api}/"]),
                segment().map(lambda s: f"/compute/{s}"),
            ),
        )
    )
    return FuzzRequest(
        draw(method_for(usual)),
        path + draw(query()),
        draw(headers()),
        draw(any_body(action_bodies)),
    )


@st.composite
def action_requests(draw: st.DrawFn) -> FuzzRequest:
    """Well-formed stop/start/reboot requests by tokens of every kind: the state machine's 409s,
    the policy's 403, the project check's 400 and keystonemiddleware's 401."""
    api = draw(st.sampled_from(["v2", "v2.1"]))
    project = draw(st.sampled_from([PROJECT_ID, PROJECT_ID, PROJECT_ID, OTHER_PROJECT_ID]))
    sid = draw(st.sampled_from([*SERVER_IDS, OTHER_SERVER_ID]))
    kind = draw(st.sampled_from(["valid", "valid", "valid", *TOKEN_KINDS]))
    request_headers = {"X-Auth-Token": f"@@token:{kind}@@"}
    if draw(st.booleans()):
        request_headers["Content-Type"] = "application/json"
    if api == "v2.1" and draw(st.booleans()):
        request_headers["OpenStack-API-Version"] = draw(st.sampled_from(MICROVERSIONS))
    body = draw(
        st.sampled_from(
            [
                {"os-stop": None},
                {"os-start": None},
                {"reboot": {"type": "SOFT"}},
                {"reboot": {"type": "HARD"}},
            ]
        )
    )
    return FuzzRequest(
        "POST",
        f"/compute/{api}/{project}/servers/{sid}/action",
        request_headers,
        encode(body, True),
    )


# -- identity ----------------------------------------------------------------------------------
# Users that exist, in their own domain: the password check (and the lockout) is reached only
# through one of these.
REAL_USERS = [
    ("demo-user", DEMO_DOMAIN),
    ("demo-observer", DEMO_DOMAIN),
    ("other-user", "other0002"),
]


def _user() -> st.SearchStrategy[Any]:
    password = st.one_of(
        st.sampled_from([DEMO_PASSWORD, OTHER_PASSWORD, "wrong", ""]),
        SURROGATES,
        WEIRD_TEXT,
        json_values,
    )
    real = st.builds(
        lambda user, secret: {"name": user[0], "domain": {"name": user[1]}, "password": secret},
        st.sampled_from(REAL_USERS),
        password,
    )
    domain = st.one_of(
        st.fixed_dictionaries({"name": st.sampled_from([DEMO_DOMAIN, "other0002", "nope"])}),
        st.fixed_dictionaries({"id": WEIRD_TEXT}),
        json_values,
    )
    return st.one_of(
        real,
        real,
        real,
        st.fixed_dictionaries(
            {
                "name": maybe(st.sampled_from(["demo-user", "demo-observer", "other-user"])),
                "domain": domain,
                "password": password,
            }
        ),
        st.fixed_dictionaries({"id": maybe(st.just(DEMO_USER_ID)), "password": password}),
        st.fixed_dictionaries({"name": st.just("demo-user"), "password": password}),
        json_values,
    )


def _scope() -> st.SearchStrategy[Any]:
    project = st.one_of(
        st.fixed_dictionaries({"id": maybe(st.sampled_from([PROJECT_ID, OTHER_PROJECT_ID]))}),
        st.fixed_dictionaries(
            {"name": st.just("demo-project"), "domain": st.fixed_dictionaries({"name": WEIRD_TEXT})}
        ),
        st.fixed_dictionaries({"name": st.just("demo-project")}),
        json_values,
    )
    return st.one_of(
        st.fixed_dictionaries({"project": project}),
        st.fixed_dictionaries({"domain": st.fixed_dictionaries({"name": st.just(DEMO_DOMAIN)})}),
        st.fixed_dictionaries({"system": st.just({"all": True})}),
        st.fixed_dictionaries({"OS-TRUST:trust": st.just({"id": "x"})}),
        st.just("unscoped"),
        st.fixed_dictionaries({"project": project, "domain": st.just({"id": "x"})}),
        json_values,
    )


@st.composite
def auth_bodies(draw: st.DrawFn) -> Any:
    """A Keystone v3 auth request, nearly right, with any part wrong or missing."""
    methods = draw(
        st.one_of(
            st.just(["password"]),
            st.just(["password"]),
            st.sampled_from([["password"], ["token"], ["password", "token"], [], ["totp"]]),
            st.lists(WEIRD_TEXT, max_size=3),
            json_values,
        )
    )
    identity: dict[str, Any] = {"methods": methods}
    if draw(st.integers(0, 5)):
        identity["password"] = draw(
            st.one_of(st.fixed_dictionaries({"user": _user()}), json_values)
        )
    if draw(st.booleans()):
        token = st.sampled_from(TOKEN_KINDS).map(lambda k: f"@@token:{k}@@") | WEIRD_TEXT
        identity["token"] = draw(st.one_of(st.fixed_dictionaries({"id": token}), json_values))
    auth: dict[str, Any] = {"identity": draw(st.one_of(st.just(identity), json_values))}
    if draw(st.booleans()):
        auth["scope"] = draw(_scope())
    return draw(st.one_of(st.just({"auth": auth}), st.just({"auth": auth}), json_values))


@st.composite
def auth_requests(draw: st.DrawFn) -> FuzzRequest:
    """Well-formed ``POST /v3/auth/tokens`` with only the leaves wrong: real users with odd
    passwords (surrogates, wrong types), odd scopes, the token method with every kind of token.
    This is what reaches the password check, the lockout and the scope lookup."""
    user, domain = draw(st.sampled_from(REAL_USERS))
    secret = draw(
        st.one_of(
            st.sampled_from([DEMO_PASSWORD, OTHER_PASSWORD, "wrong"]), SURROGATES, json_values
        )
    )
    identity: dict[str, Any] = {
        "methods": ["password"],
        "password": {"user": {"name": user, "domain": {"name": domain}, "password": secret}},
    }
    if draw(st.integers(0, 3)) == 0:
        kind = draw(st.sampled_from(TOKEN_KINDS))
        identity = {"methods": ["token"], "token": {"id": f"@@token:{kind}@@"}}
    auth: dict[str, Any] = {"identity": identity}
    if draw(st.booleans()):
        auth["scope"] = draw(_scope())
    request_headers = {"Content-Type": "application/json"} if draw(st.booleans()) else {}
    query = draw(st.sampled_from(["", "?nocatalog"]))
    return FuzzRequest(
        "POST",
        f"/identity/v3/auth/tokens{query}",
        request_headers,
        encode({"auth": auth}, ascii_only=draw(st.booleans())),  # \ud800 escaped, or raw bytes
    )


@st.composite
def identity_requests(draw: st.DrawFn) -> FuzzRequest:
    """Discovery and ``/v3/auth/tokens`` (issue, validate, HEAD, revoke) with bad parts."""
    path, usual = draw(
        st.sampled_from(
            [
                ("/identity/v3/auth/tokens", ["POST"]),
                ("/identity/v3/auth/tokens", ["POST"]),
                ("/identity/v3/auth/tokens", ["GET", "HEAD", "DELETE"]),
                ("/identity/v3/auth/tokens?nocatalog", ["POST", "GET"]),
                ("/identity/v3/auth/tokens/", ["POST"]),
                ("/identity", ["GET"]),
                ("/identity/", ["GET"]),
                ("/identity/v3", ["GET"]),
                ("/identity/v3/", ["GET"]),
                ("/identity/v2.0", ["GET"]),
                ("/identity/v3/users", ["GET"]),
                ("/identity/v3/auth/catalog", ["GET"]),
            ]
        )
    )
    path = draw(mostly([path], segment().map(lambda s: f"/identity/{s}")))
    request_headers = draw(headers())
    subject = draw(
        st.one_of(
            st.none(),
            st.sampled_from(TOKEN_KINDS).map(lambda k: f"@@token:{k}@@"),
            st.text(LATIN1_PRINTABLE, max_size=40),
        )
    )
    if subject is not None:
        request_headers["X-Subject-Token"] = subject
    return FuzzRequest(
        draw(method_for(usual)), path, request_headers, draw(any_body(auth_bodies()))
    )


# -- control plane -----------------------------------------------------------------------------
# Numbers that break arithmetic downstream (float('nan') and infinities are valid in Python's
# JSON), and the edges of every range the control plane documents.
EDGE_NUMBERS = st.sampled_from(
    [float("nan"), float("inf"), float("-inf"), 1e308, -1, 0, 0.5, 1, 300, 301, 10**30, 2**63, True]
)
numbers = st.one_of(EDGE_NUMBERS, EDGE_NUMBERS, json_values)
fault_specs = st.fixed_dictionaries(
    {},
    optional={
        "action": maybe(st.sampled_from(["respond", "delay", "drop_before", "drop_after", "x"])),
        "method": maybe(st.sampled_from(["*", "GET", "POST", "get", "BREW"])),
        "path": maybe(st.sampled_from(["*", "*/action", "/compute/*", "(", ""])),
        "path_regex": maybe(st.sampled_from(["(", "[a-", ".*", "(a+)+$", "\\"])),
        "service": maybe(st.sampled_from(["identity", "compute", "control", ""])),
        "body_contains": maybe(st.sampled_from(["os-stop", "", "\ud800", "\x00"])),
        "status": maybe(st.sampled_from([0, 99, 100, 101, 199, 200, 204, 304, 503, 599, 600])),
        "body": json_values,
        "headers": maybe(
            st.dictionaries(
                st.sampled_from(
                    ["Content-Length", "Transfer-Encoding", "Connection", "X-Ok", "bad name", ""]
                ),
                st.sampled_from(["0", "chunked", "close", "x", "\r\n", "é", "\ud800"]),
                max_size=3,
            )
        ),
        "delay_seconds": numbers,
        "times": numbers,
        "probability": numbers,
        "seed": numbers,
        "bogus": json_values,
    },
)
timing_bodies = st.fixed_dictionaries(
    {"mode": maybe(st.sampled_from(["immediate", "seconds", "manual", "x"]))},
    optional={"seconds": numbers, "server_id": maybe(st.sampled_from(SERVER_IDS))},
)
state_bodies = st.fixed_dictionaries(
    {"status": maybe(st.sampled_from(["ACTIVE", "SHUTOFF", "ERROR", "shutoff", "BUILD"]))},
    optional={"locked": json_values},
)
clock_bodies = st.fixed_dictionaries({"seconds": numbers})
server_bodies = st.fixed_dictionaries(
    {},
    optional={
        "id": maybe(st.uuids().map(str) | st.sampled_from([SERVER_IDS[0], "x"])),
        "name": maybe(st.sampled_from(["new", ""])),
        "status": maybe(st.sampled_from(["ACTIVE", "SHUTOFF", "ERROR", "BUILD"])),
        "timing": numbers | st.sampled_from(["immediate", "manual", "seconds:nan", "seconds:-1"]),
        "locked": json_values,
        "metadata": json_values,
        "project": maybe(st.sampled_from([PROJECT_ID, OTHER_PROJECT_ID, "nope"])),
        "flavor": maybe(st.sampled_from(["11", "nope"])),
        "x": json_values,
    },
)


@st.composite
def control_requests(draw: st.DrawFn) -> FuzzRequest:
    """``/_emulator/…``: health, state, servers, timing, clock, faults, requests."""
    sid = draw(server_ids)
    path, usual, bodies = draw(
        st.sampled_from(
            [
                ("/_emulator/health", ["GET"], json_values),
                ("/_emulator/state", ["GET"], json_values),
                ("/_emulator/reset", ["POST"], json_values),
                ("/_emulator/servers", ["POST"], server_bodies),
                (f"/_emulator/servers/{sid}", ["DELETE"], json_values),
                (f"/_emulator/servers/{sid}/advance", ["POST"], json_values),
                (f"/_emulator/servers/{sid}/state", ["POST"], state_bodies),
                (f"/_emulator/servers/{sid}/history", ["GET"], json_values),
                ("/_emulator/timing", ["POST"], timing_bodies),
                ("/_emulator/clock/advance", ["POST"], clock_bodies),
                ("/_emulator/faults", ["POST"], fault_specs),
                ("/_emulator/faults", ["POST"], fault_specs),
                ("/_emulator/faults", ["GET", "DELETE"], json_values),
                (f"/_emulator/faults/{sid}", ["DELETE"], json_values),
                ("/_emulator/requests", ["GET", "DELETE"], json_values),
            ]
        )
    )
    path = draw(mostly([path], segment().map(lambda s: f"/_emulator/{s}")))
    return FuzzRequest(
        draw(method_for(usual)), path, draw(headers(token=False)), draw(any_body(bodies))
    )


@st.composite
def other_requests(draw: st.DrawFn) -> FuzzRequest:
    """Paths outside every service prefix."""
    path = draw(
        st.one_of(
            st.sampled_from(["/", "/v3", "/v2.1", "/identityx", "/computer", "/_emulatorx"]),
            segment().map(lambda s: f"/{s}"),
        )
    )
    return FuzzRequest(
        draw(st.sampled_from(METHODS)), path, draw(headers()), draw(any_body(json_values))
    )


any_request = st.one_of(
    compute_requests(),
    action_requests(),
    identity_requests(),
    auth_requests(),
    control_requests(),
    other_requests(),
)
