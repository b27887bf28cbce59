"""A block of lines redrawn in place on the operator's terminal (step 5's fleet progress).

Only on a terminal: ``Console.live_view`` gives None for a pipe, a file, ``TERM=dumb`` or
``--progress lines``, and the caller prints a line per change instead. The journal and the
evidence always get those change lines — a frame is for the eyes, the record is a history.

The cursor goes back up by the number of lines drawn last time, so every drawn line must take
exactly one row: lines are cut to the terminal's width (a wrapped line takes two rows) and the
block to its height (a block taller than the screen scrolls, and the lines that scrolled off can
no longer be reached). The caller asks ``size()`` to choose what fits.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import NamedTuple

import wcwidth

CSI = "\x1b["
CLEAR_LINE = CSI + "2K"
CLEAR_BELOW = CSI + "J"  # from the cursor to the end of the screen: lines a shorter frame left
# The rows the view leaves free: the line pytest's reporter writes after ours, and one so the
# last line never touches the bottom edge (a write there scrolls on some terminals).
SPARE_ROWS = 2
# Smaller than this, a view is not worth drawing: the caller still gets at least one row.
MIN_COLUMNS = 20


class Size(NamedTuple):
    columns: int
    rows: int


class LiveView:
    """Draws frames of lines in one place; ``close`` leaves the last frame on the screen."""

    def __init__(
        self,
        write: Callable[[str], None],
        *,
        starts_on_new_line: bool,
        terminal_size: Callable[[], tuple[int, int]] = shutil.get_terminal_size,
    ) -> None:
        """``write`` sends raw text to the terminal; ``starts_on_new_line`` is True when the cursor
        is at the start of an empty line (pytest -v), False when it is after the last line
        printed (the runbook's lines start with a newline, see ``Console.line``);
        ``terminal_size`` gives (columns, rows) — read with pytest's capture suspended, or it
        reads the capture's file instead of the terminal."""
        self._write = write
        self._terminal_size = terminal_size
        self._starts_on_new_line = starts_on_new_line
        self._height = 0  # rows drawn by the last frame
        self._closed = False

    def size(self) -> Size:
        """Room for a frame now: the terminal's columns, and its rows less ``SPARE_ROWS``."""
        columns, rows = self._terminal_size()
        return Size(max(MIN_COLUMNS, columns), max(1, rows - SPARE_ROWS))

    def draw(self, lines: list[str]) -> None:
        """Replace the previous frame by ``lines`` (cut to the terminal's size)."""
        if self._closed:
            raise RuntimeError("this live view was closed")
        columns, rows = self.size()
        shown = [_cut(line, columns - 1) for line in lines[:rows]]  # the last column wraps
        if self._height == 0:
            text = "" if self._starts_on_new_line else "\n"
        else:
            # Back to the first row of the last frame: carriage return, then up.
            text = "\r" + (f"{CSI}{self._height - 1}A" if self._height > 1 else "")
        text += "\n".join(CLEAR_LINE + line for line in shown) + CLEAR_BELOW
        self._write(text)
        self._height = len(shown)

    def close(self) -> None:
        """Leave the last frame where it is; the next line printed goes below it."""
        if self._closed:
            return
        self._closed = True
        if self._height and self._starts_on_new_line:
            self._write("\n")  # pytest -v writes its next line at the cursor's column


def _cut(line: str, columns: int) -> str:
    """``line`` in at most ``columns`` terminal columns, ``…`` at the end when it was cut."""
    if wcwidth.width(line) <= columns:
        return line
    return wcwidth.clip(line, 0, columns - 1) + "…"
