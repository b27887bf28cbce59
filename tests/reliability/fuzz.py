"""Fuzz every emulator route through the Flask test client and count what comes back.

    python -m tests.reliability.fuzz --examples 10000 [--seed 1]

Prints the number of generated requests, the status histogram, the number of answers >= 500 and
of unhandled exceptions, and checks that the emulator still answers normally afterwards. Exits 1
when any request broke the rules (see ``harness.problems_with``). The CI-sized run is
``tests/reliability/test_fuzz.py``; the raw-socket slice is ``tests.reliability.socket_fuzz``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from emulator.control.errors import ConnectionDropped
from tests.reliability.fuzz_requests import FuzzRequest, any_request
from tests.reliability.harness import (
    DEMO_PASSWORD,
    OTHER_PASSWORD,
    OTHER_PROJECT_ID,
    PROJECT_ID,
    SERVER_IDS,
    FuzzTarget,
    password_auth,
    problems_with,
    service_of,
)


@dataclass(frozen=True)
class KnownFinding:
    """An open finding (docs/RELIABILITY.md) whose unhandled exception the fuzzer tolerates.

    Each has a strict-xfail regression test in ``test_findings.py``; when the owner fixes it that
    test fails, and the finding is removed from ``OPEN_FINDINGS`` together with the xfail mark.
    """

    id: str
    exception: type[BaseException]
    source_file: str  # the exception was raised from a frame in this file

    def matches(self, error: BaseException) -> bool:
        if not isinstance(error, self.exception):
            return False
        frames = traceback.extract_tb(error.__traceback__)
        return any(frame.filename.endswith(self.source_file) for frame in frames)


# Findings not fixed by their owners yet (see docs/RELIABILITY.md). Empty: F1-F7 are all fixed.
# While F2 was open it read: KnownFinding("F2", RecursionError, "emulator/control/requestlog.py").
OPEN_FINDINGS: tuple[KnownFinding, ...] = ()
# Open findings about the request log: the leaks (by name, see FuzzTarget.secrets) each tolerates.
# Empty: F8 (a dead token echoed by Keystone's 404) is fixed. While open it read:
# "F8": frozenset({"the revoked token", "the expired token"}).
OPEN_LEAKS: dict[str, frozenset[str]] = {}


@dataclass
class FuzzRun:
    """The outcome of one fuzzing run: problems by request, tolerated findings by id."""

    target: FuzzTarget = field(default_factory=FuzzTarget)
    tolerated: tuple[KnownFinding, ...] = OPEN_FINDINGS
    tolerated_leaks: dict[str, frozenset[str]] = field(default_factory=lambda: dict(OPEN_LEAKS))
    problems: list[tuple[str, list[str]]] = field(default_factory=list)
    known_hits: Counter[str] = field(default_factory=Counter)
    unhandled: int = 0
    probes: int = 0

    def exercise(self, request: FuzzRequest) -> list[str]:
        """Send one request, judge the answer, and reset after a control-plane change."""
        target = self.target
        response = target.send(request.method, request.path, request.headers, request.body)
        status = response.status_code
        problems = problems_with(
            request.method, request.path, status, response.headers, response.get_data()
        )
        errors = target.take_errors()
        self.unhandled += len(errors)
        unknown = [e for e in errors if not any(f.matches(e) for f in self.tolerated)]
        if errors and not unknown:
            for error in errors:
                self.known_hits[next(f.id for f in self.tolerated if f.matches(error))] += 1
            problems = [p for p in problems if p != f"status {status}"]
        problems += [_describe(error) for error in unknown]
        problems += self._leaks(request)
        changed_state = request.method not in ("GET", "HEAD") and 200 <= status < 300
        if service_of(request.path) == "control" and changed_state:
            problems += self._probe()
            target.reset()  # faults, clock or servers may have changed: start clean
        if problems:
            self.problems.append((request.describe(), problems))
        return problems

    def _leaks(self, request: FuzzRequest) -> list[str]:
        """The request log (``GET /_emulator/requests``) holds no password and no token value."""
        entries = self.target.state.control.requests.entries()
        if service_of(request.path) == "control" or not entries:
            return []
        entry = entries[-1]
        text = json.dumps(entry, ensure_ascii=False)
        found = [name for name, value in self.target.secrets().items() if value in text]
        if not found:
            return []
        for finding, tolerated in self.tolerated_leaks.items():
            if set(found) <= tolerated:
                self.known_hits[finding] += 1
                return []
        return [f"the request log holds {', '.join(found)}"]

    def _probe(self) -> list[str]:
        """After a control-plane change: cloud requests may get what a fault says, never a crash."""
        target, problems = self.target, []
        url = f"/compute/v2/{PROJECT_ID}/servers/{SERVER_IDS[0]}"
        for method, path, body in (
            ("GET", url, None),
            ("POST", url + "/action", b'{"os-stop": null}'),
            ("POST", "/identity/v3/auth/tokens", b"{}"),
        ):
            headers = {"X-Auth-Token": "@@token:valid@@", "Content-Type": "application/json"}
            try:
                target.send(method, path, headers, body, count=False)
                self.probes += 1
            except ConnectionDropped:
                self.probes += 1  # a drop fault did what it was told
            problems += [f"after it, {method} {path}: {_describe(e)}" for e in target.take_errors()]
        return problems


def _describe(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/emulator/" in f.filename and "site-packages" not in f.filename]
    frame = (ours or frames)[-1]
    return f"unhandled {type(error).__name__}: {error!s:.120} at {frame.filename}:{frame.lineno}"


def answers_normally(target: FuzzTarget) -> list[str]:
    """After the fuzzing: health, reads, a stop or start, and token issue still work."""
    client, problems = target.client, []
    if client.get("/_emulator/health").status_code != 200:
        problems.append("health check failed")
    token = {"X-Auth-Token": target.tokens["valid"]}
    for server_id in SERVER_IDS:
        url = f"/compute/v2/{PROJECT_ID}/servers/{server_id}"
        response = client.get(url, headers=token)
        if response.status_code != 200:
            problems.append(f"GET {server_id}: {response.status_code}")
            continue
        server = response.get_json()["server"]
        action = "os-start" if server["status"] == "SHUTOFF" else "os-stop"
        response = client.post(url + "/action", json={action: None}, headers=token)
        if response.status_code not in (202, 409):
            problems.append(f"{action} {server_id}: {response.status_code}")
    for body in (
        password_auth(),
        password_auth("other-user", OTHER_PASSWORD, "other0002", OTHER_PROJECT_ID),
    ):
        response = client.post("/identity/v3/auth/tokens", json=body)
        message = (response.get_json() or {}).get("error", {}).get("message", "")
        locked = response.status_code == 401 and "locked" in message  # the fuzzer's wrong passwords
        if response.status_code != 201 and not locked:
            problems.append(f"token issue: {response.status_code} {message}")
    assert DEMO_PASSWORD not in str(problems)
    return problems


def fuzz_settings(examples: int, derandomize: bool) -> settings:
    """No deadline (huge bodies take a while), no example database, no shrinking in measurements."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=derandomize,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate] if not derandomize else [Phase.generate, Phase.shrink],
    )


