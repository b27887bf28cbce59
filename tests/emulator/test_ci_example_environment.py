"""The CI guide's pytest example inside the CI guide's own job, where OS_* are exported.

Found by acceptance: the CI job exports OS_AUTH_URL/OS_REGION_NAME… for the standalone emulator
and then runs ``python -m pytest tests/``. openstacksdk's ``connect()`` merges those variables
(its "envvars" cloud) with the fixture's credentials, and refused the fixture's region:
"Region jp-east-1 is not a valid region name for cloud envvars. Valid choices are uk-1" — and a
developer's own production OS_* or clouds.yaml would leak into a test the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.emulator.test_readme_ci import block, run


def test_pytest_example_ignores_the_callers_os_variables_and_clouds_yaml(tmp_path: Path) -> None:
    (tmp_path / "test_example.py").write_text(block(0, "python"))
    done = run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        tmp_path,
        OS_AUTH_URL="http://127.0.0.1:9/identity/v3",  # another emulator's (the CI job's)
        OS_REGION_NAME="uk-1",
        OS_USERNAME="someone-else",
        OS_PROJECT_ID="0" * 32,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
