"""Concurrency, measured over real sockets: a storm of stop/start/GET, token issue, lockout.

    python -m tests.reliability.concurrency --threads 8 --ops 500 --servers 50 [--target both]

Against the standalone server (``python -m emulator serve --port 0`` in a subprocess) and the
thread server (``EmulatorServer``). Every answer must be one Nova would give (GET 200; action 202
or a 409 with Nova's message), and each server's history (``GET /_emulator/servers/{id}/history``)
must be a chain of allowed transitions whose accepted steps match the 202s the clients saw one to
one, ending in the state of the last accepted action.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.reliability.harness import PROJECT_ID, password_auth
from tests.reliability.secrets_scan import after_banner, find_secrets
from tests.reliability.servers import Standalone, control, standalone, thread_server

ACTIONS = ("os-stop", "os-start", "get")
# Allowed edges of the state machine (nova/compute/api.py stop/start + the host completing them):
# (vm_state, task_state, power_state) before -> after.
ALLOWED_EDGES = {
    (("active", None, 1), ("active", "powering-off", 1)),
    (("active", "powering-off", 1), ("stopped", None, 4)),
    (("stopped", None, 4), ("stopped", "powering-on", 4)),
    (("stopped", "powering-on", 4), ("active", None, 1)),
}
FINAL_OF = {"os-stop": ("stopped", 4, "SHUTOFF"), "os-start": ("active", 1, "ACTIVE")}
TIMINGS: list[Any] = ["immediate", 0.0, 0.01, 0.05]


@dataclass(frozen=True)
class Outcome:
    server_id: str
    action: str
    status: int  # -1: no HTTP answer (connection error)
    message: str


@dataclass
class StormReport:
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    transitions_checked: int = 0

    @property
    def counts(self) -> Counter[tuple[str, int]]:
        return Counter((o.action, o.status) for o in self.outcomes)


def add_storm_servers(base: str, count: int, rng: random.Random) -> tuple[list[str], set[str]]:
    """``count`` servers through the control plane: mixed timings and states, two locked."""
    ids, locked = [], set()
    for n in range(count):
        sid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        spec = {
            "id": sid,
            "name": f"storm-{n:02d}",
            "status": rng.choice(["ACTIVE", "SHUTOFF"]),
            "locked": n < 2,
            "timing": TIMINGS[n % len(TIMINGS)],
        }
        control(base, "POST", "/servers", spec)
        ids.append(sid)
        if n < 2:
            locked.add(sid)
    return ids, locked


def issue_token(base: str, **auth: Any) -> requests.Response:
    return requests.post(f"{base}/identity/v3/auth/tokens", json=password_auth(**auth), timeout=30)


def power_storm(
    base: str, server_ids: list[str], threads: int, ops: int, seed: int
) -> list[Outcome]:
    """``threads`` clients, each ``ops`` random os-stop / os-start / GET on random servers."""
    token = issue_token(base).headers["X-Subject-Token"]
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        session = requests.Session()
        session.headers["X-Auth-Token"] = token
        mine = []
        for _ in range(ops):
            sid, action = rng.choice(server_ids), rng.choice(ACTIONS)
            url = f"{base}/compute/v2/{PROJECT_ID}/servers/{sid}"
            try:
                if action == "get":
                    response = session.get(url, timeout=30)
                else:
                    response = session.post(f"{url}/action", json={action: None}, timeout=30)
            except requests.RequestException as exc:
                mine.append(Outcome(sid, action, -1, f"{type(exc).__name__}: {exc}"))
                continue
            message = ""
            if response.status_code >= 400:
                body = response.json()
                message = next(iter(body.values())).get("message", "") if body else ""
            mine.append(Outcome(sid, action, response.status_code, message))
        with lock:
            outcomes.extend(mine)

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


def judge_answers(outcomes: list[Outcome], locked: set[str]) -> list[str]:
    """Only the answers Nova gives: GET 200, action 202, or 409 with Nova's exact message."""
    problems = []
    for o in outcomes:
        if (o.action == "get" and o.status == 200) or (o.action != "get" and o.status == 202):
            continue
        if o.action != "get" and o.status == 409 and _nova_conflict(o, locked):
            continue
        problems.append(f"unexpected {o.status} on {o.action} {o.server_id}: {o.message}")
    return problems


