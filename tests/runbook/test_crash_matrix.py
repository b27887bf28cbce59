"""The crash matrix (issue 10): SIGKILL at each point of the stop, then a rerun sends no second stop.

The runbook kills itself at the exact instant (``runbook.crashpoints``, test-only, honoured only
against 127.0.0.1); the judgement is in ``tests/runbook/crash_matrix.py``. Fails on the code before
the journal: a kill after the 202 left no record of the stop, and the rerun sent a second one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator import EmulatorServer
from runbook.crashpoints import POINTS
from tests.runbook.crash_matrix import run_point

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("point", POINTS)
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
