"""How fast a server's power transitions complete: immediately, after some seconds, or by hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

TimingMode = Literal["immediate", "seconds", "manual"]


@dataclass(frozen=True)
class Timing:
    """How a server moves from ``powering-off`` to ``stopped`` (and back).

    ``immediate``: the action completes inside the request. ``seconds``: it completes that many
    seconds later (checked lazily on each read, so no timer threads). ``manual``: it waits until
    the control plane advances the server.
    """

    mode: TimingMode = "seconds"
    seconds: float = 0.0

    @classmethod
    def parse(cls, value: Any) -> Timing:
        """Accept ``"immediate"``, ``"manual"``, a number of seconds, ``"seconds:2.5"`` or a dict."""
        if isinstance(value, Timing):
            return value
        if isinstance(value, bool):
            raise ValueError(f"timing must be 'immediate', 'manual' or seconds, not {value!r}")
        if isinstance(value, int | float):
            return cls._from_seconds(float(value))
        if isinstance(value, dict):
            mode = value.get("mode", "seconds")
            if mode == "seconds":
                return cls._from_seconds(value.get("seconds", 0.0))
            return cls.parse(mode)
        if isinstance(value, str):
            text = value.strip()
            if text in ("immediate", "manual"):
                return cls(mode=text)  # type: ignore[arg-type]
            if text.startswith("seconds:"):
                text = text.split(":", 1)[1]
            try:
                return cls._from_seconds(float(text))
            except ValueError:
                pass
        raise ValueError(
            f"timing must be 'immediate', 'manual' or a number of seconds (e.g. 2.5), not {value!r}"
        )

    @classmethod
    def _from_seconds(cls, value: Any) -> Timing:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"timing seconds must be a number >= 0, not {value!r}")
        return cls(mode="seconds", seconds=float(value))

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "seconds": self.seconds}
