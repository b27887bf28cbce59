"""One invocation of the runbook: its typed state (``RunState``) beside the procedure's journal.

What must outlive the process — steps, confirmations, requests, the pinned identity — is in the
journal (``runbook.journal``), written before each next action. What only this invocation needs
(the sources it read, the variables and token in use, the step running) is ``RunState``. The
procedure (which journal, pinning, resuming) is opened by ``runbook.session``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from runbook.client import ApiClient, Exchange, HttpSettings
from runbook.compute import ComputeApi, ServerView
from runbook.console import Console
from runbook.curl import as_transcript
from runbook.evidence import RunRecord, StepRecord
from runbook.fleet import Fleet
from runbook.identity import PasswordAuth, TokenGrant, password_auth, request_token
from runbook.journal import Journal
from runbook.options import RunbookOptions
from runbook.procedure import StopAttempt, completed_step, stop_attempts
from runbook.resolve import resolve_variables, server_from_name_option, token_lookup
from runbook.secrets import SecretRegistry
from runbook.session import Session, close_session, open_session, pin_procedure, verify_pin
from runbook.sources import Sources
from runbook.steps import PROCEDURE_TITLE, PROCEDURE_URL, STEPS
from runbook.variables import Variables


@dataclass
class RunState:
    """What this invocation has read and resolved, and where it is (the rest is in the journal)."""

    sources: Sources = field(default_factory=Sources)
    variables: Variables = field(default_factory=Variables)
    auth: PasswordAuth | None = None
    grant: TokenGrant | None = None
    current_step: int | None = None
    failed_step: int | None = None
    first_step: int = 1
    variables_resolved: bool = False  # step 3 (or ensure_variables) ran in this invocation
    quiet_exchanges: bool = False  # step 5's polling prints progress lines instead


class Runbook:
    """Everything the five steps share. Created per pytest session when runbook steps are collected."""

    def __init__(self, config: pytest.Config, options: RunbookOptions) -> None:
        self.config = config
        self.options = options
        self.secrets = SecretRegistry()
        self.console = Console(config)
        self.state = RunState(first_step=options.from_step)
        self.record = RunRecord(
            target=options.target,
            started_at=datetime.now(timezone.utc),
            settings={},
            steps={n: StepRecord(n, s.title_ja, s.title_en) for n, s in STEPS.items()},
        )
        self.session: Session | None = None
        self.fleet: Fleet | None = None  # several servers in one procedure (runbook.fleet)
        self.evidence_paths: list[Path] = []
        self.state_note: str | None = None
        self._client: ApiClient | None = None

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Read the sources (or start the emulator), open the procedure's journal, check the pin."""
        if self.session is not None:
            return
        self.session = open_session(self)
        self.record.settings = self.settings_summary()
        self._announce()

    def verify_pin(self) -> None:
        """Refuse (before anything is sent) what differs from the procedure's pinned identity."""
        verify_pin(self)

    def begin_step(self, number: int) -> None:
        """Journal the start of step ``number``."""
        self.state.current_step = number
        if self.session is not None:
            self.journal.append("step_start", step=number)

    def end_step(self, number: int) -> None:
        """Journal how step ``number`` ended (its record in ``self.record``)."""
        record = self.record.steps[number]
        if self.session is not None:
            self.journal.append(
                "step_end",
                step=number,
                outcome=record.outcome,
                summary=record.summary,
                reason=record.reason,
                duration_seconds=round(record.duration_seconds, 3),
                dry_run=self.options.dry_run,
            )

    def close(self) -> None:
        """Stop the emulator and close the connections."""
        if self._client is not None:
            self._client.close()
        if self.session is not None and self.session.emulator is not None:
            self.session.emulator.stop()
            self.session.emulator = None

    def finish(self, exit_status: int) -> None:
        """Journal the end of the invocation, render the evidence, settle the state file."""
        if self.session is not None:
            self.evidence_paths, self.state_note = close_session(self, exit_status)

    @property
    def started(self) -> bool:
        """True once ``start`` was called (the steps ran, or tried to)."""
        return self.session is not None

    @property
    def journal(self) -> Journal:
        """The procedure's journal (``start`` opens it)."""
        if self.session is None:
            raise RuntimeError("the runbook was not started")
        return self.session.journal

    # -- the state, read-only for the steps -----------------------------------------------
    @property
    def sources(self) -> Sources:
        """Where each setting came from (options > document variables > OS_* > clouds.yaml)."""
        return self.state.sources

    @property
    def variables(self) -> Variables:
        """COMPUTE, PROJECT_ID, SERVER_ID, the token in use …"""
        return self.state.variables

    @property
    def grant(self) -> TokenGrant | None:
        """Step 2's token and its catalog (None when the token was given or restored)."""
        return self.state.grant

    @property
    def auth(self) -> PasswordAuth | None:
        """The password credentials step 2 used (kept to re-authenticate once on 401)."""
        return self.state.auth

    @auth.setter
    def auth(self, value: PasswordAuth) -> None:
        self.state.auth = value

    @property
    def variables_resolved(self) -> bool:
        """Step 3 (or ``ensure_variables``) resolved the variables in this invocation."""
        return self.state.variables_resolved

    @variables_resolved.setter
    def variables_resolved(self, value: bool) -> None:
        self.state.variables_resolved = value

    @property
    def completed_step(self) -> int:
        """The highest step done in the whole procedure (from the journal)."""
        return completed_step(self.journal.records) if self.session else 0

    def stop_attempts(self) -> list[StopAttempt]:
        """The journal's os-stop intents for the server in use, with what is known of each."""
        return stop_attempts(self.journal.records, self.variables.server_id or "")

    @property
    def stop_accepted(self) -> bool:
        """A stop of this server was accepted in this procedure (this or an earlier invocation)."""
        return any(attempt.accepted for attempt in self.stop_attempts())

    # -- what the steps use -----------------------------------------------------------------
    @property
    def client(self) -> ApiClient:
        """The run's HTTP client (created on first use); it journals every change it sends."""
        if self._client is None:
            self._client = ApiClient(
                self.http_settings(),
                self.secrets,
                self._on_exchange,
                journal=self.journal,
                checkpoint=self.checkpoint,
            )
        return self._client

    def checkpoint(self, point: str) -> None:
        """A named instant of the run (``runbook.crashpoints``: the crash tests kill us there)."""
        if self.session is not None:
            self.session.crash_points.reached(point)

    def http_settings(self) -> HttpSettings:
        """Timeouts, retries and TLS from the options and the sources."""
        verify: bool | str = True
        if self.options.insecure or self.sources.get("insecure"):
            verify = False
        elif self.sources.get("cacert"):
            verify = str(self.sources.get("cacert"))
        return HttpSettings(
            connect_timeout=self.options.connect_timeout,
            read_timeout=self.options.read_timeout,
            retries=self.options.http_retries,
            verify=verify,
        )

    def compute(self) -> ComputeApi:
        """The compute calls, re-authenticating once on 401 when a password is available."""
        can_reauthenticate = self.auth is not None or bool(self.sources.get("password"))
        return ComputeApi(
            self.client, self.variables, self.reauthenticate if can_reauthenticate else None
        )

    def note(self, text: str, **markup: bool) -> None:
        """Journal one line of what the current step did and print it now."""
        self._journal_note(text)
        self.console.line(f"      {text}", **markup)

    def progress(self, text: str, *, shown: bool = True) -> None:
        """One line of step 5's polling (a named instant for the crash tests: ``wait/polled``);
        ``shown=False`` journals it only (a terminal's live view shows the same)."""
        if shown:
            self.note(text)
        else:
            self._journal_note(text)
        self.checkpoint("wait/polled")

    def _journal_note(self, text: str) -> None:
        step = self.state.current_step
        if step is not None:
            self.record.steps[step].notes.append(text)
            if self.session is not None:
                self.journal.append("note", step=step, text=text)

    def done(self, summary: str) -> None:
        """The one-line 'what was done' of the current step, for the report and the journal."""
        if self.state.current_step is not None:
            self.record.steps[self.state.current_step].summary = summary

    def curl(self, command: str) -> None:
        """Journal a step's curl command; print it in a dry run."""
        if self.state.current_step is not None:
            self.record.steps[self.state.current_step].curl.append(command)
            self.journal.append("curl", step=self.state.current_step, command=command)
        if self.options.dry_run:
            for shown in as_transcript(command):
                self.console.line(f"      {shown}", cyan=True)

    def confirmed(self, how: str, question: str) -> None:
        """Journal a confirmation: who (the local user), how (prompt, --yes, …), of what."""
        who = self.session.who if self.session else "-"
        self.journal.append(
            "confirmation", step=self.state.current_step, who=who, how=how, question=question
        )

    def pin(self, server: ServerView) -> None:
        """Step 3 read the server: pin the procedure's identity (or check it against the pin)."""
        pin_procedure(self, server)

    def ensure_variables(self) -> None:
        """For steps 4–5 when step 3 did not run in this invocation and the journal had none."""
        v = self.variables
        if self.variables_resolved or (v.compute and v.project_id and v.server_id and v.token):
            return
        if not self.options.live and not v.token and not self.options.dry_run:
            # A rehearsal's emulator is new in every invocation: get its token as step 2 would.
            self.state.auth = password_auth(self.sources)
            self.accept_token(request_token(self.client, self.state.auth))
            self.note("rehearsal: token obtained (step 2 did not run in this invocation)")
        resolve_variables(
            v,
            self.sources,
            grant=self.grant,
            lookup_token=token_lookup(self.client),
            region_option=self.options.region,
            require_token=not self.options.dry_run,
        )
        self.resolve_server_name()
        names = ("COMPUTE", "PROJECT_ID", "SERVER_ID", "TOKEN")
        self.note("variables: " + ", ".join(f"{n} from {v.origins.get(n, '-')}" for n in names))
        self.variables_resolved = True

    def resolve_server_name(self) -> None:
        """``--server-name`` (not in a fleet): in page 1's step 3, or in the first step of an
        invocation that starts later (pages 2–5 of one server)."""
        if self.fleet is None:
            said = server_from_name_option(self.variables, self.sources, self.compute)
            if said:
                self.note(said)

    def accept_token(self, grant: TokenGrant) -> None:
        """The one way a token obtained with the password enters the run (steps 2, 401 retry)."""
        self.state.grant = grant
        self.use_token(grant.token, expires_at=grant.expires_at)
        if self.state.auth is not None:
            self.variables.auth_url = self.state.auth.auth_url

    def use_token(self, token: str, *, expires_at: str | None = None, origin: str = "") -> None:
        """The one way any token enters the run: kept secret, in the variables and the state file."""
        self.secrets.add(token)
        self.variables.token = token
        self.variables.token_expires_at = expires_at
        if origin:
            self.variables.origins["TOKEN"] = origin
        if self.session is not None:
            self.session.save_pointer(self.variables)

    @contextlib.contextmanager
    def polling(self) -> Iterator[None]:
        """While polling, print progress lines instead of one line per request."""
        self.state.quiet_exchanges = True
        try:
            yield
        finally:
            self.state.quiet_exchanges = False

    def reauthenticate(self) -> str:
        """Get a new token with the password (the old one expired); the state file keeps it."""
        self.state.auth = self.state.auth or password_auth(self.sources)
        self.note("token refused (401): getting a new one with the password, once")
        grant = request_token(self.client, self.state.auth)
        self.state.grant = self.state.grant or grant
        self.use_token(grant.token, expires_at=grant.expires_at)
        return grant.token

    def settings_summary(self) -> dict[str, Any]:
        """The non-secret settings, for the evidence and the report header."""
        opts = self.options
        emulator = self.session.emulator if self.session else None
        return {
            "target": opts.target,
            "dry_run": opts.dry_run,
            "steps": f"{opts.from_step}–{opts.to_step}",
            "stop_method": opts.stop_method,
            "auth_url": self.sources.get("auth_url"),
            "region": self.sources.get("region") or opts.region,
            "user": self.sources.get("username") or self.sources.get("user_id"),
            "user_domain": self.sources.get("user_domain_name")
            or self.sources.get("user_domain_id"),
            "tls": _tls_label(self.http_settings().verify, self.sources.get("auth_url") or ""),
            "poll": f"every {opts.poll_interval:g} s, up to {opts.poll_timeout:g} s",
            "emulator": emulator.url if emulator is not None else None,
        }

    def _announce(self) -> None:
        settings = self.record.settings
        where = settings["emulator"] or settings["auth_url"]
        where = self.secrets.mask_text(where) if where else "no OS_AUTH_URL"  # read from outside
        mode = " — DRY RUN: nothing that changes anything is sent" if self.options.dry_run else ""
        self.console.line(f"runbook: target {self.options.target} ({where}){mode}", bold=True)
        self.console.line(f"runbook: the procedure: {PROCEDURE_TITLE} — {PROCEDURE_URL}")
        if self.http_settings().verify is False:
            self.console.line(
                "runbook: WARNING: TLS certificates are NOT verified (--insecure): anyone on the "
                "network path can read the password and the token",
                red=True,
                bold=True,
            )
        if self.session is not None:
            for line in self.session.announcements:
                self.console.line(f"runbook: {line}")

    def _on_exchange(self, exchange: Exchange) -> None:
        exchange.step = self.state.current_step
        self.journal.append("exchange", step=exchange.step, exchange=exchange.as_dict())
        if not self.state.quiet_exchanges:
            self.note(exchange.summary())


def _tls_label(verify: bool | str, auth_url: str) -> str:
    if auth_url.startswith("http://"):
        return "none (plain http)"
    if verify is True:
        return "verified"
    if verify is False:
        return "NOT verified (--insecure)"
    return f"verified with CA bundle {verify}"
