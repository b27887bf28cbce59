"""A procedure across invocations (issue 10): pinned at step 3, one journal and evidence folder.

Each case is one that the runbook before the journal got wrong: it stopped server A when resumed
with ``--server-id B``; two runs started in the same second wrote one evidence folder.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from emulator import EmulatorServer
from runbook.journal import JOURNAL_NAME, read_journal
from tests.runbook.conftest import FAST, live_env, requests_to, run_runbook, runbook_command

pytestmark = pytest.mark.slow
CONFIRMED = ["--yes", "--confirm-manual"]


def _status(server: EmulatorServer, server_id: str) -> str:
    (entry,) = [s for s in server.snapshot()["compute"]["servers"] if s["id"] == server_id]
    return str(entry["status"])


def test_a_pinned_procedure_refuses_another_server_and_sends_nothing(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Issue 10, observed: `--server-id B` on a procedure resumed at step 4 POSTed os-stop to A.
    first_id = fjcloud_emulator.server_ids[0]
    other = fjcloud_emulator.add_server(name="other-server", status="ACTIVE")["id"]
    env = live_env(fjcloud_emulator, tmp_path)
    pinned = run_runbook([*live_args, "--confirm-manual", "--to-step", "3"], env)
    assert pinned.returncode == 0, pinned.output

    resumed = run_runbook(
        [*live_args, "--yes", "--from-step", "4", "--server-id", other],
        {**env, "SERVER_ID": other},
    )

    assert resumed.returncode == 1, resumed.output
    assert requests_to(fjcloud_emulator.requests_log(), "POST", "/action") == []
    assert (
        f"SERVER_ID: pinned {first_id} (Win2012R2SE), given {other} (from --server-id)"
        in resumed.output
    )
    assert "Nothing was sent." in resumed.output
    assert "start a new procedure explicitly with --new-procedure" in resumed.output
    assert {_status(fjcloud_emulator, i) for i in (first_id, other)} == {"ACTIVE"}
    journal = read_journal(tmp_path / "evidence" / JOURNAL_NAME)
    (refused,) = [r for r in journal.records if r["kind"] == "refused"]
    assert other in refused["reasons"][0]

    # The way out it names: a new procedure, explicitly, in a folder of its own.
    new = [*live_args[: -len(FAST) - 2], "--evidence", str(tmp_path / "other"), *FAST]
    fresh = run_runbook([*new, *CONFIRMED, "--new-procedure", "--server-id", other], env)

    assert fresh.returncode == 0, fresh.output
    posts = requests_to(fjcloud_emulator.requests_log(), "POST", "/action")
    assert [p["path"].split("/")[-2] for p in posts] == [other]
    assert _status(fjcloud_emulator, first_id) == "ACTIVE"


def test_a_region_given_later_that_differs_from_the_pinned_one_refuses(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path)
    assert run_runbook([*live_args, "--confirm-manual", "--to-step", "3"], env).returncode == 0
    fjcloud_emulator.clear_requests_log()

    resumed = run_runbook(
        [*live_args, "--yes", "--from-step", "4"], {**env, "OS_REGION_NAME": "jp-east-3"}
    )

    assert resumed.returncode == 1
    assert "region: pinned jp-east-1, given jp-east-3 (from OS_REGION_NAME)" in resumed.output
    assert fjcloud_emulator.requests_log() == []  # refused before anything was sent


def test_one_procedure_one_folder_with_every_invocation(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path)
    assert run_runbook([*live_args, "--confirm-manual", "--to-step", "3"], env).returncode == 0
    assert run_runbook([*live_args, "--yes", "--from-step", "4"], env).returncode == 0

    data = json.loads((tmp_path / "evidence" / "runbook.json").read_text())
    assert [s["outcome"] for s in data["steps"][:5]] == ["passed"] * 5  # page 1 of the export
    assert [s["invocation"] for s in data["steps"][:5]] == [1, 1, 1, 2, 2]
    first, second = data["invocations"]
    assert first["id"] != second["id"]
    for invocation in (first, second):
        assert invocation["user"]
        assert invocation["host"]
        assert invocation["version"] == "0.1.0"
        assert invocation["exit_status"] == 0
        assert invocation["started_at"].endswith("Z")
    assert "--from-step" in second["argv"]
    assert data["identity"]["servers"] == [
        {"id": fjcloud_emulator.server_ids[0], "name": "Win2012R2SE"}
    ]
    (stop,) = data["requests_that_change_something"][1:]  # after step 2's token request
    assert stop["intent"]["action"] == "os-stop"
    assert [o["status"] for o in stop["outcomes"]] == [202]
    assert [c["how"] for c in data["confirmations"]] == ["--confirm-manual", "--yes"]
    markdown = (tmp_path / "evidence" / "runbook.md").read_text()
    assert markdown.index("### Invocation #1") < markdown.index("### Invocation #2")


def test_two_runs_started_in_the_same_second_keep_two_folders(
    fjcloud_emulator: EmulatorServer, tmp_path: Path
) -> None:
    # Issue 10, observed: evidence/<start second>/ was shared and overwritten (O_TRUNC).
    env = live_env(fjcloud_emulator, tmp_path)
    runs = [
        subprocess.Popen(
            runbook_command(
                [
                    "--target",
                    "live",
                    "--state-file",
                    str(tmp_path / f"s{n}.json"),
                    *FAST,
                    "--confirm-manual",
                    "--to-step",
                    "2",
                ],
                tmp_path,
            ),
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in (1, 2)
    ]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]

    folders = sorted((tmp_path / "evidence").iterdir())
    assert len(folders) == 2
    procedures = set()
    for folder in folders:
        records = read_journal(folder / JOURNAL_NAME).records
        assert [r["kind"] for r in records].count("invocation") == 1
        procedures.add(records[0]["procedure"])
        assert json.loads((folder / "runbook.json").read_text())["steps"][1]["outcome"] == "passed"
    assert len(procedures) == 2


# Issue 10: "every later invocation compares what it is now given (options, document variables,
# OS_*, clouds.yaml) with the pinned identity … never silently prefer one source." Before, only the
# value that won the source order was compared: a matching winner hid a source naming another target.
OTHER_ID = "8d2f1e0c-5b7a-4c3e-9f1d-2a6b7c8d9e0f"


def _clouds_yaml(home: Path, **keys: str) -> dict[str, str]:
    """A clouds.yaml entry ``prod`` with ``keys`` (openstacksdk's format) and the env that selects it."""
    path = home / "clouds.yaml"
    auth = {k: v for k, v in keys.items() if k != "region_name"}
    top = {k: v for k, v in keys.items() if k == "region_name"}
    path.write_text(json.dumps({"clouds": {"prod": {"auth": auth, **top}}}), encoding="utf-8")
    return {"OS_CLOUD": "prod", "OS_CLIENT_CONFIG_FILE": str(path)}


LOSING_SOURCES = (
    "PROJECT_ID over OS_PROJECT_ID",
    "--server-id over SERVER_ID",
    "OS_AUTH_URL over clouds.yaml",
    "OS_REGION_NAME over clouds.yaml",
)


@pytest.mark.parametrize("case", LOSING_SOURCES)
def test_a_losing_source_that_names_another_target_refuses_before_the_password_is_sent(
    case: str, fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    env = live_env(fjcloud_emulator, tmp_path)
    assert run_runbook([*live_args, "--confirm-manual", "--to-step", "3"], env).returncode == 0
    pinned_id, project = fjcloud_emulator.server_ids[0], env["OS_PROJECT_ID"]
    # Each case: the winning source is the pinned value, a weaker one names another target.
    args, extra, expected = {
        "PROJECT_ID over OS_PROJECT_ID": (
            [], {"PROJECT_ID": project, "OS_PROJECT_ID": "0" * 32},
            f"PROJECT_ID: pinned {project}, given {'0' * 32} (from OS_PROJECT_ID)",
        ),
        "--server-id over SERVER_ID": (
            ["--server-id", pinned_id], {"SERVER_ID": OTHER_ID},
            f"SERVER_ID: pinned {pinned_id} (Win2012R2SE), given {OTHER_ID} (from SERVER_ID)",
        ),
        "OS_AUTH_URL over clouds.yaml": (
            [], {"auth_url": "https://identity.jp-east-2.example/v3"},
            f"identity endpoint: pinned {env['OS_AUTH_URL']}, given "
            "https://identity.jp-east-2.example/v3 (from clouds.yaml (cloud 'prod'))",
        ),
        "OS_REGION_NAME over clouds.yaml": (
            [], {"region_name": "jp-west-3"},
            "region: pinned jp-east-1, given jp-west-3 (from clouds.yaml (cloud 'prod'))",
        ),
    }[case]  # fmt: skip
    if "clouds.yaml" in case:
        extra = _clouds_yaml(tmp_path, **extra)
    fjcloud_emulator.clear_requests_log()

    # From step 2: step 2 would send the password, so "nothing sent" includes the password.
    resumed = run_runbook([*live_args, "--yes", "--from-step", "2", *args], {**env, **extra})

    assert resumed.returncode == 1, resumed.output
    assert expected in resumed.output
    assert "Nothing was sent." in resumed.output
    assert "start a new procedure explicitly with --new-procedure" in resumed.output
    assert fjcloud_emulator.requests_log() == []
    assert _status(fjcloud_emulator, pinned_id) == "ACTIVE"
