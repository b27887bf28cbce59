"""One run of the runbook: options, sources, variables, the HTTP client, the record and the terminal."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from runbook.client import ApiClient, Exchange, HttpSettings
from runbook.compute import ComputeApi
from runbook.console import Console
from runbook.evidence import RunRecord, StepRecord, default_directory, write_evidence
from runbook.identity import PasswordAuth, TokenGrant, password_auth, request_token
from runbook.options import RunbookOptions
from runbook.resolve import resolve_variables, token_lookup
from runbook.secrets import SecretRegistry
from runbook.sources import Sources, environment, resolve_sources
from runbook.statefile import load_state, remove_state, save_state
from runbook.steps import PROCEDURE_TITLE, PROCEDURE_URL, STEPS
from runbook.variables import Variables


class Runbook:
    """Everything the five steps share. Created per pytest session when runbook steps are collected."""

    def __init__(self, config: pytest.Config, options: RunbookOptions) -> None:
        self.config = config
        self.options = options
        self.secrets = SecretRegistry()
        self.console = Console(config)
        self.record = RunRecord(
            target=options.target,
            started_at=datetime.now(timezone.utc),
            settings={},
            steps={n: StepRecord(n, s.title_ja, s.title_en) for n, s in STEPS.items()},
        )
        self.sources = Sources()
        self.variables = Variables()
        self.auth: PasswordAuth | None = None
        self.grant: TokenGrant | None = None
        self.emulator: Any = None
        self.current_step: int | None = None
        self.failed_step: int | None = None
        self.completed_step = 0
        self.first_step = options.from_step  # the plugin sets it from the selected steps
        self.variables_resolved = False  # step 3 (or ensure_variables) ran in this invocation
        self.stop_accepted = False  # step 4 saw the stop accepted in this invocation
        self.quiet_exchanges = False
        self.evidence_paths: list[Path] = []
        self.state_note: str | None = None
        self.resume_note: str | None = None
        self._client: ApiClient | None = None
        self._started = False

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Start the emulator (rehearsal) or read the sources (live); load the state when resuming."""
        if self._started:
            return
        self._started = True
        if self.options.live:
            self.sources = resolve_sources(vars(self.config.option), environment())
        else:
            # Imported here: only a rehearsal needs the emulator package.
            from runbook.rehearsal import start_emulator

            self.emulator, credentials, server_id = start_emulator(self.options.region)
            self.sources = resolve_sources(vars(self.config.option), credentials)
            self.sources.set("SERVER_ID", server_id, "the emulator's seed")
            if self.options.dry_run:  # no token, so no catalog: the emulator knows its COMPUTE
                self.sources.set("COMPUTE", self.emulator.compute_url, "the emulator")
        self.variables.auth_url = self.sources.get("auth_url")
        self.record.settings = self.settings_summary()
        if self.options.live and self.first_step >= 3:
            loaded = load_state(self.options.state_file, self.options.target)
            if loaded is not None:
                self.variables, completed = loaded
                self.secrets.add(self.variables.token)
                self.resume_note = (
                    f"resumed from {self.options.state_file} (steps up to {completed} done)"
                )
        self.record.settings = self.settings_summary()
        self._announce()

    def close(self) -> None:
        """Stop the emulator and close the connections."""
        if self._client is not None:
            self._client.close()
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None

    def finish(self, exit_status: int) -> None:
        """Write the evidence and settle the state file (called once, at the end of the session)."""
        self.record.finished_at = datetime.now(timezone.utc)
        v = self.variables
        self.record.settings.update(
            {
                "COMPUTE": v.compute,
                "api_path": f"/{v.compute_version}" if v.compute_version else None,
                "PROJECT_ID": v.project_id,
                "SERVER_ID": v.server_id,
                "server_name": v.server_name,
                "token_expires_at": v.token_expires_at,
            }
        )
        self.record.exit_status = exit_status
        directory = self.options.evidence
        if directory is None and self.options.live and not self.options.no_evidence:
            directory = default_directory(self.record.started_at)
        if directory is not None and not self.options.no_evidence:
            self.evidence_paths = write_evidence(self.record, directory, self.secrets)
        complete = self.record.steps[5].outcome == "passed"
        # The procedure is complete: do not leave a token lying around.
        if (
            self.options.live
            and not self.options.dry_run
            and complete
            and remove_state(self.options.state_file)
        ):
            self.state_note = (
                f"state file {self.options.state_file} removed (the procedure is complete)"
            )

    @property
    def started(self) -> bool:
        """True once ``start`` was called (the steps ran, or tried to)."""
        return self._started

    # -- what the steps use -----------------------------------------------------------------
    @property
    def client(self) -> ApiClient:
        """The run's HTTP client (created on first use)."""
        if self._client is None:
            self._client = ApiClient(self.http_settings(), self.secrets, self._on_exchange)
        return self._client

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
        return ComputeApi(
            self.client, self.variables, self.reauthenticate if self._can_reauthenticate() else None
        )

    def note(self, text: str, **markup: bool) -> None:
        """Record one line of what the current step did and print it now."""
        if self.current_step is not None:
            self.record.steps[self.current_step].notes.append(text)
        self.console.line(f"      {text}", **markup)

    def done(self, summary: str) -> None:
        """The one-line 'what was done' of the current step, for the final report."""
        if self.current_step is not None:
            self.record.steps[self.current_step].summary = summary

    def curl(self, command: str) -> None:
        """Record a step's curl command; print it in a dry run."""
        if self.current_step is not None:
            self.record.steps[self.current_step].curl.append(command)
        if self.options.dry_run:
            for line in command.splitlines():
                shown = line if line.startswith(("export ", "#")) else f"$ {line}"
                self.console.line(f"      {shown}", cyan=True)

    def save_state(self, completed_step: int = 0) -> None:
        """Keep the variables for a later ``--from-step`` (live runs only; the emulator dies with us)."""
        if self.options.live and not self.options.dry_run:
            done = max(self.completed_step, completed_step)
            save_state(self.options.state_file, self.options.target, self.variables, done)

    def ensure_variables(self) -> None:
        """For steps 4–5 when step 3 did not run in this invocation and no state file had them."""
        v = self.variables
        if self.variables_resolved or (v.compute and v.project_id and v.server_id and v.token):
            return
        if not self.options.live and not v.token and not self.options.dry_run:
            # A rehearsal's emulator is new in every invocation: get its token as step 2 would.
            self.auth = password_auth(self.sources)
            self.accept_token(request_token(self.client, self.auth))
            self.note("rehearsal: token obtained (step 2 did not run in this invocation)")
        resolve_variables(
            v,
            self.sources,
            grant=self.grant,
            lookup_token=token_lookup(self.client),
            region_option=self.options.region,
            require_token=not self.options.dry_run,
        )
        names = ("COMPUTE", "PROJECT_ID", "SERVER_ID", "TOKEN")
        self.note("variables: " + ", ".join(f"{n} from {v.origins.get(n, '-')}" for n in names))
        self.variables_resolved = True

    def accept_token(self, grant: TokenGrant) -> None:
        """Keep step 2's token (and its catalog for step 3)."""
        self.grant = grant
        self.variables.token = grant.token
        self.variables.token_expires_at = grant.expires_at
        self.variables.auth_url = self.auth.auth_url if self.auth else self.variables.auth_url

    @contextlib.contextmanager
    def polling(self) -> Iterator[None]:
        """While polling, print progress lines instead of one line per request."""
        self.quiet_exchanges = True
        try:
            yield
        finally:
            self.quiet_exchanges = False

    def reauthenticate(self) -> str:
        """Get a new token with the password (the old one expired); saves it in the state file."""
        auth = self.auth or password_auth(self.sources)
        self.auth = auth
        self.note("token refused (401): getting a new one with the password, once")
        grant = request_token(self.client, auth)
        self.variables.token = grant.token
        self.variables.token_expires_at = grant.expires_at
        self.save_state()
        return grant.token

    def _can_reauthenticate(self) -> bool:
        return self.auth is not None or bool(self.sources.get("password"))

    def settings_summary(self) -> dict[str, Any]:
        """The non-secret settings, for the evidence and the report header."""
        opts = self.options
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
            "emulator": self.emulator.url if self.emulator is not None else None,
        }

    def _announce(self) -> None:
        where = self.record.settings["emulator"] or self.record.settings["auth_url"]
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
        if self.resume_note:
            self.console.line(f"runbook: {self.resume_note}")

    def _on_exchange(self, exchange: Exchange) -> None:
        exchange.step = self.current_step
        self.record.exchanges.append(exchange)
        if not self.quiet_exchanges:
            self.note(exchange.summary())


def _tls_label(verify: bool | str, auth_url: str) -> str:
    if auth_url.startswith("http://"):
        return "none (plain http)"
    if verify is True:
        return "verified"
    if verify is False:
        return "NOT verified (--insecure)"
    return f"verified with CA bundle {verify}"
