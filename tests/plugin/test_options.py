"""Issue 12, problem 7: ``fjcloud_*_options`` work where pytest users put them.

Before: a sub-directory's override was silently ignored (its tests ran on the server another
directory had configured), a function-scoped override failed with a bare ``ScopeMismatch``, and
a relative ``seed`` was looked up in the current directory.
"""

from __future__ import annotations

from pathlib import Path

from tests.plugin.project import DEFAULT_SEED, output, run_pytest, write_project


def region_test(region: str) -> str:
    return f"""
        def test_region(fjcloud_emulator, fjcloud_credentials):
            assert fjcloud_credentials["OS_REGION_NAME"] == "{region}"
    """


def options(scope: str, value: str, name: str = "fjcloud_emulator_options") -> str:
    decorator = "@pytest.fixture" if scope == "function" else f'@pytest.fixture(scope="{scope}")'
    return f"import pytest\n\n\n{decorator}\ndef {name}():\n    return {value}\n\n\n"


def test_each_directory_gets_the_server_its_conftest_configures(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "tests/west/conftest.py": options("session", '{"region": "jp-west-3"}'),
            "tests/west/test_west.py": region_test("jp-west-3"),
            "tests/uk/conftest.py": options("session", '{"region": "uk-1"}'),
            "tests/uk/test_uk.py": region_test("uk-1"),
            "tests/test_default.py": region_test("jp-east-1"),
        },
    )
    for order in (["tests/west", "tests/uk", "tests"], ["tests/uk", "tests/west", "tests"]):
        done = run_pytest(project, *order)
        assert done.returncode == 0, output(done)
        assert "3 passed" in done.stdout


TIMING_TEST = """
def test_timing(fjcloud_emulator):
    assert fjcloud_emulator.config.timing.mode == "manual"
"""
MOCK_REGION_TEST = """
def test_region(fjcloud_mock):
    assert fjcloud_mock.region == "jp-east-3"
"""


def test_an_override_of_any_scope_works(tmp_path: Path) -> None:
    files = {}
    for scope in ("function", "module", "package", "session"):
        files[f"tests/{scope}/__init__.py"] = ""
        files[f"tests/{scope}/test_it.py"] = options(scope, '{"timing": "manual"}') + TIMING_TEST
        files[f"tests/{scope}/test_mock.py"] = (
            options(scope, '{"region": "jp-east-3"}', "fjcloud_mock_options") + MOCK_REGION_TEST
        )
    done = run_pytest(write_project(tmp_path, files), "tests")
    assert done.returncode == 0, output(done)
    assert "8 passed" in done.stdout


def test_a_relative_seed_is_relative_to_the_file_that_names_it(tmp_path: Path) -> None:
    seed = DEFAULT_SEED.read_text(encoding="utf-8").replace("Win2012R2SE", "from-sub-seed")
    project = write_project(
        tmp_path,
        {
            "tests/sub/seed.yaml": seed,
            "tests/sub/conftest.py": options("session", '{"seed": "seed.yaml"}')
            + options("function", '{"seed": "seed.yaml"}', "fjcloud_mock_options"),
            "tests/sub/deeper/test_seed.py": """
                def test_server(fjcloud_emulator, fjcloud_mock):
                    for cloud in (fjcloud_emulator, fjcloud_mock):
                        [server] = cloud.snapshot()["compute"]["servers"]
                        assert server["name"] == "from-sub-seed"
            """,
        },
    )
    done = run_pytest(project, "tests")  # from the project's top, as CI runs it
    assert done.returncode == 0, output(done)
    assert "1 passed" in done.stdout


def test_options_that_are_not_a_dict_are_refused_naming_the_file(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "conftest.py": options("session", '"jp-west-3"'),
            "test_it.py": region_test("jp-west-3"),
        },
    )
    done = run_pytest(project)
    assert done.returncode != 0
    assert "fjcloud_emulator_options" in output(done)
    assert "must return a dict of keyword arguments, got str" in output(done)
    assert str(project / "conftest.py") in output(done)
