"""Which tests are ``slow``: the fast loop is ``pytest -m "not slow"`` (docs/ARCHITECTURE.md, "Tests").

Slow, and still part of ``make test``: everything in ``tests/compat`` (real clients) and
``tests/reliability`` (fuzz, fault matrix, secrets scans), and every test module that starts
processes — the runbook as an operator runs it, the CLI, another project's pytest — whether it
calls ``subprocess`` itself or through a helper of the test suite that does. Marking here, by
rule, keeps a new test of those kinds slow without anyone remembering a decorator.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

_TESTS = Path(__file__).resolve().parent
_SLOW_DIRECTORIES = frozenset({"compat", "reliability"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)


def _is_slow(item: pytest.Item) -> bool:
    try:
        parts = item.path.resolve().relative_to(_TESTS).parts
    except ValueError:
        return False
    if parts and parts[0] in _SLOW_DIRECTORIES:
        return True
    module = getattr(item, "module", None)
    return module is not None and _starts_processes(module)


def _starts_processes(module: ModuleType) -> bool:
    """The module uses ``subprocess``, or imports a function of the suite's that does."""
    for value in vars(module).values():
        if value is subprocess:
            return True
        home = sys.modules.get(getattr(value, "__module__", None) or "")
        if (
            callable(value)
            and home is not None
            and home is not module
            and home.__name__.startswith("tests.")
            and vars(home).get("subprocess") is subprocess
        ):
            return True
    return False
