"""What this invocation asks for, and what it must not: the paths that name the runbook, which
steps run, and the refusals that come before anything is asked or sent (``-n``, ``--page 2-5`` of
a fleet, a bad CONTAINER …). Imported by the plugin at start-up: it imports only what that needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from runbook.chainoptions import ChainOptions
from runbook.errors import VariableError
from runbook.options import RunbookOptions
from runbook.pages import page_of

if TYPE_CHECKING:
    from runbook.fleet_list import Selector

_HERE = Path(__file__).resolve().parent


def runbook_args(config: pytest.Config) -> list[str]:
    """The command line's paths that collect the runbook's steps (``runbook``, a page, ``.``)."""
    named = []
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::", 1)[0]).resolve()
        if path == _HERE or _HERE in path.parents or path in _HERE.parents:
            named.append(arg)
    return named


def refuse_xdist(config: pytest.Config) -> None:
    """``pytest runbook -n N``: a usage error before anything runs.

    pytest-xdist (the test suite's ``make test -n 2``) would spread the steps over processes,
    each with its own emulator, journal and variables; a step would not see what the step before
    it made. ``dist`` is "no" without ``-n``/``--dist`` (and with ``-n 0``) or without xdist.
    """
    if getattr(config.option, "dist", "no") == "no":
        return
    named = runbook_args(config)
    if named:
        raise pytest.UsageError(
            f"{named[0]}: the runbook's steps run in order in one process — run pytest runbook "
            "without -n/--dist (pytest-xdist is for the test suite: make test)"
        )


def refuse_fleet_export(fleet: list[Selector], pages: tuple[int, ...]) -> None:
    """``--page 2-5`` of a fleet would run nothing (a fleet's procedure is page 1): say how to go
    on instead of pytest's "N deselected" — before anything is asked or sent."""
    from runbook.fleet_export import export_hint
    from runbook.fleet_list import as_uuid

    first = fleet[0].text
    raise pytest.UsageError(
        f"runbook: --page {','.join(map(str, pages))} with a fleet of {len(fleet)} servers runs "
        "nothing: a fleet's procedure covers page 1 (移行前の作業) only. "
        + export_hint(first, as_uuid(first))
    )


def check_chain_ids(config: pytest.Config) -> None:
    """CONTAINER, VOLUME_ID, IMAGE_NAME … checked before anything is asked or sent."""
    from runbook.chainvars import ChainVariables, resolve_ids
    from runbook.sources import environment

    try:
        resolve_ids(ChainVariables(), vars(config.option), environment())
    except VariableError as exc:
        raise pytest.UsageError(f"runbook: {exc.render()}") from exc


def not_selected(
    number: int, options: RunbookOptions, chain: ChainOptions, fleet: bool = False
) -> str | None:
    """Why step ``number`` is left out, or None when it runs.

    ``--from-step``/``--to-step`` pick page 1's steps (1–5); a ``--to-step`` before 5 ends the
    chain there (later pages need a stopped server). ``--page`` picks whole pages.
    """
    page = page_of(number)
    if fleet and page > 1:
        return "a fleet runs page 1 (the pre-work) only: pages 2–5 act on one server at a time"
    if page not in chain.pages:
        return f"outside --page {','.join(map(str, chain.pages))}"
    if page == 1 and not options.from_step <= number <= options.to_step:
        return f"outside --from-step {options.from_step} --to-step {options.to_step}"
    if page > 1 and options.to_step < 5:
        return f"after --to-step {options.to_step} (page 1 not finished in this invocation)"
    return None
