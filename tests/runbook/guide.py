"""The documents' transcripts: each one a scenario run here, against the emulator.

``docs/OPERATOR.md`` (and ``README.md``) hold blocks between ``<!-- BEGIN transcript:NAME -->`` and
``<!-- END transcript:NAME -->``. ``python -m tests.runbook.guide [NAME …]`` runs every scenario
(or those named) and writes its real output into its block; ``tests/runbook/test_operator_guide.py`` runs them again and
checks each block against the new output, with what differs between two runs (ports, times,
durations, random ids) normalised. A ``…`` line in a block stands for lines left out.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from emulator import EmulatorServer
from tests.runbook.conftest import REPO, live_env, run_runbook

GUIDE = REPO / "docs" / "OPERATOR.md"
README = REPO / "README.md"
DOCUMENTS = (GUIDE, README)
PYTEST = ".venv/bin/python -m pytest runbook"
COLUMNS = "100"
ELLIPSIS = "…"


@dataclass(frozen=True)
class Scenario:
    """One documented command: its arguments, environment changes, and the part of its output shown."""

    name: str
    args: tuple[str, ...]
    env: dict[str, str | None] = field(default_factory=dict)
    shown_env: str = ""  # what the operator exported on the command line, shown before it
    before: tuple[tuple[str, ...], ...] = ()  # earlier commands of the same procedure (not shown)
    # Files written in the scratch folder first, as (name, text); with ``cat``, the transcript
    # opens with ``$ cat NAME`` and the text of each, as the operator would show them.
    files: tuple[tuple[str, str], ...] = ()
    cat: bool = False
    first: str | None = None  # show from the first line containing this (else from the start)
    last: str | None = None  # … up to the last line containing this
    setup: Callable[[EmulatorServer], None] | None = None
    # Acts on the emulator after the ``before`` commands, before the shown one (an unlock).
    between: Callable[[EmulatorServer], None] | None = None
    # Instead of first/last, several parts: each from the first line containing its first string
    # (after the part before it) to the next line containing its second — what lies between them
    # varies from run to run (a fleet's step 5 sees its servers stop on different polls).
    parts: tuple[tuple[str, str], ...] = ()
    document: Path = GUIDE


# Page 1 of the manual (移行前の作業), which this guide shows; without --page the run goes on.
PAGE = ("--page", "1")
LIVE = ("--target", "live", *PAGE)

# The fleet section's procedure: three servers by name, web-2 locked (Nova's 409), 1-second stops.
# Step 5 reads every 2 s, clearly longer than a stop, so its first read sees each stopping server
# powering-off and its second SHUTOFF: the same change lines on every run.
# (Between step 4's stops and step 5's first read lie about 0.04 s, 0.2 s on a busy machine.)
# The ids are fixed so that a recapture keeps the document's.
FLEET_IDS = {
    "web-1": "b0af05a2-02fe-4703-88fc-b3ad8ae1b974",
    "web-2": "55139f3c-cdf3-4ea4-8cd1-d0164ae0e0e2",
    "db-1": "c134ec6d-9fbc-4a97-bc21-690bd48b46bc",
}
SERVERS_TXT = ("servers.txt", "# the shop, wave 1\nweb-1\nweb-2\ndb-1\n")
FLEET = ("--target", "live", "--servers", "servers.txt")
FLEET_FIRST = (*FLEET, "--poll-interval", "2", "--yes", "--confirm-manual")
FLEET_RERUN = (*FLEET, "--poll-interval", "2", "--yes", "--from-step", "4")
# The first run again as a later scenario's earlier command: not shown, so its step 5 may read
# every 0.2 s (the same procedure, a second sooner).
FLEET_EARLIER = (*FLEET, "--poll-interval", "0.2", "--yes", "--confirm-manual")


def _shop(server: EmulatorServer) -> None:
    server.set_timing(1.0)
    for name, server_id in FLEET_IDS.items():
        server.add_server(id=server_id, name=name, locked=name == "web-2")


def _unlock_web_2(server: EmulatorServer) -> None:
    server.set_server_state(FLEET_IDS["web-2"], "ACTIVE", locked=False)


# What the fleet's scenarios share: no SERVER_ID (a fleet has none), servers.txt, the shop.
FLEET_SCENARIO = Scenario("", (), env={"SERVER_ID": None}, files=(SERVERS_TXT,), setup=_shop)


SCENARIOS = (
    Scenario("rehearse", PAGE),
    Scenario("dry-run", (*LIVE, "--dry-run"), first="[2/5]", last="[4/5]"),
    Scenario("steps-1-3", (*LIVE, "--to-step", "3", "--confirm-manual")),
    Scenario(
        "steps-4-5",
        (*LIVE, "--from-step", "4", "--yes"),
        before=((*LIVE, "--to-step", "3", "--confirm-manual"),),
    ),
    Scenario(
        "server-name-in-server-id",
        (*LIVE, "--to-step", "3", "--confirm-manual"),
        env={"SERVER_ID": "Win2012R2SE"},
        shown_env="SERVER_ID=Win2012R2SE ",
        first="[1/5]",
        last="→",
    ),
    Scenario(
        "observer",
        (*LIVE, "--confirm-manual", "--yes"),
        env={"OS_USERNAME": "demo-observer"},
        shown_env="OS_USERNAME=demo-observer ",
        first="[2/5]",
        last="→",
    ),
    Scenario(
        "fleet-rehearsal",
        ("--rehearsal-servers", "3"),
        env={"SERVER_ID": None},  # a fleet has none
        parts=(("[4/5]", "stopping 3 servers"), ("PASSED        4.", "fleet-03  ")),
        document=README,
    ),
    replace(
        FLEET_SCENARIO,
        name="fleet-web-2-locked",
        args=FLEET_FIRST,
        cat=True,
        parts=(
            ("[4/5]", "✔ passed"),
            ("[4/5]", "✔ passed"),
            ("[5/5]", "✔ passed"),
            ("仮想サーバエクスポート — the export", "continue with --from-step 4"),
        ),
    ),
    replace(
        FLEET_SCENARIO,
        name="fleet-rerun",
        args=FLEET_RERUN,
        before=(FLEET_EARLIER,),
        between=_unlock_web_2,
        parts=(("runbook: resumed", "✔ passed"), ("PASSED        4.", "runbook.md")),
    ),
    # Only the line naming the pinned list is shown; web-2 stays locked, so step 5 has nothing
    # left to wait for (its two servers are SHUTOFF) and the scenario takes 2 s less.
    replace(
        FLEET_SCENARIO,
        name="fleet-pinned",
        args=("--target", "live", "--poll-interval", "2", "--yes", "--from-step", "4"),
        before=(FLEET_EARLIER,),
        first="runbook: servers:",
        last="runbook: servers:",
    ),
)

_NORMAL = (
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z"), "TIME"),
    (re.compile(r"\d{8}T\d{6}Z-[0-9a-f]+"), "FOLDER"),
    (re.compile(r"req-[0-9a-f-]{36}"), "REQ"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "HEX"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "UUID"),
    (re.compile(r"\d+\.\d+ ?s\b"), "N s"),
    (re.compile(r"\d+ records"), "N records"),
    (re.compile(r"pid \d+"), "pid N"),
)


def normalise(line: str) -> str:
    """``line`` with what differs between two runs of the same scenario replaced."""
    for pattern, replacement in _NORMAL:
        line = pattern.sub(replacement, line)
    return line.rstrip()


def run(scenario: Scenario) -> str:
    """Run ``scenario`` in a fresh folder against a fresh emulator; its transcript as shown.

    ``env`` applies to the ``before`` commands too: they are the same operator's earlier steps.
    """
    with tempfile.TemporaryDirectory() as folder, EmulatorServer() as server:
        cwd = Path(folder)
        for name, text in scenario.files:
            (cwd / name).write_text(text, encoding="utf-8")
        if scenario.setup is not None:
            scenario.setup(server)
        env = live_env(server, cwd, COLUMNS=COLUMNS, **scenario.env)
        for args in scenario.before:
            run_runbook(list(args), env, cwd=cwd)
        if scenario.between is not None:
            scenario.between(server)
        result = run_runbook(list(scenario.args), env, cwd=cwd)
    return _shown(scenario, result.output)


def _shown(scenario: Scenario, output: str) -> str:
    lines = output.splitlines()
    # pytest's own session header (platform, rootdir …) is the machine's, not the runbook's. The
    # scenario runs in a scratch folder (its state file and evidence stay there), so pytest names
    # the test file by a path from that folder: it is shown as from the repository.
    start = next(i for i, line in enumerate(lines) if "test_export_preparation.py" in line)
    lines = ["runbook/test_export_preparation.py", *lines[start + 1 :]]
    files = [f"$ cat {name}\n{text.rstrip()}" for name, text in scenario.files if scenario.cat]
    command = "\n".join(
        [*files, f"$ {scenario.shown_env}{PYTEST}{''.join(' ' + a for a in scenario.args)}"]
    )
    if scenario.parts:
        return "\n".join([command, *_parts(lines, scenario.parts)])
    head, tail = 0, len(lines)
    if scenario.first is not None:
        head = next(i for i, line in enumerate(lines) if scenario.first in line)
    if scenario.last is not None:
        tail = max(i for i, line in enumerate(lines) if scenario.last in line) + 1
    shown = lines[head:tail]
    return "\n".join(
        [command, *([ELLIPSIS] if head else []), *shown, *([ELLIPSIS] if tail < len(lines) else [])]
    )


def _parts(lines: list[str], parts: tuple[tuple[str, str], ...]) -> list[str]:
    shown: list[str] = []
    at = 0
    for first, last in parts:
        head = next(i for i in range(at, len(lines)) if first in lines[i])
        tail = next(i for i in range(head, len(lines)) if last in lines[i]) + 1
        shown += [*([ELLIPSIS] if head > at else []), *lines[head:tail]]
        at = tail
    return shown + ([ELLIPSIS] if at < len(lines) else [])


def block(name: str, text: str) -> str:
    """The Markdown between the markers of transcript ``name``."""
    return (
        f"<!-- BEGIN transcript:{name} -->\n```console\n{text}\n```\n<!-- END transcript:{name} -->"
    )


def blocks(guide: str) -> dict[str, str]:
    """Every transcript in ``guide``: name → its console text."""
    found = re.finditer(
        r"<!-- BEGIN transcript:(\S+) -->\n```console\n(.*?)\n```\n<!-- END transcript:\1 -->",
        guide,
        re.DOTALL,
    )
    return {match.group(1): match.group(2) for match in found}


def matches(documented: str, output: str) -> bool:
    """True when the documented transcript is the new one, line by line, once normalised."""
    return _collapsed(documented) == _collapsed(output)


def _collapsed(text: str) -> list[str]:
    # Step 5 prints one progress line per read; how many reads see the same state depends on the
    # machine's timing, so equal consecutive lines (once normalised) count as one.
    lines: list[str] = []
    for line in map(normalise, text.splitlines()):
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def write_all(names: list[str]) -> None:
    """Run every scenario (or those ``names``) and write its transcript into its document."""
    chosen = [s for s in SCENARIOS if not names or s.name in names]
    for document in DOCUMENTS:
        _write(document, [s for s in chosen if s.document == document])


def _write(document: Path, scenarios: list[Scenario]) -> None:
    text = document.read_text(encoding="utf-8")
    for scenario in scenarios:
        pattern = re.compile(
            rf"<!-- BEGIN transcript:{re.escape(scenario.name)} -->.*?"
            rf"<!-- END transcript:{re.escape(scenario.name)} -->",
            re.DOTALL,
        )
        found = pattern.search(text)
        if found is None:
            raise SystemExit(f"no transcript:{scenario.name} block in {document}")
        text = text[: found.start()] + block(scenario.name, run(scenario)) + text[found.end() :]
        print(f"captured {scenario.name}", file=sys.stderr)
    document.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_all(sys.argv[1:])  # python -m tests.runbook.guide [NAME …]
