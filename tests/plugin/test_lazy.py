"""Issue 12, problem 3: registering the plugin imports nothing heavy until a fixture is used.

The old plugin imported Flask, responses, waitress and the emulator app in every pytest run of the
venv (0.37 s on a one-test suite). ``make bench`` measures the time; this pins the cause: a run
that uses no fixture imports the same modules as a run with ``-p no:fjcloud_emulator``.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.plugin.project import output, run_pytest, write_project

HEAVY = ("flask", "werkzeug", "responses", "waitress", "yaml", "requests", "emulator")

PROJECT = {
    "test_plain.py": f"""
        import json
        import sys


        def test_record_what_is_imported(pytestconfig):
            heavy = sorted(name for name in {HEAVY!r} if name in sys.modules)
            registered = pytestconfig.pluginmanager.hasplugin("fjcloud_emulator")
            with open("imported.json", "w") as out:
                json.dump({{"heavy": heavy, "registered": registered}}, out)
    """,
    "test_fixture.py": """
        import sys


        def test_a_fixture_imports_the_emulator(fjcloud_emulator):
            assert "emulator.server" in sys.modules and "flask" in sys.modules
    """,
}


def imported(project: Path, *args: str) -> dict[str, object]:
    done = run_pytest(project, "test_plain.py", *args)
    assert done.returncode == 0, output(done)
    found: dict[str, object] = json.loads((project / "imported.json").read_text())
    return found


def test_a_run_that_uses_no_fixture_imports_nothing_heavy(tmp_path: Path) -> None:
    project = write_project(tmp_path, PROJECT)
    with_plugin = imported(project)
    without = imported(project, "-p", "no:fjcloud_emulator")
    assert with_plugin["registered"]
    assert not without["registered"]
    # Other plugins of the venv may import some of these; ours adds none of them.
    assert with_plugin["heavy"] == without["heavy"]
    assert "emulator" not in with_plugin["heavy"]  # type: ignore[operator]
    done = run_pytest(project, "test_fixture.py")
    assert done.returncode == 0, output(done)
