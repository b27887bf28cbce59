"""A throw-away project of another team, run by a pytest process of its own (as its CI would).

The fixtures reach it through the package's ``pytest11`` entry point alone: no conftest of ours.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

BIN = Path(sys.executable).parent
DEFAULT_SEED = Path(__file__).resolve().parents[2] / "emulator" / "default_seed.yaml"


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: source}`` under ``root`` (dedented); returns ``root``."""
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return root


def run_pytest(
    project: Path, *args: str, python: Path | None = None, module: bool = True
) -> subprocess.CompletedProcess[str]:
    """``python -m pytest ARGS`` (or the ``pytest`` script) in ``project``, as its CI would."""
    bin_dir = python.parent if python is not None else BIN
    command = [str(bin_dir / "python"), "-m", "pytest"] if module else [str(bin_dir / "pytest")]
    # No OS_* of the caller's, no PYTHONPATH: the project sees only what is installed.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_") and k != "PYTHONPATH"}
    env["COLUMNS"] = "400"  # summary lines whole
    return subprocess.run(
        [*command, "-p", "no:cacheprovider", "-q", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def output(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr
