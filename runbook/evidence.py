"""The evidence of a run: ``runbook.json`` (everything) and ``runbook.md`` (for people), secrets masked.

Secrets are masked in the data: by key and value when each exchange is recorded
(``runbook.client``), and again over the settings and exchanges just before they are written.
The steps' notes are the runbook's own sentences and are not rewritten (see ``runbook.secrets``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from runbook.client import Exchange, status_phrase
from runbook.secrets import SecretRegistry


@dataclass
class StepRecord:
    """One step of the document: its outcome and what was done."""

    number: int
    title_ja: str
    title_en: str
    outcome: str = "not run"
    reason: str = ""
    summary: str = ""
    duration_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    curl: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "number": self.number,
            "title": {"ja": self.title_ja, "en": self.title_en},
            "outcome": self.outcome,
            "reason": self.reason,
            "summary": self.summary,
            "duration_seconds": round(self.duration_seconds, 3),
            "notes": self.notes,
            "curl": self.curl,
        }


@dataclass
class RunRecord:
    """Everything about one invocation of the runbook."""

    target: str
    started_at: datetime
    settings: dict[str, Any]
    steps: dict[int, StepRecord]
    exchanges: list[Exchange] = field(default_factory=list)
    finished_at: datetime | None = None
    exit_status: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "runbook": "移行前の作業 — export pre-work (export-preparation.ja.txt)",
            "target": self.target,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at) if self.finished_at else None,
            "exit_status": self.exit_status,
            "settings": self.settings,
            "steps": [step.as_dict() for step in self.steps.values()],
            "exchanges": [exchange.as_dict() for exchange in self.exchanges],
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_directory(started_at: datetime) -> Path:
    """``evidence/<UTC timestamp>/`` under the current directory."""
    stamp = started_at.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Path("evidence") / stamp


def write_evidence(record: RunRecord, directory: Path, secrets: SecretRegistry) -> list[Path]:
    """Write ``runbook.json`` and ``runbook.md`` into ``directory`` (0700, files 0600)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Data is masked (settings read from outside, every exchange); the steps' text is the
    # runbook's own, built from masked data, and masking it by value would rewrite it.
    data = record.as_dict()
    data["settings"] = secrets.mask(data["settings"])
    data["exchanges"] = secrets.mask(data["exchanges"])
    outputs = {
        "runbook.json": json.dumps(data, ensure_ascii=False, indent=2) + "\n",
        "runbook.md": render_markdown(data),
    }
    written = []
    for name, text in outputs.items():
        path = directory / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        written.append(path)
    return written


def render_markdown(data: dict[str, Any]) -> str:
    """The human summary: run facts, one table row per step, then every exchange per step."""
    lines = [
        "# 移行前の作業 — export pre-work: evidence",
        "",
        f"- target: `{data['target']}`",
        f"- started: {data['started_at']}, finished: {data['finished_at']}, "
        f"pytest exit status: {data['exit_status']}",
    ]
    lines += [
        f"- {name}: `{value}`"
        for name, value in data["settings"].items()
        if value not in (None, "") and name != "target"
    ]
    lines += ["", "| step | outcome | duration | what was done |", "|---|---|---|---|"]
    for step in data["steps"]:
        done = "<br>".join(_cell(text) for text in (step["summary"], step["reason"]) if text)
        lines.append(
            f"| {step['number']}. {step['title']['ja']} — {step['title']['en']} | "
            f"{step['outcome']} | {step['duration_seconds']:.2f} s | {done} |"
        )
    for step in data["steps"]:
        exchanges = [e for e in data["exchanges"] if e["step"] == step["number"]]
        if not exchanges and not step["curl"] and not step["notes"]:
            continue
        lines += ["", f"## {step['number']}. {step['title']['ja']} — {step['title']['en']}", ""]
        lines += [f"    {note}" for note in step["notes"]]
        for command in step["curl"]:
            lines += ["", "```sh", command, "```"]
        for exchange in exchanges:
            lines += _exchange_markdown(exchange)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _exchange_markdown(exchange: dict[str, Any]) -> list[str]:
    response = exchange["response"]
    outcome = (
        f"{response['status']} {status_phrase(response['status'], response['reason'])}"
        if response["status"] is not None
        else exchange["error"]
    )
    retried = (
        f" (after retries: {', '.join(exchange['retried_after'])})"
        if exchange["retried_after"]
        else ""
    )
    lines = ["", f"### `{exchange['method']} {exchange['url']}` → {outcome}{retried}", ""]
    lines.append(f"{exchange['elapsed_seconds']:.3f} s")
    for label, part in (("request", exchange["request"]), ("response", response)):
        headers = "\n".join(f"{name}: {value}" for name, value in part["headers"].items())
        body = part["body"]
        shown = (
            json.dumps(body, ensure_ascii=False, indent=2) if not isinstance(body, str) else body
        )
        lines += ["", f"{label}:", "", "```http", headers or "(no headers)", "```"]
        if body is not None:
            lines += ["", "```json", shown, "```"]
    return lines