def _nova_conflict(o: Outcome, locked: set[str]) -> bool:
    if o.server_id in locked:
        # nova/exception.py InstanceIsLocked (check_instance_lock runs first)
        return o.message == f"Instance {o.server_id} is locked"
    verb = "stop" if o.action == "os-stop" else "start"
    # nova/api/openstack/common.py raise_http_conflict_for_instance_invalid_state; stop is
    # refused on a stopped server, start on an active one, both during any task.
    wrong_vm = "stopped" if verb == "stop" else "active"
    pattern = (
        rf"Cannot '{verb}' instance {re.escape(o.server_id)} while it is in "
        rf"(vm_state {wrong_vm}|task_state (powering-off|powering-on))"
    )
    return re.fullmatch(pattern, o.message) is not None


def judge_histories(
    base: str, outcomes: list[Outcome], server_ids: list[str]
) -> tuple[list[str], int]:
    """Every change allowed, every 202 in the history exactly once, the final state right."""
    time.sleep(max(t for t in TIMINGS if isinstance(t, float)) + 0.05)  # let "seconds" ones finish
    accepted = Counter((o.server_id, o.action) for o in outcomes if o.status == 202)
    states = {s["id"]: s for s in control(base, "GET", "/state")["compute"]["servers"]}
    problems, checked = [], 0
    for sid in server_ids:
        history = control(base, "GET", f"/servers/{sid}/history")["history"]
        steps = [(h["vm_state"], h["task_state"], h["power_state"]) for h in history]
        for before, after in itertools.pairwise(steps):
            checked += 1
            if (before, after) not in ALLOWED_EDGES:
                problems.append(f"{sid}: impossible transition {before} -> {after}")
        if [h["at"] for h in history] != sorted(h["at"] for h in history):
            problems.append(f"{sid}: history out of order")
        for action, task in (("os-stop", "powering-off"), ("os-start", "powering-on")):
            seen = sum(1 for h in history if h["task_state"] == task)
            if seen != accepted[(sid, action)]:
                problems.append(
                    f"{sid}: {accepted[(sid, action)]} x 202 for {action}, {seen} in the history"
                )
        last_accepted = [h for h in history if h["task_state"] in ("powering-off", "powering-on")]
        final = states[sid]
        if last_accepted:
            action = "os-stop" if last_accepted[-1]["task_state"] == "powering-off" else "os-start"
            vm_state, power_state, status = FINAL_OF[action]
            got = (final["vm_state"], final["power_state"], final["status"], final["task_state"])
            if got != (vm_state, power_state, status, None):
                problems.append(f"{sid}: final {got} after a last accepted {action}")
    return problems, checked


def storm(base: str, threads: int, ops: int, servers: int, seed: int) -> StormReport:
    """Add the servers, run the storm, judge answers and histories."""
    rng = random.Random(seed)
    server_ids, locked = add_storm_servers(base, servers, rng)
    report = StormReport(power_storm(base, server_ids, threads, ops, seed))
    report.problems += judge_answers(report.outcomes, locked)
    history_problems, report.transitions_checked = judge_histories(
        base, report.outcomes, server_ids
    )
    report.problems += history_problems
    return report


def token_storm(base: str, threads: int, per_thread: int) -> tuple[list[str], list[str]]:
    """Concurrent token issue: (every token issued, problems)."""
    tokens: list[str] = []
    problems: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        mine, errors = [], []
        for _ in range(per_thread):
            response = requests.post(
                f"{base}/identity/v3/auth/tokens?nocatalog", json=password_auth(), timeout=30
            )
            if response.status_code == 201:
                mine.append(response.headers["X-Subject-Token"])
            else:
                errors.append(f"token issue {response.status_code}")
        with lock:
            tokens.extend(mine)
            problems.extend(errors)

    _run_threads(client, threads)
    return tokens, problems


