"""The crash matrix of issue 10: SIGKILL the runbook at each point of the stop, then run it again.

For each point of page 1 in ``runbook.crashpoints.POINTS`` (``STOP_POINTS``) the runbook runs as a subprocess against a real
``EmulatorServer`` (manual timing: the server stays ``powering-off`` until the test advances it)
with ``FJCLOUD_RUNBOOK_TEST_KILL_AT=<point>``, so it SIGKILLs itself exactly there; then
``--from-step 4 --yes`` runs again from the state file and the journal. Judged:

- exactly one ``os-stop`` reached the emulator in all (its request log), or a second only where
  the journal shows the first never arrived — here that case is the kill before the POST, where
  the emulator saw none from the killed run;
- no journal record was lost (the records after the kill are the first records after the rerun),
  no torn line; every file parses; the evidence holds the stop and both invocations.

``python -m tests.runbook.crash_matrix`` prints the table of docs/RELIABILITY.md.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator import EmulatorServer
from runbook.crashpoints import ENV_VAR, POINTS
from runbook.journal import JOURNAL_NAME, read_journal
from tests.runbook.conftest import (
    FAST,
    REPO,
    Background,
    live_env,
    requests_to,
    run_runbook,
)


@dataclass
class CrashOutcome:
    """What one kill point gave."""

    point: str
    killed_status: int
    posts_after_kill: int
    records_after_kill: int
    rerun_status: int
    posts_in_all: int
    intents: int
    never_arrived: int
    records_lost: int
    torn_lines: int
    problems: list[str] = field(default_factory=list)
    output: str = ""


RERUN = ["--yes", "--from-step", "4"]
# Page 1's points (the stop and its wait); pages 2–5 have theirs in test_chain_crash.py.
STOP_POINTS = tuple(point for point in POINTS if point.startswith(("os-stop/", "wait/")))


def run_point(
    server: EmulatorServer, point: str, workdir: Path, rerun_args: list[str] = RERUN
) -> CrashOutcome:
    """Kill at ``point``, rerun with ``rerun_args``, and judge (``problems`` empty when all holds)."""
    server.reset()
    server.set_timing("manual")
    folder, state = workdir / "evidence", workdir / "state.json"
    args = ["--target", "live", "--state-file", str(state), "--evidence", str(folder), *FAST]
    env = live_env(server, workdir)
    killed = run_runbook([*args, "--yes", "--confirm-manual"], {**env, ENV_VAR: point})
    posts_after_kill = len(requests_to(server.requests_log(), "POST", "/action"))
    after_kill = read_journal(folder / JOURNAL_NAME)
    problems = []
    if killed.returncode != -signal.SIGKILL:
        problems.append(f"the first run was not killed (exit {killed.returncode})")
    # A killed run's evidence, on demand, from the journal alone.
    rendered = subprocess.run(
        [sys.executable, "-m", "runbook", "evidence", str(folder)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if rendered.returncode != 0:
        problems.append(f"python -m runbook evidence failed: {rendered.stderr}")
    first_posts = requests_to(server.requests_log(), "POST", "/action")
    server.clear_requests_log()  # what the rerun sends, apart
    rerun = Background([*args, *rerun_args], env, server)
    # Step 4's read, then step 5's first poll: the rerun has decided; let the stop complete.
    rerun.wait_for(_reads(server.server_ids[0], 2), "the rerun to poll")
    server.advance(server.server_ids[0])
    result = rerun.finish()
    final = read_journal(folder / JOURNAL_NAME)
    posts = first_posts + requests_to(server.requests_log(), "POST", "/action")
    intents = [r for r in final.records if r["kind"] == "intent" and r["action"] == "os-stop"]
    never = [r for r in final.records if r.get("conclusion") == "never arrived"]
    lost = sum(1 for a, b in zip(after_kill.records, final.records, strict=False) if a != b) + max(
        0, len(after_kill.records) - len(final.records)
    )
    problems += _judge(result.returncode, posts, intents, never, posts_after_kill, folder, state)
    if final.torn or after_kill.torn:
        problems.append(f"torn lines: {[t.describe() for t in final.torn + after_kill.torn]}")
    if lost:
        problems.append(f"{lost} journal records of the killed run are gone or changed")
    return CrashOutcome(
        point=point,
        killed_status=killed.returncode,
        posts_after_kill=posts_after_kill,
        records_after_kill=len(after_kill.records),
        rerun_status=result.returncode,
        posts_in_all=len(posts),
        intents=len(intents),
        never_arrived=len(never),
        records_lost=lost,
        torn_lines=len(final.torn),
        problems=problems,
        output=killed.output + result.output,
    )


def _reads(server_id: str, count: int) -> Callable[[list[dict[str, Any]]], bool]:
    def enough(log: list[dict[str, Any]]) -> bool:
        return len(requests_to(log, "GET", server_id)) >= count

    return enough


def _judge(
    status: int,
    posts: list[dict[str, Any]],
    intents: list[dict[str, Any]],
    never: list[dict[str, Any]],
    posts_after_kill: int,
    folder: Path,
    state: Path,
) -> list[str]:
    problems = []
    if status != 0:
        problems.append(f"the rerun failed (exit {status})")
    if len(posts) != 1:
        problems.append(f"{len(posts)} os-stop POSTs reached the emulator, not 1")
    if len(intents) == 2 and not (posts_after_kill == 0 and len(never) == 1):
        problems.append(
            "a second os-stop intent without the journal saying the first never arrived"
        )
    if len(intents) not in (1, 2):
        problems.append(f"{len(intents)} os-stop intents in the journal")
    data = json.loads((folder / "runbook.json").read_text(encoding="utf-8"))
    if [s["outcome"] for s in data["steps"]][3:5] != ["passed", "passed"]:
        problems.append(f"steps 4–5 in the evidence: {[s['outcome'] for s in data['steps'][:5]]}")
    if not any(r["intent"]["action"] == "os-stop" for r in data["requests_that_change_something"]):
        problems.append("the evidence does not hold the stop")
    if len(data["invocations"]) != 2 or data["invocations"][0]["finished_at"] is not None:
        problems.append("the evidence does not show the killed invocation and the rerun")
    if "never finished (killed?)" not in (folder / "runbook.md").read_text(encoding="utf-8"):
        problems.append("runbook.md does not show the killed invocation")
    if not state.exists():  # page 1 done; the procedure goes on with page 2 (it completes at 5.7)
        problems.append("the state file no longer points at the procedure")
    return problems


def main() -> int:
    """Run every point against one emulator and print the Markdown table."""
    rows = []
    with EmulatorServer() as server, tempfile.TemporaryDirectory() as temporary:
        for number, point in enumerate(STOP_POINTS):
            workdir = Path(temporary) / str(number)
            workdir.mkdir()
            rows.append(run_point(server, point, workdir))
    print("| kill point | first run | os-stop POSTs at the kill | journal records at the kill "
          "| rerun | os-stop POSTs in all | os-stop intents | 'never arrived' | records lost "
          "| as required |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| `{row.point}` | {_status(row.killed_status)} | {row.posts_after_kill} | "
            f"{row.records_after_kill} | exit {row.rerun_status} | {row.posts_in_all} | "
            f"{row.intents} | {row.never_arrived} | {row.records_lost} | "
            f"{'yes' if not row.problems else '; '.join(row.problems)} |"
        )
    sent = sum(row.posts_in_all for row in rows)
    lost = sum(row.records_lost for row in rows)
    ok = sum(1 for row in rows if not row.problems)
    each = " (one per kill point)" if sent == len(rows) else ""
    print(f"\n{ok}/{len(rows)} kill points as required; os-stop POSTs sent in all: {sent}{each}; "
          f"journal records lost: {lost}")  # fmt: skip
    return 0 if ok == len(rows) else 1


def _status(code: int) -> str:
    return "SIGKILL" if code == -signal.SIGKILL else f"exit {code}"


if __name__ == "__main__":
    sys.exit(main())
