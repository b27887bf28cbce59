"""The crash matrix of pages 2–5: SIGKILL the runbook at each point of the upload, the export, the
waits and the download, then run the same procedure again (``tests/runbook/test_chain_crash.py``
asserts the same; this prints the table of docs/RELIABILITY.md).

For each point a real ``EmulatorServer`` (reset) serves ``pytest runbook --target live --yes
--confirm-manual`` (every page) with ``FJCLOUD_RUNBOOK_TEST_KILL_AT=<point>``; then the same
command runs again without it. Judged: the upload and export POSTs in the emulator's request log
(exactly one of each in all), the intents in the journal, the journal records written before the
kill still first and unchanged (records lost), the rerun passes and the file is downloaded.

``python -m tests.runbook.chain_crash_matrix``
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from emulator import EmulatorServer
from runbook.crashpoints import ENV_VAR
from tests.runbook.conftest import POLL, live_env, run_runbook
from tests.runbook.test_chain import IMAGE_NAME, count
from tests.runbook.test_chain_crash import POINTS

HEADER = (
    "| kill point | first run | uploads / exports at the kill | journal records at the kill "
    "| rerun | uploads / exports in all | upload / export intents | records lost | as required |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def _records(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _row(server: EmulatorServer, point: str) -> tuple[str, bool]:
    server.reset()
    with tempfile.TemporaryDirectory(prefix="chain-crash-") as tmp:
        folder = Path(tmp)
        args = ["--target", "live", "--state-file", str(folder / "state.json"),
                "--evidence", str(folder / "evidence"), *POLL, "--yes", "--confirm-manual",
                "--download-dir", str(folder / "files"), "--image-name", IMAGE_NAME]  # fmt: skip
        killed = run_runbook(args, live_env(server, folder, **{ENV_VAR: point}))
        before = _records(folder / "evidence")
        at_kill = (
            count(server, "POST", "/action", "os-volume_upload_image"),
            count(server, "POST", "/v1/imageexport"),
        )
        rerun = run_runbook(args, live_env(server, folder, SERVER_ID=None))
        after = _records(folder / "evidence")
        lost = sum(1 for a, b in zip(before, after, strict=False) if a != b)
        lost += max(0, len(before) - len(after))
        sent = (
            count(server, "POST", "/action", "os-volume_upload_image"),
            count(server, "POST", "/v1/imageexport"),
        )
        intents = [
            sum(1 for r in after if r["kind"] == "intent" and r["action"] == action)
            for action in ("os-volume_upload_image", "imageexport")
        ]
        downloaded = (folder / "files" / f"{IMAGE_NAME}.vmdk").exists()
    ok = killed.returncode == -9 and rerun.returncode == 0 and sent == (1, 1) and not lost
    ok = ok and downloaded
    first = "SIGKILL" if killed.returncode == -9 else f"exit {killed.returncode}"
    row = (
        f"| `{point}` | {first} | {at_kill[0]} / {at_kill[1]} | {len(before)} | exit "
        f"{rerun.returncode} | {sent[0]} / {sent[1]} | {intents[0]} / {intents[1]} | {lost} | "
        f"{'yes' if ok else 'NO'} |"
    )
    return row, ok


def main() -> int:
    """Print the table and a one-line verdict; exit 1 when a point is not as required."""
    rows, good = [], 0
    with EmulatorServer() as server:
        for point in POINTS:
            row, ok = _row(server, point)
            rows.append(row)
            good += ok
    print(HEADER)
    print("\n".join(rows))
    print(
        f"{good}/{len(POINTS)} kill points as required; uploads and exports sent: one each per point"
    )
    return 0 if good == len(POINTS) else 1


if __name__ == "__main__":
    raise SystemExit(main())
