"""The runbook's pytest plugin: options, step order, "not run because step N failed", the report.

The root conftest loads it for every pytest run, so it acts only on items marked
``runbook_step`` (the steps of the pages in ``runbook/test_*.py``): without them every hook
returns at once and nothing is started, printed or written. A module's ``runbook_page(N)``
marker says which page of the manual it is (page 1 when it has none); the steps are collected in
the manual's order — page by page, step by step — whatever the order of the files.

So that a run with no step pays nothing for it, this module imports only what registering the
options and markers needs; the procedure's modules (requests, YAML, the console, the chain) are
imported in the hooks, once they know the run has steps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

import pytest

from runbook.chainoptions import ChainOptions, add_chain_options
from runbook.errors import RunbookError
from runbook.invocation import (
    check_chain_ids,
    not_selected,
    refuse_fleet_export,
    refuse_xdist,
    runbook_args,
)
from runbook.options import RunbookOptions, add_options
from runbook.pages import PAGES, page_of, step_id
from runbook.steps import STEPS

if TYPE_CHECKING:
    from runbook.chain import Chain
    from runbook.context import Runbook

MARKER = "runbook_step"
PAGE_MARKER = "runbook_page"
RUNBOOK_KEY = pytest.StashKey["Runbook"]()
PREFLIGHT_KEY = pytest.StashKey[bool]()
CHAIN_KEY = pytest.StashKey[ChainOptions]()
FIRST_OF_PAGE_KEY = pytest.StashKey[set[int]]()  # the first selected step of each page
NOTE_KEY = pytest.StashKey[str]()  # said once, before the first step


def pytest_addoption(parser: pytest.Parser) -> None:
    """The runbook's options, in their own group."""
    add_options(parser)
    add_chain_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Register the step marker (the suite runs with --strict-markers)."""
    config.addinivalue_line(
        "markers", f"{MARKER}(number): a numbered step of a page of the runbook"
    )
    config.addinivalue_line(
        "markers", f"{PAGE_MARKER}(number): the page of the manual a module runs (2–5)"
    )
    config.addinivalue_line(
        "markers", "fleet: one server's item of a fleet step (-k 'not fleet or [web-1]')"
    )
    if runbook_args(config):
        from runbook.fleet import selection

        selection(config)  # a fleet's list read now: a bad or repeating entry is a usage error
    refuse_xdist(config)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A fleet: one item per server for the steps that take ``fleet_server`` (``[web-1]``)."""
    if metafunc.definition.get_closest_marker(MARKER) is None:
        return  # not a step: only the runbook's steps act on a fleet's servers
    from runbook.fleet import FLEET_PARAM, selection

    if FLEET_PARAM in metafunc.fixturenames:
        fleet = selection(metafunc.config)
        if fleet is not None:
            # Each item marked `fleet`, so `-k "not fleet or [web-1]"` keeps steps 1–3 and
            # exactly web-1's items (the brackets end the label: `-k web-1` matches web-10 too).
            params = [pytest.param(s.text, id=s.text, marks=pytest.mark.fleet) for s in fleet]
            metafunc.parametrize(FLEET_PARAM, params)


@pytest.fixture
def fleet_server() -> None:
    """Not a fleet: the steps act on the one server (a fleet parametrises this by label)."""
    return None


def _fleet_label(item: pytest.Item) -> str | None:
    from runbook.fleet import FLEET_PARAM

    callspec = getattr(item, "callspec", None)
    label = callspec.params.get(FLEET_PARAM) if callspec is not None else None
    return str(label) if label is not None else None


def _step(item: pytest.Item) -> int | None:
    """The step's id: 1–5 on page 1, ``page·100 + step`` on pages 2–5."""
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return None
    page = item.get_closest_marker(PAGE_MARKER)
    return step_id(int(page.args[0]) if page is not None else 1, int(marker.args[0]))


