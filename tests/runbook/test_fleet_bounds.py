"""A fleet's bounds, counted in the emulator's request log: at most --parallel N stops in flight,
and step 5's reads (issue #14, "Cost bounded")."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from emulator import EmulatorServer
from tests.runbook.conftest import requests_to, run_runbook
from tests.runbook.fleet_servers import CONFIRMED, add_servers, fleet_env, list_file

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("parallel", [2, None], ids=["parallel-2", "default-4"])
def test_at_most_parallel_stop_requests_are_in_flight(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str], parallel: int | None
) -> None:
    # Each os-stop is held DELAY seconds by the emulator, and logged when it is answered. With at
    # most N in flight, no N+1 answers fall within less than DELAY of each other: the N+1 requests
    # would all have been under way at once. (A busy machine spreads them out: this can pass
    # without proving much, never fail when the bound holds.)
    delay, bound = 0.4, parallel or 4
    ids = add_servers(fjcloud_emulator, *(f"vm-{n}" for n in range(1, 3 * bound + 1)))
    fjcloud_emulator.set_timing("immediate")
    fjcloud_emulator.inject_fault(
        method="POST", path_regex="/action$", action="delay", delay_seconds=delay
    )
    option = ["--parallel", str(parallel)] if parallel else []
    args = [*live_args, *CONFIRMED, "--servers", str(list_file(tmp_path, *ids)), *option]

    result = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 0, result.output
    assert f"at most {bound} requests at once" in result.output
    stops = requests_to(fjcloud_emulator.requests_log(), "POST", "/action")
    assert len(stops) == len(ids)
    answered = sorted(datetime.fromisoformat(e["at"]).timestamp() for e in stops)
    spans = [answered[i + bound] - answered[i] for i in range(len(answered) - bound)]
    assert min(spans) >= delay - 0.02, spans


def test_step_5_reads_each_server_at_most_once_per_interval_or_lists_them_in_one_request(
    fjcloud_emulator: EmulatorServer, tmp_path: Path, live_args: list[str]
) -> None:
    # Issue #14, "Cost bounded": at most one request per server per poll interval, or one paged
    # servers/detail when that is cheaper. Three servers stop at once, one never: the first poll
    # lists the four (one request, one page), then only the one left is read, once per interval.
    ids = add_servers(fjcloud_emulator, "web-1", "web-2", "web-3", "slow-1")
    fjcloud_emulator.set_timing("immediate")
    fjcloud_emulator.set_timing("manual", ids["slow-1"])
    interval, timeout = 0.1, 0.6
    args = [*live_args, *CONFIRMED, "--servers", str(list_file(tmp_path, *ids))]
    args += ["--poll-interval", str(interval), "--poll-timeout", str(timeout)]

    result = run_runbook(args, fleet_env(fjcloud_emulator, tmp_path))

    assert result.returncode == 1, result.output  # slow-1 timed out
    log = fjcloud_emulator.requests_log()
    last_stop = max(i for i, e in enumerate(log) if e["method"] == "POST")
    step5 = [e for e in log[last_stop + 1 :] if e["method"] == "GET"]
    assert [e["path"].rsplit("/", 1)[-1] for e in step5[:1]] == ["detail"]  # the first poll
    rest = {e["path"].rsplit("/", 1)[-1] for e in step5[1:]}
    assert rest == {ids["slow-1"]}  # the servers already SHUTOFF are not read again
    polls_at_most = round(timeout / interval) + 1  # one at 0 s, then one per interval
    assert len(step5) <= polls_at_most, [e["at"] for e in step5]