def lockout_storm(base: str, threads: int, attempts: int) -> tuple[Counter[str], list[str]]:
    """``attempts`` wrong passwords for demo-observer from ``threads`` clients at once.

    FJcloud-O locks after 5 failures: exactly 4 answers are the plain 401 and every later one
    (the 5th included) says the account is locked; then even the right password is refused.
    """
    messages: Counter[str] = Counter()
    lock = threading.Lock()
    per_thread = attempts // threads

    def client() -> None:
        mine: Counter[str] = Counter()
        for _ in range(per_thread):
            response = issue_token(base, user="demo-observer", password="wrong-password")
            text = response.json()["error"]["message"]
            kind = "locked" if text.startswith("The account is locked") else text
            mine[f"{response.status_code} {kind}"] += 1
        with lock:
            messages.update(mine)

    _run_threads(client, threads)
    problems = []
    plain = messages["401 The request you have made requires authentication."]
    if plain != 4 or messages["401 locked"] != per_thread * threads - 4:
        problems.append(f"lockout not counted exactly: {dict(messages)}")
    right = issue_token(base, user="demo-observer")
    if right.status_code != 401 or "locked" not in right.json()["error"]["message"]:
        problems.append(f"right password during the lock: {right.status_code}")
    return messages, problems


LAST_TOKENS: list[str] = []  # the tokens of the last token storm, for the secret scan


def scan_standalone(process: Standalone, tokens: set[str]) -> list[str]:
    """The standalone server's stdout (after its banner), stderr and request log: no secret."""
    request_log = requests.get(f"{process.url}/_emulator/requests", timeout=30).text
    stdout = process.stdout.read_text(encoding="utf-8", errors="replace")
    texts = {
        "emulator stdout after the banner": after_banner(stdout),
        "emulator stderr": process.stderr.read_text(encoding="utf-8", errors="replace"),
        "emulator request log": request_log,
    }
    return find_secrets(texts, tokens)


def _run_threads(target: Any, count: int) -> None:
    workers = [threading.Thread(target=target) for _ in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def measure(base: str, args: argparse.Namespace) -> list[str]:
    """All three storms against one emulator; prints the figures, returns the problems."""
    report = storm(base, args.threads, args.ops, args.servers, args.seed)
    five_xx = sum(1 for o in report.outcomes if o.status >= 500)
    no_answer = sum(1 for o in report.outcomes if o.status == -1)
    print(f"  requests              {len(report.outcomes)}")
    print(f"  answers               {dict(sorted(report.counts.items()))}")
    print(f"  5xx / no answer       {five_xx} / {no_answer}")
    print(f"  transitions checked   {report.transitions_checked}")
    print(f"  unexpected / lost     {len(report.problems)}")
    tokens, token_problems = token_storm(base, args.threads, args.tokens_per_thread)
    LAST_TOKENS[:] = tokens
    issued, distinct = len(tokens), len(set(tokens))
    print(f"  tokens issued         {issued}, distinct {distinct}")
    messages, lockout_problems = lockout_storm(base, args.threads, args.wrong_passwords)
    print(f"  lockout answers       {dict(messages)}")
    problems = report.problems + token_problems + lockout_problems
    if distinct != issued:
        problems.append(f"{issued - distinct} duplicate tokens")
    for problem in problems[:20]:
        print(f"  PROBLEM {problem}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run the storms against the standalone server and/or the thread server."""
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.concurrency")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--ops", type=int, default=500, help="requests per thread")
    parser.add_argument("--servers", type=int, default=50)
    parser.add_argument("--tokens-per-thread", type=int, default=50)
    parser.add_argument("--wrong-passwords", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", choices=["standalone", "thread", "both"], default="both")
    args = parser.parse_args(argv)
    problems: list[str] = []
    if args.target in ("standalone", "both"):
        with tempfile.TemporaryDirectory() as logs, standalone(Path(logs)) as process:
            print(f"standalone server {process.url} (python -m emulator serve --port 0)")
            started = time.monotonic()
            problems += measure(process.url, args)
            print(f"  elapsed               {time.monotonic() - started:.1f} s")
            leaks = scan_standalone(process, set(LAST_TOKENS))
            print(f"  secrets in its output {leaks or 0}")
            problems += leaks
    if args.target in ("thread", "both"):
        with thread_server() as server:
            print(f"thread server {server.url} (EmulatorServer)")
            started = time.monotonic()
            problems += measure(server.url, args)
            errors = server.state.take_unhandled()
            print(f"  unhandled exceptions  {len(errors)}")
            problems += [repr(e) for e in errors]
            print(f"  elapsed               {time.monotonic() - started:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
