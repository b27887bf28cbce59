"""Progress bars and estimates for the chain's long waits (an export, a download).

The runbook prints lines, not a redrawn bar: every line also goes to the evidence, and a journal
of hours should read as a history. ``Estimate`` works from what was *seen* in this invocation
(a resumed wait starts afresh), so an estimate is never based on a guess of what happened while
the runbook was not watching.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BAR_WIDTH = 20


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """``[########------------]`` for 0.0–1.0 (ASCII: it survives every terminal and log)."""
    fraction = max(0.0, min(1.0, fraction))
    filled = round(fraction * width)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``3 h 20 min``."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest:02d} min"


def poll_clock(elapsed: float, interval: float) -> str:
    """Step 5's elapsed seconds, 7 wide: two decimals for sub-0.1 s polls (rehearsals), or every
    line would read "0.0 s"; one decimal otherwise."""
    return f"{elapsed:7.2f}" if interval < 0.1 else f"{elapsed:7.1f}"


def size(count: float) -> str:
    """``512 B``, ``1.5 MiB``, ``40.0 GiB``."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover - the loop returns


@dataclass
class Estimate:
    """Remaining time from the rate seen so far: (``total`` − done) ÷ (done since first seen ÷ time)."""

    total: float
    first_at: float | None = None
    first_done: float = 0.0
    samples: list[tuple[float, float]] = field(default_factory=list)

    def add(self, at: float, done: float) -> None:
        """Record that ``done`` (of ``total``) was reached at clock time ``at``."""
        if self.first_at is None:
            self.first_at, self.first_done = at, done
        self.samples.append((at, done))

    def remaining_seconds(self) -> float | None:
        """None until progress has moved at least once since the first sample."""
        if self.first_at is None or not self.samples:
            return None
        at, done = self.samples[-1]
        moved, spent = done - self.first_done, at - self.first_at
        if moved <= 0 or spent <= 0:
            return None
        return (self.total - done) * spent / moved

    def rate(self) -> float | None:
        """Units per second since the first sample, or None."""
        if self.first_at is None or not self.samples:
            return None
        at, done = self.samples[-1]
        spent = at - self.first_at
        return (done - self.first_done) / spent if spent > 0 else None

    def eta_text(self) -> str:
        """``about 2 h 10 min left`` or ``estimate after the next change``."""
        left = self.remaining_seconds()
        if left is None:
            return "no estimate yet"
        return f"about {duration(left)} left"
