"""移行前の作業 — the export pre-work as a pytest suite (placeholder until the runbook is built)."""

import pytest


def test_runbook_not_built_yet() -> None:
    pytest.fail("the runbook is not built yet (issue 5)")
