"""What the operator reads: masking that never rewrites the tool's text, the lockout, the dry run,
display-width layout, the header and step 1's sourced facts (issue 10, "Messages" and "Step 1")."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import wcwidth

from emulator import EmulatorServer
from runbook.steps import CREATE_IMAGE_REFERENCE, PROCEDURE_URL
from tests.runbook.conftest import base_env, live_env, run_runbook

CONFIRMED = ["--yes", "--confirm-manual"]
# A reference password that occurs in no sentence of the tool, and dictionary words that do.
REFERENCE_PASSWORD = "Qz8-reference-Pw"
WORDS = ("password", "wrong", "server", "step")


def _normalised(text: str) -> str:
    # Durations, times and ports differ between two runs; nothing else may.
    return re.sub(r"\d+", "#", text)


def _failed_run(
    server: EmulatorServer, tmp_path: Path, password: str
) -> tuple[str, dict[str, Any]]:
    server.reset()  # 5 wrong passwords would lock the user
    # One run after the other, each its own procedure (its own journal and evidence folder).
    run = len(list(tmp_path.glob("evidence-*")))
    evidence = tmp_path / f"evidence-{run}"
    args = [
        "--target",
        "live",
        "--state-file",
        str(tmp_path / f"s-{run}.json"),
        "--evidence",
        str(evidence),
    ]
    result = run_runbook([*args, *CONFIRMED], live_env(server, tmp_path, OS_PASSWORD=password))
    assert result.returncode == 1, result.output
    return result.output, json.loads((evidence / "runbook.json").read_text())


def test_dictionary_word_passwords_leave_every_sentence_intact(
    fjcloud_emulator: EmulatorServer, tmp_path: Path
) -> None:
    # Masking by value turned "5 wrong passwords" into "5 *** passwords" with OS_PASSWORD=wrong:
    # the text changed, and the context gave the password away.
    reference, reference_record = _failed_run(fjcloud_emulator, tmp_path, REFERENCE_PASSWORD)
    assert REFERENCE_PASSWORD not in reference
    assert "5 wrong passwords within 15 minutes" in reference
    assert "***" not in reference  # nothing of this failed login needs a mask on the terminal
    for word in WORDS:
        output, record = _failed_run(fjcloud_emulator, tmp_path, word)

        # Byte for byte the reference run's output (but for digits): every tool sentence intact,
        # and the password nowhere the reference password was not either.
        assert _normalised(output) == _normalised(reference), word
        (token_request,) = [e for e in record["exchanges"] if e["url"].endswith("/auth/tokens")]
        user = token_request["request"]["body"]["auth"]["identity"]["password"]["user"]
        assert user["password"] == "***"
        # The evidence's notes too: the same sentences as the reference run's.
        assert _normalised(json.dumps(record["steps"])) == _normalised(
            json.dumps(reference_record["steps"])
        ), word


def test_a_dry_run_is_reported_as_a_dry_run_not_passed(tmp_path: Path) -> None:
    result = run_runbook(["--dry-run"], base_env(tmp_path))

    assert result.returncode == 0, result.output
    for number in range(1, 6):
        assert result.step_line(number).startswith("DRY RUN"), result.step_line(number)
    section = result.output.split("移行前の作業 — export pre-work", 1)[1]
    assert "PASSED" not in section.split("\n=")[0]


def test_rules_are_as_wide_as_pytests_own_in_display_columns(tmp_path: Path) -> None:
    # pytest's write_sep counts characters: the Japanese title made the rule 12 columns too wide.
    result = run_runbook([], {**base_env(tmp_path), "COLUMNS": "100"})

    assert result.returncode == 0, result.output
    rules = [line for line in result.output.splitlines() if line.startswith("====")]
    assert any("仮想サーバエクスポート" in line for line in rules)
    assert {wcwidth.width(line) for line in rules} == {100}, rules


def test_header_names_the_missing_auth_url_once_and_links_the_procedure(tmp_path: Path) -> None:
    # From tmp_path: a live run writes its journal and evidence under ./evidence/.
    result = run_runbook(["--target", "live", "--dry-run"], base_env(tmp_path), cwd=tmp_path)

    assert "((" not in result.output
    assert "runbook: target live (no OS_AUTH_URL)" in result.output
    assert (
        f"runbook: the procedure: 移行前の作業 (FJcloud-O IaaS 機能説明書) — {PROCEDURE_URL}"
        in (result.output)
    )


def test_step_1_cites_the_sourced_facts_and_still_asks(
    fjcloud_emulator: EmulatorServer, tmp_path: Path
) -> None:
    # shared/reference/export-chain.md §1.2: the page itself was not found; the Create image API
    # reference states the Windows and Linux work. The operator still confirms (no terminal here).
    args = ["--target", "live", "--state-file", str(tmp_path / "s.json"), "--no-evidence"]
    result = run_runbook([*args, "--yes"], live_env(fjcloud_emulator, tmp_path))

    text = " ".join(result.output.split())  # the facts are wrapped over several lines
    assert "The page 「一部の設定の初期化」 that step 1 links to was not found" in text
    assert "run Sysprep on the virtual server" in text
    assert "restore the virtual server's snapshot and restart it" in text
    assert "Linux — CentOS, Ubuntu, Red Hat Enterprise Linux: before the image, remove" in text
    assert "would break network communication with a server created from it" in text
    assert CREATE_IMAGE_REFERENCE in result.output
    assert result.step_line(1).startswith("FAILED")
    assert "pass --confirm-manual" in result.output
    assert fjcloud_emulator.requests_log() == []