def _runbook(config: pytest.Config) -> Runbook | None:
    return config.stash.get(RUNBOOK_KEY, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the steps in the document's order and keep only ``--from-step``..``--to-step``."""
    steps = sorted((item for item in items if _step(item) is not None), key=lambda i: _step(i) or 0)
    if not steps:
        return
    from runbook.context import Runbook
    from runbook.fleet import Fleet, selection

    options = RunbookOptions.from_config(config)
    chain = ChainOptions.from_config(config)
    check_chain_ids(config)
    if not options.live and min(chain.pages) > 1:
        # A rehearsal's emulator is new in every invocation: page N needs what the pages before
        # it make (a stopped server, an image, an export), so they run first, and it says so.
        first = min(chain.pages)
        chain = dataclasses.replace(chain, pages=(*range(1, first), *chain.pages))
        config.stash[NOTE_KEY] = (
            f"rehearsal: pages 1–{first - 1} run first — the emulator is new in every "
            f"invocation, and page {first} needs what they make (against a standalone emulator "
            "or production, --target live, a page runs alone)"
        )
    runbook = Runbook(config, options)
    fleet = selection(config)
    if fleet is not None:
        runbook.fleet = Fleet(fleet)
        if 1 not in chain.pages:
            refuse_fleet_export(fleet, chain.pages)
    config.stash[RUNBOOK_KEY] = runbook
    config.stash[CHAIN_KEY] = chain
    selected, deselected = [], []
    for item in steps:
        number = _step(item) or 0
        why = not_selected(number, options, chain, runbook.fleet is not None)
        if why is None:
            selected.append(item)
        else:
            deselected.append(item)
    chosen = {_step(item) for item in selected}
    firsts: dict[int, int] = {}
    for number in sorted(n for n in chosen if n is not None):
        firsts.setdefault(page_of(number), number)
    config.stash[FIRST_OF_PAGE_KEY] = set(firsts.values())
    for number, record in runbook.record.steps.items():
        if number not in chosen:
            record.outcome = "not selected"
            record.reason = (
                not_selected(number, options, chain, runbook.fleet is not None)
                or "not collected (another file or -k)"
            )
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    # The first step that will run (also when steps were picked by node id): from step 3 on,
    # a live run resumes from the state file.
    runbook.state.first_step = min(
        (_step(item) or 0 for item in selected), default=options.from_step
    )
    items[:] = [item for item in items if _step(item) is None] + selected


@pytest.fixture(scope="session")
def chain(runbook: Runbook, request: pytest.FixtureRequest) -> Iterator[Chain]:
    """Pages 2–5's shared state over the run: their variables, API clients, the upload ledger."""
    from runbook.chain import Chain

    shared = Chain(runbook, request.config.stash[CHAIN_KEY])
    yield shared
    shared.close()


@pytest.fixture(scope="session")
def runbook(request: pytest.FixtureRequest) -> Iterator[Runbook]:
    """The run shared by the five steps: started once (emulator or live sources), closed at the end."""
    run = _runbook(request.config)
    if run is None:
        pytest.fail(
            "the runbook fixture serves the steps in runbook/test_export_preparation.py only"
        )
    run.start()
    yield run
    run.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Announce the step; skip it when an earlier step failed."""
    number, run = _step(item), _runbook(item.config)
    if number is None or run is None:
        return
    run.state.current_step = number
    if run.fleet is not None and not run.fleet.selection_known:
        # Which servers each fleet step acts on: the items that are left once -k, --lf and
        # every other plugin have deselected theirs (known for sure only now).
        run.fleet.selection_known = True
        for each in item.session.items:
            label = _fleet_label(each)
            if label is not None and _step(each) is not None:
                run.fleet.select(_step(each) or 0, label)
    try:
        run.start()  # once: the emulator or the live sources (an error here is this step's error)
    finally:
        label = _fleet_label(item)
        _announce(run, number, f" — {label}" if label else "")
        if run.fleet is None or label is None or run.fleet.is_first(number, label):
            run.begin_step(number)  # a fleet's step starts once (each record is fsynced)
        else:
            run.state.current_step = number
    if run.state.failed_step is not None:
        pytest.skip(f"not run because step {STEPS[run.state.failed_step].label} failed")
    failed_at = run.fleet.failed_at(label) if run.fleet is not None and label else None
    if failed_at is not None and failed_at < number:
        pytest.skip(f"not run because step {STEPS[failed_at].label} failed for {label}")
    if not item.config.stash.get(PREFLIGHT_KEY, False):
        # Once, before the first selected step: nothing is asked or sent before it passes.
        item.config.stash[PREFLIGHT_KEY] = True
        from runbook.fleet_pin import refuse_fleet_without_list
        from runbook.preflight import PreflightInput, preflight

        refuse_fleet_without_list(run)  # a fleet procedure continues with its list only
        first = _as_page1_step(run.state.first_step)
        preflight(PreflightInput(run.options, run.sources, run.variables, first))
    run.verify_pin()  # once, before the first request: what is given now vs the pinned identity


def _as_page1_step(number: int) -> int:
    """The page-1 step with the same needs: each later page starts with a token step (x.1, like
    step 2: it may send the password); its other steps need a token, like step 3 on."""
    if page_of(number) == 1:
        return number
    return 2 if number % 100 == 1 else 3


def _announce(run: Runbook, number: int, server: str = "") -> None:
    """``[4/5] 4. 仮想サーバの停止 — …``; a page's first step is preceded by the page's title."""
    note = run.config.stash.get(NOTE_KEY, None)
    if note:
        run.console.line(note, yellow=True)
        run.config.stash[NOTE_KEY] = ""
    info, page = STEPS[number], page_of(number)
    if page == 1:
        run.console.line(f"[{number}/5] {info.title()}{server}", bold=True)
        return
    if number in run.config.stash.get(FIRST_OF_PAGE_KEY, set()):
        where = PAGES[page].url or "Fujitsu's page is not available: its steps are reconstructed"
        run.console.line(f"=== {PAGES[page].title()} — {where}", bold=True)
    run.console.line(f"[{number % 100}/{len(PAGES[page].steps)}] {info.title()}{server}", bold=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Record each step's outcome; show a ``RunbookError`` as its message, secrets masked."""
    report = yield
    number, run = _step(item), _runbook(item.config)
    if number is None or run is None or report.when == "teardown":
        return report
    if report.when == "setup" and report.passed:
        return report  # the step's end is journalled after its call
    error = call.excinfo.value if call.excinfo is not None else None
    if report.failed:
        # A RunbookError is the runbook's own sentence, built from data masked where it entered;
        # anything else (a traceback, which may quote any value) is masked by value.
        report.longrepr = (
            error.render()
            if isinstance(error, RunbookError)
            else run.secrets.mask_text(str(report.longrepr))
        )
    record = run.record.steps[number]
    record.duration_seconds += report.duration
    per_server = report.when == "call" or (report.skipped and run.state.failed_step is None)
    if run.fleet is not None and _fleet_label(item) is not None and per_server:
        # One server's result is its own: the others' items still run (and step 5 for them); the
        # step's outcome is the fleet's (FAILED when any server failed at it).
        if report.skipped:
            run.console.line(f"      – not run: {_skip_reason(report)}", yellow=True)
        elif report.failed:
            first = str(report.longrepr).splitlines()[0]
            run.console.line(f"      ✘ FAILED: {first}", red=True, bold=True)
        elif report.when == "call":
            run.console.line(f"      ✔ passed ({report.duration:.2f} s)", green=True)
        record.outcome, reason = run.fleet.step_outcome(number, run.journal.records)
        record.reason = reason or ""
    elif report.skipped:
        reason = _skip_reason(report)
        record.outcome = "not run" if reason.startswith("not run because") else "skipped"
        record.reason = reason
        run.console.line(f"      – {record.outcome}: {reason}", yellow=True)
    elif report.failed:
        record.outcome = "FAILED" if report.when == "call" else "ERROR"
        record.reason = str(report.longrepr)
        run.state.failed_step = number
        run.console.line(
            f"      ✘ {record.outcome}: {record.reason.splitlines()[0]}", red=True, bold=True
        )
    elif report.when == "call":
        record.outcome = "passed"
        run.console.line(f"      ✔ passed ({record.duration_seconds:.2f} s)", green=True)
    label = _fleet_label(item)
    if run.fleet is None or label is None or run.fleet.is_last(number, label) or report.failed:
        run.end_step(number)  # a fleet's step ends with its last server's item (or a failure)
    return report


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ")


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, str] | None:
    """No progress dots for the steps: each prints its own lines as it runs."""
    run = _runbook(config)
    if run is None or MARKER not in report.keywords or report.when == "teardown":
        return None
    if report.passed and report.when == "call":
        return "passed", "", "PASSED"
    if report.skipped:
        return "skipped", "", "SKIPPED"
    if report.failed:
        return ("failed", "", "FAILED") if report.when == "call" else ("error", "", "ERROR")
    return None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the evidence and settle the state file."""
    run = _runbook(session.config)
    if run is not None and run.started:
        run.finish(int(exitstatus))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """The section 移行前の作業 — export pre-work: one line per step and what was done."""
    run = _runbook(config)
    if run is not None and run.started:  # not for --collect-only
        from runbook.report import write_report

        write_report(terminalreporter, run)
