"""Issue 12, problem 5: with the guard on, no test can reach ``*.cloud.global.fujitsu.com``.

Before, a test that forgot the fixture resolved the real hostname and would have logged in with
the demo user. No test here resolves a real name: the guard refuses before any resolver runs, and
the unguarded cases check that the resolver is the standard library's, without calling it.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.plugin.project import output, run_pytest, write_project

REAL = "https://identity.jp-east-1.cloud.global.fujitsu.com/v3"
GUARDED_TESTS = f"""
    import http.client
    import socket

    import requests


    def test_forgot_the_fixture():
        requests.get("{REAL}", timeout=5)


    def test_swallowed_the_error():
        try:
            requests.get("{REAL}", timeout=5)
        except requests.ConnectionError:
            pass  # the automation under test retries or gives up quietly


    def test_every_resolver_and_any_spelling_is_refused():
        messages = []
        for resolve in (socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex):
            try:
                resolve("Compute.UK-1.Cloud.Global.Fujitsu.Com.", 443)
            except socket.gaierror as exc:
                messages.append(str(exc))
        # Through an HTTP proxy the name is resolved by the proxy: the CONNECT is refused here.
        proxy = http.client.HTTPSConnection("proxy.invalid", 3128)
        try:
            proxy.set_tunnel("identity.jp-east-1.cloud.global.fujitsu.com", 443)
        except socket.gaierror as exc:
            messages.append(str(exc))
        assert len(messages) == 4 and all("real FJcloud-O" in m for m in messages), messages


    def test_other_names_resolve_as_usual():
        assert socket.getaddrinfo("127.0.0.1", 80)[0][4][0] == "127.0.0.1"


    def test_the_mock_still_answers_the_real_hostnames(fjcloud_mock):
        assert requests.get("{REAL}", timeout=5).status_code == 200
"""
GUARD_OFF_TEST = """
    import socket


    def test_the_resolver_is_the_standard_one():
        assert socket.getaddrinfo.__module__ == "socket"
"""


def check_guarded(stdout: str) -> None:
    assert "fjcloud guard: on" in stdout  # the report header says so
    assert "3 failed, 2 passed" in stdout
    # What the code under test sees: requests' ConnectionError, saying why.
    assert "requests.exceptions.ConnectionError" in stdout
    assert "fjcloud guard: identity.jp-east-1.cloud.global.fujitsu.com is the real FJcloud-O" in (
        stdout
    )
    # A test that passed in spite of an attempt is failed all the same, naming the host.
    blocked = r"\nfjcloud guard: this test tried to reach the real FJcloud-O \("
    for test, host in [
        ("test_swallowed_the_error", "identity.jp-east-1"),
        ("test_every_resolver_and_any_spelling_is_refused", "Compute.UK-1"),
    ]:
        assert re.search(f"_ {test} _+{blocked}{host}", stdout), test
        assert f"FAILED test_guarded.py::{test}" in stdout


def test_ini_option_turns_the_guard_on(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {"pytest.ini": "[pytest]\nfjcloud_guard = true\n", "test_guarded.py": GUARDED_TESTS},
    )
    done = run_pytest(project, "-v", "-rf")
    assert done.returncode == 1, output(done)
    check_guarded(done.stdout)


def test_command_line_flag_turns_the_guard_on(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"test_guarded.py": GUARDED_TESTS})
    done = run_pytest(project, "-v", "-rf", "--fjcloud-guard")
    assert done.returncode == 1, output(done)
    check_guarded(done.stdout)


def test_the_guard_is_off_by_default(tmp_path: Path) -> None:
    done = run_pytest(write_project(tmp_path, {"test_off.py": GUARD_OFF_TEST}), "-v")
    assert done.returncode == 0, output(done)
    assert "fjcloud guard" not in done.stdout


def test_the_runbooks_live_target_is_never_guarded(tmp_path: Path) -> None:
    # The runbook's own plugin, its --target live, and the guard asked for both ways.
    project = write_project(
        tmp_path,
        {"pytest.ini": "[pytest]\nfjcloud_guard = true\n", "test_off.py": GUARD_OFF_TEST},
    )
    done = run_pytest(project, "-v", "-p", "runbook.plugin", "--target", "live", "--fjcloud-guard")
    assert done.returncode == 0, output(done)
    assert "fjcloud guard" not in done.stdout
    rehearsal = run_pytest(project, "-v", "-p", "runbook.plugin", "--target", "emulator")
    assert "fjcloud guard: on" in rehearsal.stdout  # the same project, not live: guarded
