"""Confirmations on a real (pseudo-)terminal, and the ``Console`` with an injected answer."""

from __future__ import annotations

import os
import pty
from pathlib import Path

import pytest

from emulator import EmulatorServer
from runbook.console import Console
from tests.runbook.conftest import live_env, requests_to, run_runbook


@pytest.mark.parametrize(("answers", "stopped"), [(b"y\nyes\n", True), (b"y\nn\n", False)])
def test_operator_confirms_steps_1_and_4_at_the_terminal(
    fjcloud_emulator: EmulatorServer,
    tmp_path: Path,
    live_args: list[str],
    answers: bytes,
    stopped: bool,
) -> None:
    controller, terminal = pty.openpty()
    os.write(controller, answers)  # typed ahead: the terminal keeps the lines until they are read
    try:
        result = run_runbook(live_args, live_env(fjcloud_emulator, tmp_path), stdin=terminal)
    finally:
        os.close(terminal)
        os.close(controller)

    server_id = fjcloud_emulator.server_ids[0]
    assert "Have the guest's settings been initialised (一部の設定の初期化)? [y/N]" in result.output
    assert (
        f"Stop server 'Win2012R2SE' (id {server_id}, region jp-east-1, availability zone jp-east-1a, now status ACTIVE, task_state -)?"
        in result.output
    )
    posts = requests_to(fjcloud_emulator.requests_log(), "POST", "/action")
    if stopped:
        assert result.returncode == 0, result.output
        assert [p["status"] for p in posts] == [202]
    else:
        assert result.returncode == 1
        assert f"not confirmed: 'Win2012R2SE' ({server_id}) was not stopped" in result.output
        assert posts == []


@pytest.mark.parametrize(
    ("answer", "expected"), [("y", True), ("YES", True), ("", False), ("no", False), (None, None)]
)
def test_console_confirm_reads_the_injected_answer(
    answer: str | None, expected: bool | None
) -> None:
    asked: list[str] = []

    def ask(question: str) -> str | None:
        asked.append(question)
        return answer

    console = Console(None, ask_function=ask)

    assert console.confirm("Stop it?") is expected
    assert asked == ["Stop it? [y/N] "]
