"""Issue 12, problem 2: a project with its own ``emulator/`` (and ``runbook/``) folder can run pytest.

On the old plugin (the entry point ``emulator.pytest_plugin``) every such run died at start-up
with rc 3, ``ModuleNotFoundError: No module named 'emulator.pytest_plugin'``.
"""

from __future__ import annotations

from pathlib import Path

from tests.plugin.project import output, run_pytest, write_project

THEIR_PACKAGES = {
    "emulator/__init__.py": '"""Their own emulator of something else."""\nNAME = "theirs"\n',
    "runbook/__init__.py": '"""Their own runbook."""\n',
}
PLAIN_TEST = """
    import emulator


    def test_their_code():
        assert emulator.NAME == "theirs"
"""
FIXTURE_TEST = """
    def test_uses_the_fixture(fjcloud_emulator):
        assert fjcloud_emulator.running
"""


def warning_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "FJcloudEmulatorWarning" in line]


def test_shadowed_package_degrades_to_one_warning_and_their_tests_pass(tmp_path: Path) -> None:
    project = write_project(tmp_path, {**THEIR_PACKAGES, "tests/test_theirs.py": PLAIN_TEST})
    done = run_pytest(project, "tests")  # python -m pytest: the project folder is on sys.path
    assert done.returncode == 0, output(done)
    assert "1 passed, 1 warning" in done.stdout
    [warning] = warning_lines(done.stdout)
    assert f"`import emulator` finds {project / 'emulator'}" in warning
    assert "rename that folder" in warning
    assert "--import-mode=importlib" in warning


def test_a_test_that_needs_the_fixtures_fails_with_the_same_advice(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {**THEIR_PACKAGES, "tests/test_theirs.py": PLAIN_TEST, "tests/test_fx.py": FIXTURE_TEST},
    )
    done = run_pytest(project, "tests")
    assert done.returncode == 1, output(done)
    assert "1 passed, 1 warning, 1 error" in done.stdout
    assert "fjcloud-emulator: the fjcloud_* fixtures cannot be used in this run" in done.stdout
    assert len(warning_lines(done.stdout)) == 1


def test_the_advice_works_importlib_mode_and_the_pytest_script(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {**THEIR_PACKAGES, "conftest.py": "", "tests/test_fx.py": FIXTURE_TEST},
    )
    shadowed = run_pytest(project, "tests", module=False)  # a top-level conftest.py: shadowed
    assert "1 error" in shadowed.stdout, output(shadowed)
    done = run_pytest(project, "--import-mode=importlib", "tests", module=False)
    assert done.returncode == 0, output(done)
    assert "1 passed" in done.stdout
    assert not warning_lines(done.stdout)
