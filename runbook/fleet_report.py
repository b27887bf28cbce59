"""A fleet's table of servers and outcomes: the end of the terminal report, a section of runbook.md."""

from __future__ import annotations

from typing import Any

from runbook.console import display_width, pad
from runbook.fleet import Fleet, Member, server_results, some
from runbook.fleet_export import export_hint
from runbook.fleet_list import as_uuid


def _outcome(member: Member, step: int) -> str:
    result = member.results.get(step)
    if result is None:
        failed = member.failed_at()
        return "not run" if failed is not None and failed < step else "-"
    return "ok" if result.ok else "FAILED"


def _why_nothing(fleet: Fleet, member: Member) -> str:
    selected = any(member in fleet.selected_for(step) for step in (4, 5))
    return "not run: an earlier step failed" if selected else "not selected in this run"


def fleet_table(fleet: Fleet, *, live: bool = False) -> list[str]:
    """One line per server (name, id, step 4, step 5, what was done), then each failure's reason;
    ``live``: then how to export the stopped servers (a rehearsal's emulator is gone by then)."""
    rows = [("server", "id", "step 4", "step 5", "what was done")]
    for member in fleet.members.values():
        last = max(member.results, default=None)
        summary = member.results[last].summary if last is not None else _why_nothing(fleet, member)
        rows.append(
            (member.name or member.label, member.server_id or as_uuid(member.label) or "-",
             _outcome(member, 4),
             _outcome(member, 5), summary)
        )  # fmt: skip
    widths = [max(display_width(row[i]) for row in rows) + 2 for i in range(4)]
    lines = [
        "".join(pad(cell, widths[i]) for i, cell in enumerate(row[:4])) + row[4] for row in rows
    ]
    failed = [m for m in fleet.members.values() if m.failed_at() is not None]
    if failed:
        lines.append(f"{len(failed)} of {len(fleet)} servers FAILED:")
    # Servers that failed the same way (one refusal for the whole step) are named together.
    groups: dict[tuple[int, str, str | None], list[Member]] = {}
    for member in failed:
        step = member.failed_at() or 0
        result = member.results[step]
        hint = result.error.hint if result.error is not None else None
        groups.setdefault((step, result.summary, hint), []).append(member)
    for (step, summary, hint), members in groups.items():
        lines.append(f"- {some([m.shown() for m in members])}, step {step}: {summary}")
        if hint:
            if len(members) == 1 and members[0].server_id:
                hint = hint.replace("<SERVER_ID>", members[0].server_id)
            lines.append(f"  what to do: {hint}")
    if failed:
        lines.append(
            "  a rerun continues the procedure: servers already stopped are read, never stopped again"
        )
    stopped = [m for m in fleet.members.values() if 5 in m.results and m.results[5].ok]
    first = next((m for m in stopped if m.server_id), None)
    if live and first is not None and first.server_id is not None:
        lines.append(
            f"next: イメージの作成 — {export_hint(first.name or first.label, first.server_id)}"
        )
    return lines


def fleet_sections(records: list[dict[str, Any]]) -> list[str]:
    """runbook.md: a section per server of the fleet — its results, stop intents and outcomes."""
    results = server_results(records)
    if not results:
        return []
    lines = ["", "## Servers of the fleet", ""]
    order: dict[str, str | None] = {}
    for record in results:
        order.setdefault(str(record.get("label")), record.get("server_id"))
    for label in order:  # the list's order: step 3 records every server, in it
        mine = [r for r in results if r.get("label") == label]
        server_id = next((r.get("server_id") for r in reversed(mine) if r.get("server_id")), None)
        name = next((r.get("name") for r in reversed(mine) if r.get("name")), None)
        lines += ["", f"### {name or label} (`{server_id or 'id not resolved'}`)", ""]
        intents = {
            r["id"]: r
            for r in records
            if r.get("kind") == "intent" and r.get("server_id") == server_id
        }
        found: list[tuple[str, str]] = []  # (UTC time, line), shown in time order
        for entry in mine:
            mark = "ok" if entry.get("ok") else "**FAILED**"
            found.append(
                (str(entry.get("at")), f"step {entry.get('step')}: {mark} — {entry.get('summary')}")
            )
        for record in records:
            kind, at = record.get("kind"), str(record.get("at"))
            if kind == "intent" and record.get("id") in intents:
                found.append(
                    (at, f"intent `{record.get('action')}` `{record.get('method')} "
                     f"{record.get('url')}` — id `{record.get('id')}`")
                )  # fmt: skip
            elif kind in ("outcome", "stop_check") and record.get("intent") in intents:
                what = record.get("status") or record.get("error") or record.get("conclusion")
                found.append((at, f"{kind} of `{record.get('intent')}`: {what}"))
        lines += [f"- {at} {text}" for at, text in sorted(found)]
    return lines
