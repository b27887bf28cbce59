"""What the journal says about earlier requests of pages 2–5 (the client journals every one).

A request that changes something leaves an ``intent`` record (written before it is sent) and,
when an answer came, an ``outcome`` record. An intent without an answer — a crash, a dropped
connection — means the request *may* have arrived: the page re-reads the cloud before deciding,
and never sends the request again blindly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass
class Attempt:
    """One journalled request and its answer, if one was journalled."""

    intent: dict[str, Any]
    outcome: dict[str, Any] | None = None

    @property
    def status(self) -> int | None:
        """The HTTP status of the answer, or None (no answer journalled)."""
        if self.outcome is None or self.outcome.get("status") is None:
            return None
        return int(self.outcome["status"])

    @property
    def at(self) -> str:
        """When the intent was written (UTC)."""
        return str(self.intent.get("at", "-"))

    def describe(self) -> str:
        """``intent at 2026-…Z: 202`` or ``…: no answer journalled``."""
        answer = f"answered {self.status}" if self.status is not None else "no answer journalled"
        if self.outcome is not None and self.outcome.get("error"):
            answer = f"no answer ({self.outcome['error']})"
        return f"the request journalled at {self.at} ({answer})"


def attempts(records: Iterable[dict[str, Any]], action: str, **about: Any) -> list[Attempt]:
    """The intents of ``action`` whose fields match ``about``, in order, with their outcomes."""
    found: dict[str, Attempt] = {}
    for record in records:
        kind = record.get("kind")
        if kind == "intent" and record.get("action") == action:
            if all(record.get(key) == value for key, value in about.items()):
                found[str(record.get("id"))] = Attempt(record)
        elif kind == "outcome" and str(record.get("intent")) in found:
            found[str(record["intent"])].outcome = record
    return list(found.values())


def facts(records: Iterable[dict[str, Any]], kind: str, **match: Any) -> list[dict[str, Any]]:
    """The records of ``kind`` whose fields match ``match``, in order."""
    return [
        record
        for record in records
        if record.get("kind") == kind and all(record.get(k) == v for k, v in match.items())
    ]
