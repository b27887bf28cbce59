"""The dry run prints step 3.4's here-document as a shell transcript, so it can be followed.

Found by acceptance: every line got a ``$ `` prompt, the JSON body and the terminator too
(``$ {"image_id": …}``, ``$ EOF``), which reads as three commands, not one here-document.
"""

from __future__ import annotations

from pathlib import Path

from tests.runbook.conftest import POLL, base_env, run_runbook


def test_dry_run_shows_the_export_requests_heredoc_with_continuation_prompts(
    tmp_path: Path,
) -> None:
    result = run_runbook([*POLL, "--dry-run"], base_env(tmp_path))

    assert result.returncode == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    start = lines.index("$ cat > param.json <<EOF")
    assert lines[start + 1].startswith('> {"image_id": "${IMAGE_ID}", "storage_container": ')
    assert lines[start + 2] == "> EOF"
    assert lines[start + 3].startswith("$ curl -i -X POST ")
    assert "$ EOF" not in lines


def test_dry_run_says_a_variable_is_not_known_yet_instead_of_from_dash(tmp_path: Path) -> None:
    result = run_runbook([*POLL, "--dry-run"], base_env(tmp_path))

    assert result.returncode == 0, result.output
    assert "(from -)" not in result.output
    assert "BLOCKSTORAGE  = -   (not known yet)" in result.output
