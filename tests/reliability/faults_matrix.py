"""The runbook under faults: 12 scenarios, each ``pytest runbook --target live`` end to end.

    python -m tests.reliability.faults_matrix [--markdown docs-table.md]

Each scenario resets an ``EmulatorServer`` (127.0.0.1), injects its fault through the control
plane over HTTP (``POST /_emulator/faults``, ``…/servers/{id}/state``, ``…/timing``,
``…/clock/advance``), runs the runbook as an operator does (a subprocess with ``OS_*``), and
checks: the exit code and message the runbook documents, never a second ``os-stop`` after one
was accepted (the emulator's request log), and no secret in stdout/stderr, the evidence, the
state file or the emulator's log.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.server import EmulatorServer
from tests.reliability.faults_scenarios import SCENARIOS, Context, Scenario
from tests.reliability.secrets_scan import TokenRecorder, find_secrets
from tests.reliability.servers import control
from tests.runbook.conftest import (
    FAST,
    Background,
    Result,
    live_env,
    polling_started,
    requests_to,
    run_runbook,
)

CONFIRMED = ["--yes", "--confirm-manual"]
__all__ = ["SCENARIOS", "Outcome", "Scenario", "judge", "main", "run_scenario", "table"]


@dataclass
class Outcome:
    """What one scenario did and what was wrong with it."""

    scenario: Scenario
    returncode: int
    stop_posts: list[int | None]  # statuses of the os-stop POSTs in the request log
    problems: list[str]
    output: str


def run_scenario(
    server: EmulatorServer, scenario: Scenario, workdir: Path, recorder: TokenRecorder
) -> Outcome:
    """Reset, inject, run the runbook, judge."""
    control(server.url, "POST", "/reset")
    server.state.control.sleep = time.sleep  # delay faults really wait here
    workdir.mkdir(parents=True, exist_ok=True)
    server_id = server.server_ids[0]
    ctx = Context(server, server_id, env=live_env(server, workdir, SERVER_ID=server_id))
    ctx.args = [
        "--target", "live", "--state-file", str(workdir / "state.json"),
        "--evidence", str(workdir / "evidence"), *FAST, *CONFIRMED,
    ]  # fmt: skip
    scenario.setup(ctx)
    with _emulator_log() as emulator_log:
        if scenario.during is None:
            result = run_runbook(ctx.args, ctx.env)
        else:
            background = Background(ctx.args, ctx.env, server)
            background.wait_for(polling_started(server_id), "step 5 to poll")
            scenario.during(ctx)
            result = background.finish()
        if scenario.settle is not None:
            scenario.settle(ctx)
    typed = ctx.env.get("OS_PASSWORD", "")  # the operator's password, right or wrong
    return judge(scenario, result, server, workdir, recorder, emulator_log.getvalue(), typed)


def judge(
    scenario: Scenario,
    result: Result,
    server: EmulatorServer,
    workdir: Path,
    recorder: TokenRecorder,
    emulator_log: str,
    typed_password: str,
) -> Outcome:
    """The documented exit and message; at most one accepted os-stop and nothing after it; no secret."""
    problems = []
    expected_code = 0 if scenario.expect == "recovered" else 1
    if result.returncode != expected_code:
        problems.append(f"exit {result.returncode}, expected {expected_code}")
    if scenario.message not in result.output:
        problems.append(f"message {scenario.message!r} not in the output")
    posts = requests_to(server.requests_log(), "POST", "/action")
    statuses = [entry["status"] for entry in posts]
    if statuses.count(202) > 1:  # drop_after logs the 202 Nova gave: it counts as accepted
        problems.append(f"more than one os-stop accepted: {statuses}")
    problems += _posts_after_an_accepted_one(workdir / "evidence" / "runbook.json")
    try:
        server.check_errors()
    except Exception as exc:  # the emulator itself broke
        problems.append(f"emulator error: {exc!r}")
    files = [p for p in (workdir / "evidence").glob("*") if p.is_file()]
    state = workdir / "state.json"
    texts = {"stdout+stderr": result.output, "emulator log": emulator_log}
    texts.update({str(p.relative_to(workdir)): p.read_text(encoding="utf-8") for p in files})
    if state.exists():
        texts["state file"] = state.read_text(encoding="utf-8")
    problems += find_secrets(
        texts, recorder.tokens, state_token_allowed="state file", extra=(typed_password,)
    )
    return Outcome(scenario, result.returncode, statuses, problems, result.output)


def _posts_after_an_accepted_one(evidence: Path) -> list[str]:
    """From the client's side (evidence, in send order): no os-stop after one answered 202."""
    if not evidence.exists():
        return []
    exchanges = json.loads(evidence.read_text(encoding="utf-8")).get("exchanges", [])
    accepted = False
    for exchange in exchanges:
        if exchange["method"] != "POST" or not exchange["url"].endswith("/action"):
            continue
        if accepted:
            return ["an os-stop was sent after one was accepted (evidence)"]
        accepted = (exchange.get("response") or {}).get("status") == 202
    return []


@contextmanager
def _emulator_log() -> Iterator[Any]:
    """Everything the emulator and waitress log while the scenario runs."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("emulator", "waitress", "werkzeug")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield buffer
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def table(outcomes: list[Outcome]) -> str:
    """The Markdown table for docs/RELIABILITY.md."""
    rows = [
        "| # | fault (injected through the control plane) | documented outcome | exit | os-stop POSTs (status) | as documented |",
        "|---|---|---|---|---|---|",
    ]
    for n, o in enumerate(outcomes, 1):
        ok = "yes" if not o.problems else "NO: " + "; ".join(o.problems)
        posts = ", ".join(str(s) for s in o.stop_posts) or "none"
        rows.append(
            f"| {n} | {o.scenario.fault} | {o.scenario.expect} ({o.scenario.message!r}) | {o.returncode} | {posts} | {ok} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the 12 scenarios and print the table."""
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.faults_matrix")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    outcomes = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        TokenRecorder() as recorder,
        EmulatorServer() as server,
    ):
        for scenario in SCENARIOS:
            outcome = run_scenario(server, scenario, Path(tmp) / scenario.id, recorder)
            print(
                f"{scenario.id:<16} exit {outcome.returncode}  {outcome.problems or 'ok'}",
                flush=True,
            )
            outcomes.append(outcome)
    text = table(outcomes)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    good = sum(1 for o in outcomes if not o.problems)
    print(f"\n{good}/{len(outcomes)} end as documented; tokens watched: {len(recorder.tokens)}")
    return 0 if good == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
