"""Step 5's fleet view and record lines from ``FleetProgress``, without a terminal (fast)."""

from __future__ import annotations

from runbook.fleet import Fleet, Result
from runbook.fleet_list import Selector
from runbook.fleet_progress import FleetProgress
from runbook.live_view import Size


def _fleet(*labels: str) -> Fleet:
    return Fleet(Selector(label, "test") for label in labels)


def test_the_view_has_a_row_per_server_under_its_header_and_a_total() -> None:
    fleet = _fleet("a", "b")
    members = list(fleet.members.values())
    progress = FleetProgress(members, interval=5.0, timeout=600.0)
    progress.seen(members[0], ("SHUTOFF", "-"))
    progress.seen(members[1], ("ACTIVE", "powering-off"))
    fleet.record(members[0], 5, Result(True, "SHUTOFF after 5.0 s"))
    progress.finished(members[0], 5.0)

    header, first, second, total = progress.frame(12.0, fleet, Size(100, 40), next_read_in=3.0)

    # The columns line up under their names (the first is as wide as "server" at least).
    assert header.index("status") == first.index("SHUTOFF") == second.index("ACTIVE")
    assert header.index("task_state") == first.index("-") == second.index("powering-off")
    assert first.split()[:5] == ["a", "SHUTOFF", "-", "5.0", "s"]
    assert first.endswith("✔")
    assert second.split()[:5] == ["b", "ACTIVE", "powering-off", "12.0", "s"]  # still ticking
    assert total.split()[:9] == [
        "total",
        "1",
        "SHUTOFF,",
        "0",
        "failed,",
        "1",
        "waiting",
        "of",
        "2",
    ]
    assert total.endswith("next read in 3 s")


def test_the_record_gets_a_line_per_change_and_nothing_when_nothing_changed() -> None:
    fleet = _fleet("a-1", "a-2")  # shorter than "total": the columns still line up
    members = list(fleet.members.values())
    progress = FleetProgress(members, interval=5.0, timeout=600.0)
    for member in members:
        progress.seen(member, ("ACTIVE", "powering-off"))

    first = progress.changes(0.0, fleet, waiting=2)
    for member in members:
        progress.seen(member, ("ACTIVE", "powering-off"))
    second = progress.changes(5.0, fleet, waiting=2)

    assert [line.split()[0] for line in first] == ["a-1", "a-2", "total"]
    assert len({line.index(" s  ") for line in first}) == 1  # the times in one column
    assert second == []


def test_a_fleet_taller_than_the_room_shows_the_unfinished_and_counts_the_rest() -> None:
    fleet = _fleet(*(f"vm-{n:02d}" for n in range(1, 11)))
    members = list(fleet.members.values())
    progress = FleetProgress(members, interval=5.0, timeout=600.0)
    for member in members[:8]:
        progress.seen(member, ("SHUTOFF", "-"))
        fleet.record(member, 5, Result(True, "SHUTOFF"))
        progress.finished(member, 1.0)
    for member in members[8:]:
        progress.seen(member, ("ACTIVE", "powering-off"))

    frame = progress.frame(2.0, fleet, Size(100, 5), next_read_in=1.0)

    assert len(frame) == 5
    assert [line.split()[0] for line in frame[1:3]] == ["vm-09", "vm-10"]
    assert "… 8 not shown (8 SHUTOFF)" in frame[3]
