"""The crash matrix (issue 10): SIGKILL at each point of the stop, then a rerun sends no second stop.

The runbook kills itself at the exact instant (``runbook.crashpoints``, test-only, honoured only
against 127.0.0.1); the judgement is in ``tests/runbook/crash_matrix.py``. Fails on the code before
the journal: a kill after the 202 left no record of the stop, and the rerun sent a second one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator import EmulatorServer
from runbook.journal import JOURNAL_NAME, read_journal
from tests.runbook.conftest import live_env, run_runbook
from tests.runbook.crash_matrix import STOP_POINTS, run_point

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("point", STOP_POINTS)
def test_a_kill_at_any_point_of_the_stop_never_stops_twice(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, point: str
) -> None:
    outcome = run_point(fjcloud_emulator, point, tmp_path)

    assert outcome.problems == [], outcome.output
    assert outcome.posts_in_all == 1
    assert outcome.records_lost == 0
    if point == "os-stop/intent-journalled":
        # The only case with a second intent: the first never left, and the journal says so.
        assert (outcome.posts_after_kill, outcome.intents, outcome.never_arrived) == (0, 2, 1)
    else:
        assert (outcome.posts_after_kill, outcome.intents, outcome.never_arrived) == (1, 1, 0)


def test_a_rerun_of_the_whole_procedure_after_a_kill_does_not_stop_twice(
    fjcloud_emulator: EmulatorServer, tmp_path: Path
) -> None:
    # The operator runs everything again (steps 1–5), not --from-step 4: step 3 re-reads and
    # re-checks the pin, step 4 still decides from the journal.
    outcome = run_point(
        fjcloud_emulator, "os-stop/outcome-journalled", tmp_path, ["--yes", "--confirm-manual"]
    )

    assert outcome.problems == [], outcome.output
    assert (outcome.posts_in_all, outcome.intents) == (1, 1)


def test_within_one_run_a_second_stop_goes_only_with_never_arrived_on_disk(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # drop_before: the POST never reached Nova; the run re-reads (ACTIVE, no task, not updated)
    # and journals "never arrived" before its second intent.
    fjcloud_emulator.inject_fault(method="POST", path="*/action", action="drop_before", times=1)

    result = run_runbook(
        [*live_args, "--yes", "--confirm-manual"], live_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 0, result.output
    records = read_journal(tmp_path / "evidence" / JOURNAL_NAME).records
    stops = [
        r
        for r in records
        if r["kind"] in ("intent", "stop_check") and r.get("action", "os-stop") == "os-stop"
    ]
    assert [r["kind"] for r in stops] == ["intent", "stop_check", "intent"]
    assert stops[1]["intent"] == stops[0]["id"]
    assert stops[1]["conclusion"] == "never arrived"
