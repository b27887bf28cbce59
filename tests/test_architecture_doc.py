"""docs/ARCHITECTURE.md names every module of the three packages (the doc must stay true: a
module added without a line there fails here, not in a reader's head)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("emulator", "runbook", "pytest_fjcloud_emulator")


def _modules() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.name != "__init__.py" and "__pycache__" not in path.parts:
                found.append(str(path.relative_to(REPO)))
    return found


@pytest.mark.parametrize("module", _modules())
def test_the_architecture_document_names_the_module(module: str) -> None:
    tree = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8").split("## Layers")[0]
    name = Path(module).stem
    assert re.search(rf"(?<![\w.]){re.escape(name)}(\.py)?(?!\w)", tree), (
        f"{module} is not in docs/ARCHITECTURE.md's tree: add a line saying what it is for"
    )
