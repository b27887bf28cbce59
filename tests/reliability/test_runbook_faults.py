"""The runbook under faults: the 12-scenario matrix of issue 6, each run end to end.

Full table: ``python -m tests.reliability.faults_matrix``. Each scenario must end as the runbook
documents (recovered with exit 0, or failed with its message and exit 1), never send an
``os-stop`` after one was accepted, and leave no secret in any output (``judge``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.server import EmulatorServer
from tests.reliability.faults_matrix import SCENARIOS, Scenario, run_scenario
from tests.reliability.secrets_scan import TokenRecorder


@pytest.fixture(scope="module")
def recorder() -> Iterator[TokenRecorder]:
    with TokenRecorder() as tokens:
        yield tokens


@pytest.fixture(scope="module")
def matrix_server(recorder: TokenRecorder) -> Iterator[EmulatorServer]:
    """One thread server for the matrix (each scenario resets it through the control plane)."""
    with EmulatorServer() as server:
        yield server


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_runbook_ends_as_documented_under_the_fault(
    scenario: Scenario, matrix_server: EmulatorServer, recorder: TokenRecorder, tmp_path: Path
) -> None:
    outcome = run_scenario(matrix_server, scenario, tmp_path, recorder)
    assert outcome.problems == [], outcome.output
    assert outcome.stop_posts.count(202) <= 1


def test_the_matrix_covers_the_twelve_faults_of_issue_6() -> None:
    assert len(SCENARIOS) == 12
    assert len({s.id for s in SCENARIOS}) == 12
    assert {s.expect for s in SCENARIOS} == {"recovered", "failed"}


def test_the_secret_scan_knew_the_tokens_it_looked_for(recorder: TokenRecorder) -> None:
    """Runs after the matrix (file order): every run that got a token had it recorded."""
    assert len(recorder.tokens) >= 8
