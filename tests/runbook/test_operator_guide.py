"""docs/OPERATOR.md's (and README.md's) transcripts are what the runbook prints: each scenario of
tests/runbook/guide.py is run again and compared with its block (ports, times, durations and random
ids normalised)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runbook.guide import DOCUMENTS, SCENARIOS, Scenario, blocks, matches, normalise, run


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.name)
def test_every_scenario_has_its_transcript_in_its_document(document: Path) -> None:
    named = {s.name for s in SCENARIOS if s.document == document}
    assert set(blocks(document.read_text(encoding="utf-8"))) == named


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_the_guides_transcript_is_what_the_runbook_prints(scenario: Scenario) -> None:
    documented = blocks(scenario.document.read_text(encoding="utf-8"))[scenario.name]

    printed = run(scenario)

    assert matches(documented, printed), (
        f"{scenario.document.name} transcript:{scenario.name} is stale; rerun "
        "`.venv/bin/python -m tests.runbook.guide`. First difference:\n"
        + next(
            (
                f"documented: {a}\nprinted:    {b}"
                for a, b in zip(
                    map(normalise, documented.splitlines()),
                    map(normalise, printed.splitlines()),
                    strict=False,
                )
                if a != b
            ),
            "(one is longer)",
        )
    )


def test_normalise_keeps_the_words_and_drops_what_differs_between_runs() -> None:
    line = "POST http://127.0.0.1:41234/x → 202 Accepted (0.01 s) 2026-12-02T15:10:04.860Z"
    assert normalise(line) == "POST http://127.0.0.1:PORT/x → 202 Accepted (N s) TIME"
