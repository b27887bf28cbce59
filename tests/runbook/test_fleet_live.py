"""Step 5's live view of a fleet on a real pseudo-terminal, read back as the operator sees it.

The runbook runs as a subprocess whose stdin, stdout and stderr are a pty of a given size; its
output is played into ``pyte`` (a VT100 screen), so the assertions are about the screen — one
line per server, redrawn in place — not about escape codes. Issue #14: "step 5 waits for all with
a live progress view — one line per server, its status, task_state and elapsed time, plus a total".
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
import threading
from pathlib import Path
from typing import NamedTuple

import pyte
import pytest

from emulator import EmulatorServer
from runbook.live_view import CLEAR_BELOW
from tests.runbook.conftest import base_env, live_env, runbook_command

pytestmark = pytest.mark.slow
CONFIRMED = ["--yes", "--confirm-manual"]


class Terminal(NamedTuple):
    returncode: int
    raw: str  # everything the run wrote to its terminal

    def screen(self, columns: int, rows: int, upto: int | None = None) -> list[str]:
        """The screen after the first ``upto`` characters of output (all by default)."""
        screen = pyte.Screen(columns, rows)
        pyte.Stream(screen).feed(self.raw[:upto])
        return [line.rstrip() for line in screen.display]

    def after_last_frame(self) -> int:
        """Where the last frame of the live view ends in ``raw``."""
        return self.raw.rindex(CLEAR_BELOW) + len(CLEAR_BELOW)


def run_on_terminal(
    args: list[str], env: dict[str, str], columns: int, rows: int, term: str = "xterm-256color"
) -> Terminal:
    """The runbook on a pseudo-terminal of ``columns`` × ``rows`` (as tmux or ssh -t gives it)."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = subprocess.Popen(
        runbook_command(args),
        env={**env, "TERM": term},
        stdin=terminal, stdout=terminal, stderr=terminal, close_fds=True,
    )  # fmt: skip
    os.close(terminal)
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: every writer closed the terminal
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        returncode = process.wait(timeout=120)
    finally:
        reader.join(timeout=10)
        os.close(controller)
    return Terminal(returncode, b"".join(chunks).decode("utf-8", errors="replace"))


def _servers(server: EmulatorServer, *names: str) -> dict[str, str]:
    return {name: str(server.add_server(name=name, status="ACTIVE")["id"]) for name in names}


def _list_file(tmp_path: Path, names: list[str]) -> str:
    path = tmp_path / "servers.txt"
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    return str(path)


def _journal_notes(tmp_path: Path) -> list[str]:
    text = (tmp_path / "evidence" / "journal.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [r["text"] for r in records if r.get("kind") == "note" and r.get("step") == 5]


def _rows_of(screen: list[str], label: str) -> list[str]:
    return [line for line in screen if re.match(rf"\s+{re.escape(label)}\s", line)]


@pytest.mark.parametrize("verbosity", [[], ["-v"]], ids=["default", "verbose"])
def test_one_line_per_server_redrawn_in_place_while_they_stop(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str], verbosity: list[str]
) -> None:
    names = ["web-1", "web-2", "db-1"]
    ids = _servers(fjcloud_emulator, *names)
    fjcloud_emulator.set_timing(1.0)  # each stop takes a second: several polls see powering-off
    args = [*live_args, *CONFIRMED, "--servers", _list_file(tmp_path, names),
            "--poll-interval", "0.2", *verbosity]  # fmt: skip
    env = live_env(fjcloud_emulator, tmp_path, SERVER_ID=None)

    run = run_on_terminal(args, env, columns=120, rows=200)

    assert run.returncode == 0, run.raw
    screen = run.screen(120, 200)
    for name in names:
        # One row per server in the view (the summary's table lists it once more, with its id).
        view_rows = [row for row in _rows_of(screen, name) if ids[name] not in row]
        assert len(view_rows) == 1, "\n".join(screen)
        assert re.search(r"SHUTOFF\s+-\s+\d+\.\d s\s+✔", view_rows[0]), view_rows[0]
    totals = [line for line in screen if line.strip().startswith("total ")]
    assert len(totals) == 1, totals
    assert "3 SHUTOFF, 0 failed, 0 waiting of 3" in totals[0]
    # It was redrawn, not printed once: frames showed the servers powering off first.
    assert run.raw.count(CLEAR_BELOW) >= 3
    assert "powering-off" in run.raw
    assert "powering-off" not in "\n".join(screen)
    # The record is still the history of what changed, line by line.
    notes = "\n".join(_journal_notes(tmp_path))
    assert re.search(r"web-1 +\d+\.\d s  status ACTIVE +task_state powering-off", notes), notes
    assert re.search(r"web-1 +\d+\.\d s  status SHUTOFF +task_state -", notes), notes


def test_a_fleet_taller_than_the_terminal_shows_the_servers_not_done_first_and_never_wraps(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    names = [f"app-{n:02d}" for n in range(1, 21)]
    ids = _servers(fjcloud_emulator, *names)
    fjcloud_emulator.set_timing("immediate")
    for stuck in ("app-07", "app-15"):
        fjcloud_emulator.set_timing("manual", ids[stuck])  # never SHUTOFF: they time out
    args = [*live_args, *CONFIRMED, "--servers", _list_file(tmp_path, names),
            "--poll-interval", "0.1", "--poll-timeout", "0.5"]  # fmt: skip
    env = live_env(fjcloud_emulator, tmp_path, SERVER_ID=None)

    run = run_on_terminal(args, env, columns=70, rows=12)

    assert run.returncode == 1, run.raw
    frame = run.screen(70, 12, upto=run.after_last_frame())
    header = next(n for n, line in enumerate(frame) if line.split()[:2] == ["server", "status"])
    view = [line for line in frame[header:] if line.strip()]
    # Header, the two that failed, what is not shown, the total: each one row, cut to the width.
    assert [line.split()[0] for line in view[1:3]] == ["app-07", "app-15"], view
    assert all("✘ not SHUTOFF" in line for line in view[1:3]), view
    assert "… 18 not shown (18 SHUTOFF): the terminal has 12 rows" in view[3], view
    assert view[-1].split()[:7] == ["total", "18", "SHUTOFF,", "2", "failed,", "0", "waiting"]
    assert len(view) == 5, view
    assert all(len(line) < 70 for line in view), view


@pytest.mark.parametrize("how", ["--progress lines", "TERM=dumb"])
def test_lines_of_changes_instead_of_a_view_when_asked_or_the_terminal_cannot(
    tmp_path: Path, how: str
) -> None:
    args = ["--rehearsal-servers", "3", *(how.split() if how.startswith("--") else [])]
    term = "dumb" if how == "TERM=dumb" else "xterm-256color"

    run = run_on_terminal(args, base_env(tmp_path), columns=120, rows=200, term=term)

    assert run.returncode == 0, run.raw
    assert CLEAR_BELOW not in run.raw
    assert re.search(r"fleet-01 +\d+\.\d+ s  status SHUTOFF +task_state -", run.raw), run.raw
