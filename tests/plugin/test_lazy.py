"""Issue 12, problem 3: registering the plugin imports nothing heavy until a fixture is used.

The old plugin imported Flask, responses, waitress and the emulator app in every pytest run of the
venv (0.37 s on a one-test suite). ``make bench`` measures the time; this pins the cause.
"""

from __future__ import annotations

from pathlib import Path

from tests.plugin.project import output, run_pytest, write_project

HEAVY = ("flask", "werkzeug", "responses", "waitress", "yaml", "requests", "emulator")

PROJECT = {
    "test_plain.py": f"""
        import sys


        def test_the_plugin_is_registered(pytestconfig):
            assert pytestconfig.pluginmanager.hasplugin("fjcloud_emulator")


        def test_nothing_heavy_was_imported():
            assert [name for name in {HEAVY!r} if name in sys.modules] == []


        def test_a_fixture_imports_the_emulator(fjcloud_emulator):
            assert "emulator.server" in sys.modules and "flask" in sys.modules
    """
}


def test_a_run_that_uses_no_fixture_imports_nothing_heavy(tmp_path: Path) -> None:
    done = run_pytest(write_project(tmp_path, PROJECT))
    assert done.returncode == 0, output(done)
    assert "3 passed" in done.stdout
