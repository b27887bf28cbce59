"""``pytest runbook`` with the default ``--target emulator``: the rehearsal an operator runs first."""

from __future__ import annotations

from pathlib import Path

from tests.runbook.conftest import ADMIN_PASS, FAST, PASSWORD, base_env, run_runbook


def test_rehearsal_passes_the_five_steps_and_reports_each(tmp_path: Path) -> None:
    result = run_runbook(FAST, base_env(tmp_path))

    assert result.returncode == 0, result.output
    for number, title in enumerate(
        (
            "一部の設定の初期化",
            "トークンの取得",
            "変数の設定",
            "仮想サーバの停止",
            "仮想サーバの状態確認",
        ),
        1,
    ):
        line = result.step_line(number)
        assert line.startswith("PASSED"), line
        assert title in line, line
    assert (
        "acknowledged automatically" in result.output
    )  # step 1 is recorded as not confirmed by a person
    assert "/action → 202 Accepted" in result.output
    assert "status SHUTOFF, vm_state stopped, power_state 4 (shutdown)" in result.output
    assert PASSWORD not in result.output
    assert ADMIN_PASS not in result.output
    # A rehearsal leaves nothing behind: no state file, no evidence unless asked for.
    assert not (tmp_path / "evidence").exists()


def test_region_3_rehearsal_uses_the_v2_1_path(tmp_path: Path) -> None:
    # shared/reference/fjcloud-o.md: jp-east-3 / jp-west-3 serve compute under /v2.1.
    result = run_runbook(["--region", "jp-east-3", *FAST], base_env(tmp_path))

    assert result.returncode == 0, result.output
    assert "API path   = /v2.1" in result.output
    assert "/compute/v2.1/790f1c092038413a8dd6771a033b17f5/servers/" in result.output
    assert "/compute/v2/" not in result.output


def test_dry_run_prints_copy_pasteable_curl_commands_and_changes_nothing(tmp_path: Path) -> None:
    result = run_runbook(["--dry-run", *FAST], base_env(tmp_path))

    assert result.returncode == 0, result.output
    assert "DRY RUN" in result.output
    # The document's command with -X (not its en dash –X) and the token as ${TOKEN}.
    assert (
        '$ curl -i -X POST -H "X-Auth-Token: ${TOKEN}" -H "Content-Type: application/json" "${COMPUTE}/v2/${PROJECT_ID}/servers/${SERVER_ID}/action" -d \'{"os-stop": null}\''
        in result.output
    )
    assert (
        '$ curl -X GET -H "X-Auth-Token: ${TOKEN}" "${COMPUTE}/v2/${PROJECT_ID}/servers/${SERVER_ID}"'
        in result.output
    )
    assert "–X" not in result.output
    assert (
        '"\'"$OS_PASSWORD"\'"' in result.output
    )  # the password is read from the shell, never printed
    assert PASSWORD not in result.output
    assert "POST http" not in result.output  # nothing was sent


def test_rehearsal_from_step_4_gets_its_own_token(tmp_path: Path) -> None:
    # Each rehearsal starts a new emulator, so there is no state to resume: it logs in itself.
    result = run_runbook(["--from-step", "4", *FAST], base_env(tmp_path))

    assert result.returncode == 0, result.output
    assert result.step_line(1).startswith("NOT SELECTED")
    assert "rehearsal: token obtained (step 2 did not run in this invocation)" in result.output
    assert result.step_line(5).startswith("PASSED")
