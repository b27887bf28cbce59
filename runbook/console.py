"""The operator's terminal: live progress lines and yes/no questions, even under pytest's capture."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import wcwidth

from runbook.live_view import LiveView

# Reads one answer for a question; returns None when there is no terminal to ask on.
AskFunction = Callable[[str], "str | None"]


class Console:
    """Writes through pytest's terminal reporter with capture suspended; asks on stdin if it is a tty.

    ``ask`` can be replaced (``ask_function``) so the questions are testable without a terminal.
    """

    def __init__(
        self,
        config: pytest.Config | None,
        *,
        ask_function: AskFunction | None = None,
    ) -> None:
        self._config = config
        self._ask_function = ask_function or self._ask_terminal
        self.transcript: list[str] = []

    def line(self, text: str = "", **markup: bool) -> None:
        """Print one line now (not at the end of the test); its data was masked where it entered."""
        self.transcript.append(text)
        reporter = self._reporter()
        with self._uncaptured():
            if reporter is None:
                print(text, flush=True)
            elif reporter.verbosity > 0:
                # -v: pytest re-prints the test's id with its outcome after our lines.
                reporter.write_line(text, **markup)
            else:
                # A newline *before* each line (never after): pytest's reporter keeps writing on
                # the current line, so its progress counter lands after our last line instead of
                # re-printing the file name before every step.
                reporter.write("\n" + text, **markup)
                reporter.flush()

    @contextlib.contextmanager
    def live_view(self, mode: str = "auto") -> Iterator[LiveView | None]:
        """A view redrawn in place while the block runs, or None where lines must be printed:
        ``mode`` "lines", or "auto" when the output is not a terminal (a pipe, a file, a CI log)
        or the terminal cannot move its cursor (``TERM=dumb``)."""
        if mode == "lines" or (mode == "auto" and not self._is_terminal()):
            yield None
            return
        reporter = self._reporter()
        view = LiveView(
            self._write_raw,
            starts_on_new_line=reporter is not None and reporter.verbosity > 0,
            terminal_size=self._terminal_size,
        )
        try:
            yield view
        finally:
            view.close()

    def _is_terminal(self) -> bool:
        if os.environ.get("TERM") == "dumb":
            return False
        reporter = self._reporter()
        with self._uncaptured():
            if reporter is not None:
                # The reporter writes to the stdout pytest started with.
                return bool(reporter.isatty)
            return _is_a_tty(sys.stdout)

    def _terminal_size(self) -> tuple[int, int]:
        with self._uncaptured():
            columns, rows = shutil.get_terminal_size()
        return columns, rows

    def _write_raw(self, text: str) -> None:
        reporter = self._reporter()
        with self._uncaptured():
            if reporter is None:
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                reporter.write(text)
                reporter.flush()

    def ask(self, question: str) -> str | None:
        """The operator's answer (stripped), or None when there is no terminal to ask on."""
        self.transcript.append(question)
        answer = self._ask_function(question)
        return None if answer is None else answer.strip()

    def confirm(self, question: str) -> bool | None:
        """True for y/yes, False for anything else, None when there is no terminal."""
        answer = self.ask(question + " [y/N] ")
        if answer is None:
            return None
        return answer.lower() in ("y", "yes", "はい")

    def _ask_terminal(self, question: str) -> str | None:
        reporter = self._reporter()
        with self._uncaptured(stdin=True):
            if not _stdin_is_terminal():
                return None
            if reporter is None:
                print(question, end="", flush=True)
            else:
                reporter.write("\n" + question, bold=True)
                reporter.flush()
            answer = sys.stdin.readline()
        return answer if answer else ""  # EOF (Ctrl-D) is "no"

    def _reporter(self) -> Any:
        if self._config is None:
            return None
        return self._config.pluginmanager.get_plugin("terminalreporter")

    @contextlib.contextmanager
    def _uncaptured(self, *, stdin: bool = False) -> Iterator[None]:
        capman = (
            None
            if self._config is None
            else self._config.pluginmanager.get_plugin("capturemanager")
        )
        if capman is None:
            yield
            return
        with capman.global_and_fixture_disabled():
            if stdin and capman.is_globally_capturing():
                # pytest replaces stdin while capturing; in_=True gives the real one back until
                # global_and_fixture_disabled resumes the capture.
                capman.suspend_global_capture(in_=True)
            yield


def _stdin_is_terminal() -> bool:
    return _is_a_tty(sys.stdin)


def _is_a_tty(stream: Any) -> bool:
    try:
        return stream is not None and bool(stream.isatty())
    except (ValueError, OSError):
        return False


def wrap(text: str, columns: int, *, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns (a wide character takes two).

    URLs are never broken; continuation lines start with ``indent``.
    """
    return wcwidth.wrap(
        text, columns, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )


def display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide characters take two."""
    return wcwidth.width(text)


def pad(text: str, columns: int) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns."""
    return wcwidth.ljust(text, columns)


def rule(title: str, columns: int, fill: str = "=") -> str:
    """``=== title ===`` exactly ``columns`` terminal columns wide (pytest's ``write_sep`` counts
    characters, so a Japanese title made the line wrap)."""
    side = max(1, (columns - display_width(title) - 2) // 2)
    line = f"{fill * side} {title} {fill * side}"
    return line + fill * max(0, columns - display_width(line))
