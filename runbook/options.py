"""The runbook's command-line options (registered for every pytest run, used only by ``pytest runbook``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from runbook.statefile import DEFAULT_STATE_FILE

STEP_COUNT = 5
# Step 5's polling: production waits like openstacksdk's wait_for_server would be told to (5 s,
# 10 min); a rehearsal's emulator stops a server in a fraction of a second.
LIVE_POLL = (5.0, 600.0)
EMULATOR_POLL = (0.02, 60.0)
PROGRESS_MODES = ("auto", "live", "lines")
NEW_PROCEDURE_OPTION = "runbook_new_procedure"  # read by runbook.session and runbook.fleet_resume
MAX_REHEARSAL_SERVERS = 1000  # a rehearsal of 1000 takes a few seconds; more is no rehearsal


def add_options(parser: pytest.Parser) -> None:
    """Register the options in their own group, every help text starting with ``runbook:``."""
    group = parser.getgroup(
        "runbook", "runbook — 移行前の作業 (export pre-work); used by `pytest runbook` only"
    )
    add = group.addoption
    add(
        "--target",
        dest="runbook_target",
        choices=("emulator", "live"),
        default="emulator",
        help="runbook: 'emulator' (default) rehearses against the bundled emulator; 'live' uses "
        "OS_*/clouds.yaml/the document's variables against any endpoint (production)",
    )
    add(
        "--region",
        dest="runbook_region",
        metavar="REGION",
        help="runbook: region (jp-east-1 …); picks /v2 or /v2.1 (jp-east-3, jp-west-3); default OS_REGION_NAME",
    )
    add(
        "--auth-url",
        dest="runbook_auth_url",
        metavar="URL",
        help="runbook: identity endpoint; default OS_AUTH_URL",
    )
    add(
        "--compute",
        dest="runbook_compute",
        metavar="URL",
        help="runbook: the document's COMPUTE; default COMPUTE, else the token's catalog",
    )
    add(
        "--project-id",
        dest="runbook_project_id",
        metavar="ID",
        help="runbook: PROJECT_ID; default PROJECT_ID, OS_PROJECT_ID",
    )
    add(
        "--server-id",
        dest="runbook_server_id",
        metavar="UUID",
        action="append",
        help="runbook: SERVER_ID, the server to stop; default SERVER_ID. Repeat it for a fleet "
        "(several servers, one procedure)",
    )
    add(
        "--servers",
        dest="runbook_servers",
        metavar="FILE",
        help="runbook: a fleet: the servers to stop, one UUID or name per line (# comments), or a "
        "YAML list; names are resolved in step 3 to exactly one id each",
    )
    add(
        "--parallel",
        dest="runbook_parallel",
        type=int,
        default=4,
        metavar="N",
        help="runbook: a fleet's step 4 sends at most N stop requests at once (default 4)",
    )
    add(
        "--rehearsal-servers",
        dest="runbook_rehearsal_servers",
        type=int,
        metavar="N",
        help="runbook: rehearse a fleet: the emulator gets N servers (fleet-01 …) and the "
        "procedure stops them all",
    )
    add(
        "--server-name",
        dest="runbook_server_name",
        metavar="NAME",
        help="runbook: instead of SERVER_ID: step 3 finds the one server with exactly this name "
        "(refused when none or several have it) and uses its id",
    )
    add(
        "--token",
        dest="runbook_token",
        metavar="TOKEN",
        help="runbook: use this TOKEN and skip step 2 (prefer the TOKEN variable: options show in `ps`)",
    )
    add(
        "--dry-run",
        dest="runbook_dry_run",
        action="store_true",
        help="runbook: send nothing that changes anything (no POST at all); print each step's curl command",
    )
    add(
        "--yes",
        dest="runbook_yes",
        action="store_true",
        help="runbook: stop the server without asking (step 4); needed when there is no terminal",
    )
    add(
        "--confirm-manual",
        dest="runbook_confirm_manual",
        action="store_true",
        help="runbook: confirm the manual step 1 (guest settings initialised) without asking",
    )
    add(
        "--stop-method",
        dest="runbook_stop_method",
        choices=("api", "guest"),
        default="api",
        help="runbook: 'api' (default) sends os-stop; 'guest': you shut the guest down yourself and step 5 waits",
    )
    add(
        "--from-step",
        dest="runbook_from_step",
        type=int,
        default=1,
        metavar="N",
        help="runbook: first step of page 1 to run (1–5); pages 2–5 follow unless --page 1",
    )
    add(
        "--to-step",
        dest="runbook_to_step",
        type=int,
        default=STEP_COUNT,
        metavar="N",
        help="runbook: last step of page 1 to run (1–5); before 5, pages 2–5 do not run",
    )
    add(
        "--state-file",
        dest="runbook_state_file",
        default=DEFAULT_STATE_FILE,
        metavar="PATH",
        help=f"runbook: variables kept between invocations, mode 0600, never the password (default {DEFAULT_STATE_FILE})",
    )
    add(
        "--new-procedure",
        dest=NEW_PROCEDURE_OPTION,
        action="store_true",
        help="runbook: start a new procedure (new journal and evidence folder) instead of "
        "continuing the one the state file points at",
    )
    add(
        "--progress",
        dest="runbook_progress",
        choices=PROGRESS_MODES,
        default="auto",
        help="runbook: a fleet's step 5 on a terminal: 'live' redraws one view in place (a line "
        "per server and a total), 'lines' prints a line per change; 'auto' (default): live on a "
        "terminal, lines in a pipe, a file or with TERM=dumb. The journal always has the lines",
    )
    add(
        "--evidence",
        dest="runbook_evidence",
        metavar="DIR",
        help="runbook: the procedure's folder (journal.jsonl, runbook.json, runbook.md); default for live runs: a new ./evidence/<UTC time>-<random>/, then the one the state file points at",
    )
    add(
        "--no-evidence",
        dest="runbook_no_evidence",
        action="store_true",
        help="runbook: no journal or evidence on disk (in memory only): a crash leaves no record and no later invocation can continue",
    )
    add(
        "--poll-interval",
        dest="runbook_poll_interval",
        type=float,
        metavar="SECONDS",
        help=f"runbook: step 5's wait between reads (default live {LIVE_POLL[0]:g}, emulator {EMULATOR_POLL[0]:g})",
    )
    add(
        "--poll-timeout",
        dest="runbook_poll_timeout",
        type=float,
        metavar="SECONDS",
        help=f"runbook: step 5 gives up after this long (default live {LIVE_POLL[1]:g}, emulator {EMULATOR_POLL[1]:g})",
    )
    add(
        "--ca-bundle",
        dest="runbook_ca_bundle",
        metavar="PATH",
        help="runbook: CA bundle for TLS; default OS_CACERT",
    )
    add(
        "--insecure",
        dest="runbook_insecure",
        action="store_true",
        help="runbook: do NOT verify TLS certificates (warned about)",
    )
    add(
        "--connect-timeout",
        dest="runbook_connect_timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="runbook: HTTP connect timeout (default 10)",
    )
    add(
        "--read-timeout",
        dest="runbook_read_timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="runbook: HTTP read timeout (default 30)",
    )
    add(
        "--http-retries",
        dest="runbook_http_retries",
        type=int,
        default=4,
        metavar="N",
        help="runbook: retries of a GET on connection errors and 5xx, with backoff (default 4); a POST is never retried",
    )


@dataclass(frozen=True)
class RunbookOptions:
    """The parsed options of one run."""

    target: str
    dry_run: bool
    yes: bool
    confirm_manual: bool
    stop_method: str
    from_step: int
    to_step: int
    state_file: Path
    evidence: Path | None
    no_evidence: bool
    poll_interval: float
    poll_timeout: float
    insecure: bool
    connect_timeout: float
    read_timeout: float
    http_retries: int
    region: str | None
    parallel: int = 4
    rehearsal_servers: int | None = None
    progress: str = "auto"

    @property
    def live(self) -> bool:
        """True for ``--target live`` (production or a standalone emulator)."""
        return self.target == "live"

    @classmethod
    def from_config(cls, config: pytest.Config) -> RunbookOptions:
        """Read and check the options; a bad value is a usage error."""

        def get(name: str) -> object:
            return config.getoption(f"runbook_{name}")

        target = str(get("target"))
        default_interval, default_timeout = LIVE_POLL if target == "live" else EMULATOR_POLL
        from_step, to_step = int(str(get("from_step"))), int(str(get("to_step")))
        if not 1 <= from_step <= to_step <= STEP_COUNT:
            raise pytest.UsageError(
                f"runbook: need 1 <= --from-step ({from_step}) <= --to-step ({to_step}) <= {STEP_COUNT}"
            )
        interval = _number(get("poll_interval"), default_interval)
        timeout = _number(get("poll_timeout"), default_timeout)
        if interval <= 0 or timeout <= 0:
            raise pytest.UsageError("runbook: --poll-interval and --poll-timeout must be > 0")
        evidence = get("evidence")
        parallel = int(str(get("parallel")))
        rehearsal = get("rehearsal_servers")
        if parallel < 1:
            raise pytest.UsageError(f"runbook: --parallel must be >= 1 (got {parallel})")
        if rehearsal is not None and target == "live":
            raise pytest.UsageError(
                "runbook: --rehearsal-servers seeds the bundled emulator, so it cannot be used "
                "with --target live: leave one of them out (a live fleet is --servers FILE or "
                "--server-id repeated)"
            )
        if rehearsal is not None and not 1 <= int(str(rehearsal)) <= MAX_REHEARSAL_SERVERS:
            raise pytest.UsageError(
                f"runbook: --rehearsal-servers must be 1–{MAX_REHEARSAL_SERVERS} (got {rehearsal})"
            )
        return cls(
            target=target,
            dry_run=bool(get("dry_run")),
            yes=bool(get("yes")),
            confirm_manual=bool(get("confirm_manual")),
            stop_method=str(get("stop_method")),
            from_step=from_step,
            to_step=to_step,
            state_file=Path(str(get("state_file"))),
            evidence=Path(str(evidence)) if evidence else None,
            no_evidence=bool(get("no_evidence")),
            poll_interval=interval,
            poll_timeout=timeout,
            insecure=bool(get("insecure")),
            connect_timeout=_number(get("connect_timeout"), 10.0),
            read_timeout=_number(get("read_timeout"), 30.0),
            http_retries=int(str(get("http_retries"))),
            region=str(get("region")) if get("region") else None,
            parallel=parallel,
            rehearsal_servers=int(str(rehearsal)) if rehearsal is not None else None,
            progress=str(get("progress")),
        )


def _number(value: object, default: float) -> float:
    return default if value is None else float(str(value))
