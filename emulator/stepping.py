"""A record that moves through a fixed path of states under a ``Timing`` (image uploads, exports).

``Progression(("queued", "saving", "active"), started_at)`` starts in the first state. How it
moves on follows the timing modes of ``emulator.timing`` (the compute lifecycle's, for the new
state machines too):

- ``immediate``: the last state is reached as soon as the owner settles it (inside the request);
- ``seconds`` S: each state lasts ``S / (n - 1)`` on the emulator's clock (so the last state is
  reached S seconds after the first), checked lazily when the owner reads the record (no timer
  threads);
- ``manual``: only ``advance()`` (the control plane) moves it, one state at a time.

Timing changes apply at the next settle. ``move_to`` puts the record in any state of its path
(the control plane: "back to queued"); the next state is then due one step after that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator.timing import Timing


@dataclass
class Progression:
    """Where a record is on its path, and when it entered each state it has reached."""

    path: tuple[str, ...]
    started_at: float
    index: int = 0
    entered_at: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.entered_at:
            self.entered_at = [self.started_at]

    @property
    def state(self) -> str:
        return self.path[self.index]

    @property
    def done(self) -> bool:
        return self.index == len(self.path) - 1

    @property
    def changed_at(self) -> float:
        """When the current state was entered."""
        return self.entered_at[-1]

    def next_due(self, timing: Timing) -> float | None:
        """When the next state is reached under ``timing`` (None: only by hand)."""
        if timing.mode == "manual":
            return None
        if timing.mode == "immediate":
            return self.changed_at
        return self.changed_at + timing.seconds / (len(self.path) - 1)

    def settle(self, now: float, timing: Timing) -> list[str]:
        """Move to every state due by ``now``; returns the states entered, in order."""
        entered: list[str] = []
        while not self.done:
            due = self.next_due(timing)
            if due is None or due > now:
                break
            self.index += 1
            # immediate: dated now (the request that settles it); seconds: dated when due.
            self.entered_at.append(now if timing.mode == "immediate" else due)
            entered.append(self.state)
        return entered

    def advance(self, now: float) -> str | None:
        """One state forward by hand; the state entered, or None at the end of the path."""
        if self.done:
            return None
        self.index += 1
        self.entered_at.append(now)
        return self.state

    def move_to(self, state: str, now: float) -> None:
        """Put the record in ``state`` (one of its path) as of ``now``."""
        self.index = self.path.index(state)
        self.entered_at.append(now)

    def fraction_of_step(self, now: float, timing: Timing) -> float:
        """How far (0-1) the current step is towards the next state's due time (0 if manual)."""
        if self.done:
            return 1.0
        due = self.next_due(timing)
        if due is None:
            return 0.0
        span = due - self.changed_at
        if span <= 0:
            return 1.0
        return min(max((now - self.changed_at) / span, 0.0), 1.0)