def run(examples: int, seed: int | None, progress: Callable[[int], None] | None = None) -> FuzzRun:
    """Generate ``examples`` requests (hypothesis) and judge each; never stops at a problem."""
    outcome = FuzzRun()

    @fuzz_settings(examples, derandomize=False)
    @given(any_request)
    def one(request: FuzzRequest) -> None:
        outcome.exercise(request)
        if progress is not None:
            progress(outcome.target.sent)

    if seed is not None:
        one = hypothesis_seed(seed)(one)
    one()
    return outcome


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer and print the figures for docs/RELIABILITY.md."""
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.fuzz", description=__doc__)
    parser.add_argument("--examples", type=int, default=10000, help="requests to generate")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (repeatable run)")
    args = parser.parse_args(argv)
    # The app logs each unhandled exception with its traceback; the counts below are the point.
    logging.getLogger("emulator").setLevel(logging.CRITICAL)
    started = time.monotonic()

    def progress(sent: int) -> None:
        if sent % 2000 == 0:
            print(f"  ... {sent} requests", file=sys.stderr, flush=True)

    outcome = run(args.examples, args.seed, progress)
    target = outcome.target
    after = answers_normally(target)
    elapsed = time.monotonic() - started
    five_xx = sum(n for status, n in target.statuses.items() if status >= 500)
    print(f"generated requests      {target.sent}")
    print(f"  by service            {dict(sorted(target.by_service.items()))}")
    print(f"  statuses              {dict(sorted(target.statuses.items()))}")
    print(f"answers >= 500          {five_xx}")
    print(f"unhandled exceptions    {outcome.unhandled}")
    print(f"  of open findings      {dict(outcome.known_hits) or 0}")
    print(f"requests with problems  {len(outcome.problems)}")
    print(f"follow-up probes        {outcome.probes} (cloud requests after a control change)")
    print(f"resets (control plane)  {target.resets}")
    print(f"answers normally after  {after or 'yes'}")
    print(f"elapsed                 {elapsed:.1f} s")
    for described, problems in outcome.problems[:20]:
        print(f"  PROBLEM {described}\n          {problems}")
    return 1 if outcome.problems or after else 0


if __name__ == "__main__":
    sys.exit(main())
