"""CI-sized concurrency storms over real sockets (full run: ``python -m tests.reliability.concurrency``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.concurrency import (
    ALLOWED_EDGES,
    Outcome,
    judge_answers,
    lockout_storm,
    scan_standalone,
    storm,
    token_storm,
)
from tests.reliability.servers import Standalone, standalone, thread_server


@dataclass
class Target:
    url: str
    process: Standalone | None  # the standalone server (its output is scanned), or None


@pytest.fixture(params=["standalone", "thread"], scope="module")
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """The standalone emulator process and the thread server, each on 127.0.0.1:<free port>."""
    if request.param == "standalone":
        with standalone(Path(tmp_path_factory.mktemp("standalone"))) as process:
            yield Target(process.url, process)
    else:
        with thread_server() as server:
            yield Target(server.url, None)
            server.check_errors()


def test_stop_start_get_storm_loses_no_transition(target: Target) -> None:
    report = storm(target.url, threads=4, ops=100, servers=10, seed=7)
    assert report.problems == []
    counts = report.counts
    assert sum(counts.values()) == 400
    assert not [o for o in report.outcomes if o.status >= 500 or o.status == -1]
    # The storm really raced: both 202s and Nova's 409s happened, and histories were walked.
    assert counts[("os-stop", 202)] > 0
    assert counts[("os-stop", 409)] > 0
    assert counts[("os-start", 202)] > 0
    assert report.transitions_checked >= counts[("os-stop", 202)] + counts[("os-start", 202)]


def test_concurrent_token_issue_gives_distinct_tokens(target: Target) -> None:
    tokens, problems = token_storm(target.url, threads=4, per_thread=25)
    assert problems == []
    assert len(tokens) == len(set(tokens)) == 100
    if target.process is not None:  # the standalone server logged none of them, nor the password
        assert scan_standalone(target.process, set(tokens)) == []


def test_concurrent_wrong_passwords_lock_after_exactly_five(target: Target) -> None:
    messages, problems = lockout_storm(target.url, threads=8, attempts=40)
    assert problems == []
    assert messages["401 The request you have made requires authentication."] == 4


def test_the_judge_refuses_what_nova_would_not_answer() -> None:
    """The oracle itself: a 500, a foreign 409 message and an impossible edge are all caught."""
    sid = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    bad = [
        Outcome(sid, "os-stop", 500, "boom"),
        Outcome(
            sid, "os-stop", 409, f"Cannot 'stop' instance {sid} while it is in vm_state active"
        ),
        Outcome(sid, "os-start", 409, f"Instance {sid} is locked"),  # not a locked server
    ]
    assert len(judge_answers(bad, locked=set())) == 3
    good = [
        Outcome(
            sid, "os-stop", 409, f"Cannot 'stop' instance {sid} while it is in vm_state stopped"
        )
    ]
    assert judge_answers(good, locked=set()) == []
    assert (("active", None, 1), ("stopped", None, 4)) not in ALLOWED_EDGES  # no skipped task
