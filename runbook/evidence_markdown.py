"""``runbook.md``: the whole procedure for people — facts, steps, invocations, then the timeline.

The timeline is the journal in order (every invocation, every step, every request with its
intent and outcome), so an auditor reads who did what, when (UTC), and what the cloud answered.
"""

from __future__ import annotations

import json
from typing import Any

from runbook.client import status_phrase
from runbook.fleet_report import fleet_sections
from runbook.journal import JournalContents
from runbook.steps import STEPS


def render_markdown(data: dict[str, Any], contents: JournalContents) -> str:
    """The human view of ``data`` (``runbook.json``) and of the journal's records in order."""
    procedure = data["procedure"]
    lines = [
        f"# 移行前の作業 — export pre-work: evidence of procedure `{procedure['id']}`",
        "",
        f"- procedure `{procedure['id']}`, created {procedure['created_at']} (UTC), "
        f"target `{procedure['target']}`",
        f"- journal: `{data['journal']['file']}`, {data['journal']['records']} records; "
        f"torn lines: {', '.join(data['journal']['torn_lines']) or 'none'}",
    ]
    identity = data["identity"]
    if identity:
        servers = ", ".join(f"`{s['name']}` (`{s['id']}`)" for s in identity["servers"])
        lines.append(
            f"- pinned at step 3: identity endpoint `{identity['auth_url']}`, region "
            f"`{identity['region']}`, project `{identity['project_name'] or '-'}` "
            f"(`{identity['project_id']}`), COMPUTE `{identity['compute']}`, servers {servers}"
        )
    else:
        lines.append("- not pinned yet (step 3 has not resolved the server)")
    lines += [
        "",
        "| step | outcome | duration | what was done | invocation |",
        "|---|---|---|---|---|",
    ]
    numbers = {inv["id"]: n for n, inv in enumerate(data["invocations"], start=1)}
    for step in data["steps"]:
        done = "<br>".join(_cell(text) for text in (step["summary"], step["reason"]) if text)
        which = f"#{step['invocation']}" if step["invocation"] else "-"
        lines.append(
            f"| {step['label']}{'.' if step['page'] == 1 else ''} {step['title']['ja']} — {step['title']['en']}"
            f"{' (reconstructed)' if step['reconstructed'] else ''} | "
            f"{step['outcome']} | {step['duration_seconds']:.2f} s | {done} | {which} |"
        )
    lines += [
        "",
        "## Invocations",
        "",
        "| # | id | started (UTC) | finished (UTC) | who | tool | command line | exit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for number, inv in enumerate(data["invocations"], start=1):
        finished = inv["finished_at"] or "**never finished (killed?)**"
        argv = " ".join(inv.get("argv") or [])
        lines.append(
            f"| {number} | `{inv['id']}` | {inv['started_at']} | {finished} | "
            f"{inv.get('user')}@{inv.get('host')} (pid {inv.get('pid')}) | {inv.get('version')} | "
            f"`{_cell(argv)}` | {inv.get('exit_status', '-')} |"
        )
    lines += fleet_sections(contents.records)  # a fleet: a section per server
    lines += ["", "## Timeline (the journal, in order)"]
    for record in contents.records:
        lines += _record_lines(record, numbers)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def _time(record: dict[str, Any]) -> str:
    return str(record.get("at", ""))[11:]  # HH:MM:SS.mmmZ (the date is in the headings)


def _record_lines(record: dict[str, Any], numbers: dict[str, int]) -> list[str]:
    kind, at = record.get("kind"), _time(record)
    if kind == "invocation":
        number = numbers.get(record["invocation"], "?")
        return [
            "",
            f"### Invocation #{number} — {record['at']} — {record.get('user')}@{record.get('host')}",
            "",
            f"`{' '.join(record.get('argv') or [])}`"
            + (" — DRY RUN" if record.get("dry_run") else ""),
        ]
    if kind == "step_start":
        info = STEPS.get(int(record["step"]))
        title = info.title() if info else f"step {record['step']}"
        return ["", f"#### {at} — {title}", ""]
    if kind == "note":
        return [f"    {at}  {record.get('text', '')}"]
    if kind == "curl":
        return ["", "```sh", str(record.get("command", "")), "```", ""]
    if kind == "confirmation":
        return [
            "",
            f"- **{at} confirmation** by {record.get('who')} ({record.get('how')}): "
            f"{record.get('question')}",
        ]
    if kind == "intent":
        body = json.dumps(record.get("body"), ensure_ascii=False)
        return [
            "",
            f"- **{at} intent** `{record.get('action')}` (journalled before sending): "
            f"`{record.get('method')} {record.get('url')}` body `{body}` — id `{record['id']}`",
        ]
    if kind == "outcome":
        status = record.get("status")
        shown = (
            f"{status} {status_phrase(status, '')}" if status is not None else record.get("error")
        )
        return [
            f"- **{at} outcome** of `{record.get('intent')}`: {shown}"
            + (f" — {record['summary']}" if record.get("summary") else "")
            + (f" (request id {record['request_id']})" if record.get("request_id") else "")
        ]
    if kind == "stop_check":
        return [
            f"- **{at} re-read** for intent `{record.get('intent')}`: {record.get('conclusion')} "
            f"— {record.get('detail')}"
        ]
    if kind == "pinned":
        return [
            f"- **{at} pinned** the procedure's identity: `{json.dumps(record.get('identity'))}`"
        ]
    if kind == "variables":
        shown = json.dumps(record.get("variables"), ensure_ascii=False)
        return [f"- **{at} variables** as resolved (the token is never journalled): `{shown}`"]
    if kind == "refused":
        return [f"- **{at} REFUSED** (nothing sent): {'; '.join(record.get('reasons') or [])}"]
    if kind == "exchange":
        return _exchange_lines(record["exchange"], at)
    if kind == "step_end":
        detail = record.get("summary") or record.get("reason") or ""
        return ["", f"→ {at} **{record.get('outcome')}** {detail}".rstrip()]
    if kind == "invocation_end":
        return [
            "",
            f"*{record['at']}: invocation ended, pytest exit status {record.get('exit_status')}*",
        ]
    if kind == "torn_line":
        return [
            "",
            f"**WARNING {at}: the journal's {record.get('detail')} (a write cut short by a crash)**",
        ]
    return []


def _exchange_lines(exchange: dict[str, Any], at: str) -> list[str]:
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
    lines = ["", f"##### {at} `{exchange['method']} {exchange['url']}` → {outcome}{retried}", ""]
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
