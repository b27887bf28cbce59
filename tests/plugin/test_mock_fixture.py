"""Issue 12, problem 4: ``fjcloud_mock`` is one mock per session, reset before each test.

Before, every test built a new ``CloudMock`` (a new Flask app, ~11 ms): per test it cost three
times the thread-server fixture. ``make bench`` measures the time; this pins the behaviour.
"""

from __future__ import annotations

from pathlib import Path

from tests.plugin.project import output, run_pytest, write_project

TESTS = """
    import requests

    SEEN = []


    def names(cloud):
        return [server["name"] for server in cloud.snapshot()["compute"]["servers"]]


    def test_first(fjcloud_mock, fjcloud_server_factory):
        SEEN.append(fjcloud_mock)
        fjcloud_server_factory(name="extra")
        fjcloud_mock.inject_fault(method="GET", path="*", status=503)
        fjcloud_mock.set_timing("manual")
        assert requests.get(fjcloud_mock.compute_url + "/", timeout=5).status_code == 503


    def test_second_gets_the_same_mock_back_at_the_seed(fjcloud_mock):
        assert fjcloud_mock is SEEN[0] and fjcloud_mock.running
        assert names(fjcloud_mock) == ["Win2012R2SE"]
        assert fjcloud_mock.faults() == [] and fjcloud_mock.requests_log() == []
        assert fjcloud_mock.snapshot()["compute"]["timing"]["mode"] == "seconds"
        assert requests.get(fjcloud_mock.compute_url + "/", timeout=5).status_code == 200


    def test_between_tests_it_is_stopped():
        assert not SEEN[0].running
"""


def test_one_mock_per_session_reset_per_test_and_stopped_between(tmp_path: Path) -> None:
    done = run_pytest(write_project(tmp_path, {"test_mock.py": TESTS}))
    assert done.returncode == 0, output(done)
    assert "3 passed" in done.stdout
