"""``pytest runbook --target live`` against an emulator, exactly as against production, one branch per test.

Faults come from the emulator's control plane; what was (not) sent is checked in its request log.
"""

from __future__ import annotations

import json
import re
import stat
import uuid
from pathlib import Path

import requests

from emulator import EmulatorServer
from tests.runbook.conftest import (
    ADMIN_PASS,
    FAST,
    PASSWORD,
    base_env,
    live_env,
    requests_to,
    run_runbook,
)

CONFIRMED = ["--yes", "--confirm-manual"]
DOMAIN_RULE = "認証トークンのスコープにドメインは指定できません"


def _server_status(server: EmulatorServer) -> str:
    (entry,) = [
        s for s in server.snapshot()["compute"]["servers"] if s["id"] == server.server_ids[0]
    ]
    return str(entry["status"])


def test_live_run_stops_the_server_and_leaves_evidence(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    result = run_runbook([*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 0, result.output
    assert [
        e["status"] for e in requests_to(fjcloud_emulator.requests_log(), "POST", "/action")
    ] == [202]
    assert _server_status(fjcloud_emulator) == "SHUTOFF"
    assert "confirmed with --confirm-manual" in result.output
    record = json.loads((tmp_path / "evidence" / "runbook.json").read_text())
    assert [s["outcome"] for s in record["steps"][:5]] == ["passed"] * 5
    assert any(e["response"]["status"] == 202 for e in record["exchanges"])
    assert (
        "| 4. 仮想サーバの停止 — stop the server | passed |"
        in (tmp_path / "evidence" / "runbook.md").read_text()
    )
    # Page 1 alone leaves the procedure open for pages 2–5: the state file points at it.
    assert (tmp_path / "state.json").exists()


def test_already_stopped_server_gets_no_stop_request(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    fjcloud_emulator.set_server_state(fjcloud_emulator.server_ids[0], "SHUTOFF")

    result = run_runbook([*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 0, result.output
    assert "already stopped (SHUTOFF): no request sent" in result.step_line(4) + result.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_locked_server_409_fails_with_novas_message_and_what_to_do(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # nova/exception.py InstanceIsLocked: "Instance <uuid> is locked" (409).
    server_id = fjcloud_emulator.server_ids[0]
    fjcloud_emulator.set_server_state(server_id, "ACTIVE", locked=True)

    result = run_runbook([*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 1
    assert result.step_line(4).startswith("FAILED")
    assert f"409 Conflict: Instance {server_id} is locked" in result.output
    assert "openstack server unlock" in result.output
    assert result.step_line(5).startswith("NOT RUN")
    assert "not run because step 4 failed" in result.output


def test_unknown_server_fails_step_3_and_stops_nothing(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    missing = str(uuid.uuid4())
    env = live_env(fjcloud_emulator, tmp_path, SERVER_ID=missing)

    result = run_runbook([*live_args, *CONFIRMED], env)

    assert result.returncode == 1
    assert result.step_line(3).startswith("FAILED")
    assert f"404 Not Found: Instance {missing} could not be found." in result.output
    assert "check SERVER_ID and PROJECT_ID" in result.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []


def test_wrong_password_fails_step_2_once_with_the_lockout_warning(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path, OS_PASSWORD="not-the-password")

    result = run_runbook([*live_args, *CONFIRMED], env)

    assert result.returncode == 1
    assert result.step_line(2).startswith("FAILED")
    assert "401 Unauthorized: The request you have made requires authentication." in result.output
    assert "5 wrong passwords within 15 minutes" in result.output
    # One attempt only: retrying a wrong password would lock the user.
    assert len(requests_to(fjcloud_emulator.requests_log(), "POST", "/auth/tokens")) == 1
    assert "not-the-password" not in result.output


def test_locked_out_user_is_told_to_wait(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # FJcloud-O: 5 wrong passwords within 15 minutes lock the user for 15 minutes.
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "demo-user", "domain": {"name": "demo0001"}, "password": "wrong"}}}}}  # fmt: skip
    for _ in range(5):
        answer = requests.post(fjcloud_emulator.auth_url + "/auth/tokens", json=body, timeout=5)
        assert answer.status_code == 401

    result = run_runbook([*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 1
    assert result.step_line(2).startswith("FAILED")
    assert "401 Unauthorized" in result.output
    assert "The account is locked for user" in result.output
    # The hint agrees with the answer: wait until the time it gives, not "check OS_PASSWORD".
    (retry_at,) = re.findall(r"retry after (\S+?)\.\s", result.output)[:1]
    assert f"the user is locked: wait until {retry_at} (the time in the answer)" in result.output
    assert "check OS_PASSWORD" not in result.output


def test_domain_scope_is_refused_before_anything_is_sent(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    env = live_env(
        fjcloud_emulator,
        tmp_path,
        OS_PROJECT_ID=None,
        OS_PROJECT_NAME=None,
        OS_DOMAIN_NAME="demo0001",
    )

    result = run_runbook([*live_args, *CONFIRMED], env)

    assert result.returncode == 1
    assert result.step_line(1).startswith("ERROR")  # preflight: before step 1 asks anything
    assert DOMAIN_RULE in result.output
    assert "OS_DOMAIN_NAME without a project asks for one; nothing was sent" in result.output
    assert fjcloud_emulator.requests_log() == []


def test_5xx_on_get_is_retried_and_recovered(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    server_id = fjcloud_emulator.server_ids[0]
    fjcloud_emulator.inject_fault(
        method="GET", path=f"*/servers/{server_id}", status=503, body={"error": "busy"}, times=2
    )

    result = run_runbook(
        [*live_args, *CONFIRMED, "--http-retries", "3"], live_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 0, result.output
    statuses = [e["status"] for e in requests_to(fjcloud_emulator.requests_log(), "GET", server_id)]
    assert statuses[:3] == [503, 503, 200]
    assert "→ 200 OK (after retries: 503, 503)" in result.output


def test_dropped_connection_on_the_post_is_resolved_by_re_reading_the_server(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # drop_before: the POST never reached Nova. The runbook must not resend blindly: it reads the
    # server (ACTIVE, no task), and only then sends the stop once more.
    fjcloud_emulator.inject_fault(method="POST", path="*/action", action="drop_before", times=1)

    result = run_runbook([*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 0, result.output
    log = fjcloud_emulator.requests_log()
    posts = [
        i for i, e in enumerate(log) if e["method"] == "POST" and e["path"].endswith("/action")
    ]
    assert [log[i]["dropped"] for i in posts] == [True, False]
    assert any(e["method"] == "GET" for e in log[posts[0] + 1 : posts[1]])  # re-read in between
    assert "the stop did not arrive: sending it once more" in result.output


def test_answer_lost_after_the_stop_arrived_is_not_sent_again(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # drop_after: Nova acted, the answer was lost. Re-reading shows powering-off: no second POST.
    fjcloud_emulator.set_timing("manual")
    fjcloud_emulator.inject_fault(method="POST", path="*/action", action="drop_after", times=1)

    result = run_runbook(
        [*live_args, *CONFIRMED, "--to-step", "4"], live_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 0, result.output
    assert len(requests_to(fjcloud_emulator.requests_log(), "POST", "/action")) == 1
    assert "the stop arrived despite the dropped answer" in result.output


def test_5xx_on_the_post_is_resolved_by_re_reading_the_server(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # A 503 on the POST is not retried by the HTTP layer: the runbook reads the server first.
    fault = {"serviceUnavailable": {"code": 503, "message": "busy"}}
    fjcloud_emulator.inject_fault(method="POST", path="*/action", status=503, body=fault, times=1)

    result = run_runbook([*live_args, *CONFIRMED], live_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 0, result.output
    posts = requests_to(fjcloud_emulator.requests_log(), "POST", "/action")
    assert [p["status"] for p in posts] == [503, 202]
    assert "no clear answer to the POST (503 Service Unavailable)" in result.output


def test_no_terminal_and_no_yes_refuses_and_stops_nothing(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    result = run_runbook([*live_args, "--confirm-manual"], live_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 1
    assert result.step_line(4).startswith("FAILED")
    assert (
        "there is no terminal to confirm on and --yes was not given. Nothing was stopped."
        in result.output
    )
    assert "pass --yes" in result.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []
    assert _server_status(fjcloud_emulator) == "ACTIVE"


def test_no_terminal_without_confirm_manual_stops_at_step_1(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    result = run_runbook([*live_args, "--yes"], live_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 1
    assert result.step_line(1).startswith("FAILED")
    assert "pass --confirm-manual" in result.output
    assert fjcloud_emulator.requests_log() == []


def test_live_dry_run_sends_no_post(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    result = run_runbook(
        [*live_args, "--dry-run", "--insecure"], live_env(fjcloud_emulator, tmp_path)
    )

    assert result.returncode == 0, result.output
    assert [e for e in fjcloud_emulator.requests_log() if e["method"] == "POST"] == []
    assert "curl -i -k -X POST" in result.output  # the commands carry --insecure as curl's -k
    assert "WARNING: TLS certificates are NOT verified (--insecure)" in result.output
    assert not (tmp_path / "state.json").exists()


def test_region_3_live_run_posts_to_v2_1(tmp_path: Path, live_args: list[str]) -> None:
    with EmulatorServer(region="jp-east-3") as server:
        result = run_runbook([*live_args, *CONFIRMED], live_env(server, tmp_path))
        posts = requests_to(server.requests_log(), "POST", "/action")

    assert result.returncode == 0, result.output
    assert [p["path"] for p in posts] == [
        f"/compute/v2.1/{server.project_id}/servers/{server.server_ids[0]}/action"
    ]


def test_resume_across_invocations_keeps_the_token_not_the_password(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    state = tmp_path / "state.json"
    first = run_runbook(
        [*live_args, "--confirm-manual", "--to-step", "3"], live_env(fjcloud_emulator, tmp_path)
    )
    assert first.returncode == 0, first.output
    assert first.step_line(4).startswith("NOT SELECTED")
    assert "continue with --from-step 4" in first.output
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    saved = json.loads(state.read_text())
    token = saved["token"]
    assert token
    assert PASSWORD not in state.read_text()
    first_evidence = (tmp_path / "evidence" / "runbook.json").read_text()

    # Later, in a shell with nothing set but the auth URL: steps 4–5 from the state file.
    env = {**base_env(tmp_path), "OS_AUTH_URL": fjcloud_emulator.auth_url}
    # … and on through pages 2–5, so the procedure completes (its last step is 5.7).
    rest = ["--page", "1-5", "--confirm-manual", "--download-dir", str(tmp_path / "files")]
    second = run_runbook([*live_args, "--yes", "--from-step", "4", *rest], env)

    assert second.returncode == 0, second.output
    assert f"resumed from {state}" in second.output
    assert second.step_line(5).startswith("PASSED")
    assert (
        len(requests_to(fjcloud_emulator.requests_log(), "POST", "/auth/tokens")) == 1
    )  # no new token
    assert not state.exists()
    for text in (first.output, second.output, first_evidence):
        assert token not in text


def test_evidence_contains_no_password_token_or_admin_pass(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    result = run_runbook(
        [*live_args, *CONFIRMED, "--to-step", "3"], live_env(fjcloud_emulator, tmp_path)
    )
    assert result.returncode == 0, result.output
    token = json.loads((tmp_path / "state.json").read_text())["token"]

    evidence = tmp_path / "evidence"
    texts = {path.name: path.read_text() for path in evidence.iterdir()}
    assert set(texts) == {"journal.jsonl", "runbook.json", "runbook.md"}
    for name, text in texts.items():
        for secret in (PASSWORD, token, ADMIN_PASS):
            assert secret not in text, f"{name} holds a secret"
    record = json.loads(texts["runbook.json"])
    token_request = next(e for e in record["exchanges"] if e["url"].endswith("/auth/tokens"))
    assert (
        token_request["request"]["body"]["auth"]["identity"]["password"]["user"]["password"]
        == "***"
    )
    assert token_request["response"]["headers"]["X-Subject-Token"] == "***"
    server_body = next(e for e in record["exchanges"] if e["method"] == "GET")["response"]["body"]
    assert server_body["server"]["metadata"]["admin_pass"] == "***"
    assert stat.S_IMODE((evidence / "runbook.json").stat().st_mode) == 0o600


def test_live_evidence_is_written_by_default(
    fjcloud_emulator: EmulatorServer, tmp_path: Path
) -> None:
    # No --evidence: a live run writes ./evidence/<UTC time>/ in the directory it runs from.
    args = [
        "--target",
        "live",
        "--state-file",
        str(tmp_path / "state.json"),
        *FAST,
        *CONFIRMED,
        "--to-step",
        "2",
    ]
    result = run_runbook(args, live_env(fjcloud_emulator, tmp_path), cwd=tmp_path)

    assert result.returncode == 0, result.output
    (folder,) = (tmp_path / "evidence").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == [
        "journal.jsonl",
        "runbook.json",
        "runbook.md",
    ]
    assert f"evidence: evidence/{folder.name}/runbook.json" in result.output


def test_given_token_skips_step_2_and_reads_compute_from_its_catalog(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    creds = fjcloud_emulator.credentials
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": creds["OS_USERNAME"], "domain": {"name": creds["OS_USER_DOMAIN_NAME"]},
        "password": creds["OS_PASSWORD"]}}}, "scope": {"project": {"id": fjcloud_emulator.project_id}}}}  # fmt: skip
    token = requests.post(fjcloud_emulator.auth_url + "/auth/tokens", json=body, timeout=5).headers[
        "X-Subject-Token"
    ]
    # As pasted from a terminal: with a trailing CR/LF, which must be stripped.
    env = live_env(fjcloud_emulator, tmp_path, OS_PASSWORD=None, TOKEN=token + "\r\n")

    result = run_runbook([*live_args, *CONFIRMED], env)

    assert result.returncode == 0, result.output
    assert result.step_line(2).startswith("SKIPPED")
    assert "TOKEN given (TOKEN): no token requested" in result.output
    assert "read the token's catalog and roles (GET /v3/auth/tokens)" in result.output
    assert token not in result.output
    assert (
        len(requests_to(fjcloud_emulator.requests_log(), "POST", "/auth/tokens")) == 1
    )  # ours only
