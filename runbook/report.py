"""The terminal report: a section 移行前の作業 — export pre-work, one line per step."""

from __future__ import annotations

import pytest

from runbook.console import display_width, pad, rule
from runbook.context import Runbook
from runbook.fleet_report import fleet_table
from runbook.pages import PAGES, page_of
from runbook.steps import STEPS

_MARKUP = {
    "passed": {"green": True},
    "FAILED": {"red": True, "bold": True},
    "ERROR": {"red": True, "bold": True},
    "not run": {"yellow": True},
    "skipped": {"yellow": True},
    "not selected": {},
    "dry run": {"cyan": True},
}


def _page_title(page: int) -> str:
    if page == 1:
        return "page 1. 移行前の作業 — export pre-work"
    info = PAGES[page]
    marked = "" if info.url else " (Fujitsu's page not available: reconstructed)"
    return f"page {info.title()}{marked}"


def write_report(reporter: pytest.TerminalReporter, run: Runbook) -> None:
    """Write the section: where it ran, each step (outcome, title, what was done), evidence, state."""
    width = getattr(reporter._tw, "fullwidth", 80)  # the terminal's columns (80 when unknown)
    reporter.write_line(rule("仮想サーバエクスポート — the export, page by page", width), bold=True)
    settings = run.record.settings
    variables = run.variables
    where = run.secrets.mask_text(settings.get("emulator") or settings.get("auth_url") or "-")
    mode = "  DRY RUN (nothing changed)" if run.options.dry_run else ""
    reporter.write_line(
        f"target {run.options.target} · {where} · region {variables.region or settings.get('region') or '-'} · TLS {settings.get('tls', '-')}{mode}"
    )
    if variables.server_id:
        name = variables.server_name or "(name not read)"
        reporter.write_line(f"server {name} ({variables.server_id})")
    titles = {n: info.title() for n, info in STEPS.items()}
    title_width = max(display_width(title) for title in titles.values()) + 2
    # A page is shown when one of its steps was selected (all pages when none was).
    shown = {page_of(n) for n, r in run.record.steps.items() if r.outcome != "not selected"}
    rows: list[tuple[str, str, list[str], bool]] = []
    for number, record in run.record.steps.items():
        page = page_of(number)
        if shown and page not in shown:
            continue
        if number == min(n for n in run.record.steps if page_of(n) == page):
            rows.append(("", _page_title(page), [], False))
        failed = bool(record.outcome in ("FAILED", "ERROR") and record.reason)
        details = record.reason.splitlines()[:4] if failed else [record.summary or record.reason]
        # A dry run sent nothing: its steps did not pass, they were rehearsed on paper.
        outcome = (
            "dry run" if run.options.dry_run and record.outcome == "passed" else record.outcome
        )
        head = f"{outcome.upper():<14}{pad(titles[number], title_width)}"
        rows.append((outcome, head, [line for line in details if line], failed))
    # One line per step when every step fits the terminal; else what was done goes underneath.
    inline = all(
        failed or (len(details) <= 1 and display_width(head + "".join(details)) <= width)
        for outcome, head, details, failed in rows
        if outcome
    )
    for outcome, head, details, failed in rows:
        if not outcome:  # a page's title
            reporter.write_line(head, bold=True)
            continue
        same_line = inline and not failed and details
        reporter.write(head[:14], **_MARKUP.get(outcome, {}))
        reporter.write_line((head[14:] + (details[0] if same_line else "")).rstrip())
        for detail in details[1:] if same_line else details:
            reporter.write_line(f"{'':14}{detail}")
    if run.fleet is not None:  # the fleet's servers and what became of each
        for line in fleet_table(run.fleet, live=run.options.live):
            reporter.write_line(line, **({"red": True} if "FAILED" in line[:60] else {}))
    for path in run.evidence_paths:
        reporter.write_line(f"evidence: {path}")
    if run.state_note:
        reporter.write_line(f"state: {run.state_note}")
    elif (
        run.options.live
        and not run.options.dry_run
        and not run.options.no_evidence  # the journal was in memory: no state file either
        and run.completed_step in (2, 3, 4)
    ):
        reporter.write_line(
            f"state: variables kept in {run.options.state_file} (mode 0600, the token included, "
            f"never the password); continue with --from-step {run.completed_step + 1}"
        )
