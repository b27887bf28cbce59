"""``--no-evidence``: the journal lives in memory only, so the report never claims a state file.

Found by acceptance: ``--target live --to-step 2 --no-evidence`` ended with "state: variables kept
in .fjcloud-runbook-state.json …; continue with --from-step 3", but no file was written (strace:
no open of it), so the suggested continuation could not work.
"""

from __future__ import annotations

from pathlib import Path

from emulator import EmulatorServer
from tests.runbook.conftest import FAST, live_env, run_runbook


def test_no_evidence_run_does_not_claim_a_state_file_it_did_not_write(
    fjcloud_emulator: EmulatorServer, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    args = ["--target", "live", "--state-file", str(state), *FAST]
    result = run_runbook(
        [*args, "--to-step", "2", "--confirm-manual", "--no-evidence"],
        live_env(fjcloud_emulator, tmp_path),
    )

    assert result.returncode == 0, result.output
    assert not state.exists()
    assert "variables kept in" not in result.output
    assert "no later invocation can continue this procedure" in result.output
