"""What pages 2–5 share: their variables, the token step every page starts with, the API clients.

The run (``runbook.context.Runbook``: options, sources, page 1's variables, the journal, the
terminal) is below this; the pages' tests are above it. The chain's variables are journalled
(``chain_variables`` records) as soon as a step resolves one, so a later invocation — the normal
way to follow an export that takes hours — continues with the same image, container and export.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from runbook.blockstorage import BlockStorageApi
from runbook.chainoptions import ChainOptions
from runbook.chainvars import ChainVariables, resolve_endpoint, resolve_ids
from runbook.context import Runbook
from runbook.curl import export_lines, token_command
from runbook.identity import password_auth, request_token, validate_token
from runbook.images import ImageApi
from runbook.imaging import UploadLedger
from runbook.importexport import ImportExportApi
from runbook.objectstorage import ObjectStorageApi, account_version
from runbook.pages import ChainStep
from runbook.service import Session
from runbook.sources import environment
from runbook.variables import clean_token

JOURNAL_KIND = "chain_variables"


class Chain:
    """Pages 2–5 over one run."""

    def __init__(self, run: Runbook, options: ChainOptions) -> None:
        self.run = run
        self.options = options
        self.variables = ChainVariables()
        self.ledger = UploadLedger.default(run.options.live)
        self._catalog: list[dict[str, Any]] | None = None
        self._ids_resolved = False
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    # -- variables ----------------------------------------------------------------------------
    def restore(self) -> None:
        """This procedure's chain variables from the journal, then options and variables on top."""
        if self._ids_resolved:
            return
        saved = None
        for record in self.run.journal.records:
            if record.get("kind") == JOURNAL_KIND:
                saved = ChainVariables.from_dict(record.get("variables") or {})
        if saved is not None:  # in place: the steps hold on to ``self.variables``
            for name in saved.origins:
                self.variables.put(name, saved.get(name), "this procedure's journal")
        options = vars(self.run.config.option)
        resolve_ids(self.variables, options, environment())
        self._ids_resolved = True

    def save(self) -> None:
        """Journal the chain variables as they are now (no secrets in them)."""
        if not self.run.options.dry_run:
            self.run.journal.append(
                JOURNAL_KIND, step=self.run.state.current_step, variables=self.variables.as_dict()
            )

    def endpoints(self, *names: str) -> None:
        """Resolve the endpoint variables ``names`` (options > variables > the token's catalog)."""
        self.restore()
        options = vars(self.run.config.option)
        catalog = (
            None if self.run.options.dry_run and not self.run.variables.token else self.catalog()
        )
        for name in names:
            if self.run.options.dry_run and catalog is None and not self.variables.get(name):
                found = options.get(f"runbook_{name.lower()}") or environment().get(name)
                if not found:
                    continue  # shown as a placeholder: there is no token, so no catalog
            resolve_endpoint(
                self.variables, name, options, environment(), catalog, self.run.variables.region
            )

    def catalog(self) -> list[dict[str, Any]]:
        """The token's catalog: step 2's answer, or read once with the token (``GET /v3/auth/tokens``)."""
        if self._catalog is None:
            grant = self.run.grant
            if grant is None and self.run.variables.token and self.run.variables.auth_url:
                grant = validate_token(
                    self.run.client, self.run.variables.auth_url, self.run.variables.token
                )
            self._catalog = list(grant.catalog) if grant is not None else []
        return self._catalog

    def show(self, *names: str) -> None:
        """Print the variables ``names`` with their origins, and their ``export`` lines."""
        values: dict[str, str | None] = {}
        for name in names:
            value = self.value(name)
            origin = self.variables.origins.get(name) or self.run.variables.origins.get(name)
            shown = "***" if name == "TOKEN" and value else value or "-"
            where = f"from {origin}" if origin else "not known yet"  # e.g. a dry run's catalog
            self.run.note(f"{name:<13} = {shown}   ({where})")
            if name != "TOKEN":
                values[name] = value
        self.run.curl(
            "\n".join([*export_lines(values), "# TOKEN: from the token step (never printed)"])
        )

    def value(self, name: str) -> str | None:
        """A variable of any page by its document name."""
        v = self.run.variables
        page1 = {
            "COMPUTE": v.compute,
            "TOKEN": v.token,
            "PROJECT_ID": v.project_id,
            "SERVER_ID": v.server_id,
        }
        return page1[name] if name in page1 else self.variables.get(name)

    # -- the steps every page starts with -----------------------------------------------------
    def token_step(self) -> None:
        """トークンの取得: the run's token when there is one, else one as page 1's step 2 gets it."""
        run = self.run
        if run.variables.token:
            origin = run.variables.origins.get("TOKEN", "an earlier step")
            expires = re.sub(r"\.\d+Z$", "Z", run.variables.token_expires_at or "-")
            run.done(f"token in use (from {origin}), expires {expires}: no new token requested")
            return
        given = run.sources.get("TOKEN")
        if given:
            run.use_token(
                clean_token(given, run.sources.origin("TOKEN")), origin=run.sources.origin("TOKEN")
            )
            run.done(f"TOKEN given ({run.sources.origin('TOKEN')}): no token requested")
            return
        auth = password_auth(run.sources)
        run.auth = auth
        run.curl(token_command(auth, run.http_settings().verify))
        if run.options.dry_run:
            run.done("dry run: not sent (it carries the password); the curl command above gets one")
            return
        grant = request_token(run.client, auth)
        run.accept_token(grant)
        run.done(f"project-scoped token for {auth.user_label()}, expires {grant.expires_at}")

    def base_variables(self) -> None:
        """COMPUTE, PROJECT_ID, SERVER_ID and the region, as page 1 resolves them."""
        self.run.ensure_variables()
        self.restore()

    def reconstructed(self, step: ChainStep) -> None:
        """Say (terminal and evidence, one line) that this step's commands are ours, not Fujitsu's."""
        if step.reconstructed:
            self.run.note(step.reconstructed, yellow=True)

    # -- the API clients -------------------------------------------------------------------------
    def session(self) -> Session:
        """The run's client and token; one re-authentication on 401 when a password is known."""
        run = self.run
        can = run.auth is not None or bool(run.sources.get("password"))
        return Session(run.client, lambda: run.variables.token, run.reauthenticate if can else None)

    def blockstorage(self) -> BlockStorageApi:
        """``{BLOCKSTORAGE}/v2/{PROJECT_ID}``."""
        return BlockStorageApi(
            self.session(), str(self.variables.blockstorage), str(self.run.variables.project_id)
        )

    def images(self) -> ImageApi:
        """``{IMAGE}/v2/images``."""
        return ImageApi(self.session(), str(self.variables.image))

    def objectstorage(self) -> ObjectStorageApi:
        """``{OBJECTSTORAGE}/{v1|v2}/AUTH_{PROJECT_ID}``."""
        v = self.run.variables
        return ObjectStorageApi(
            self.session(), str(self.variables.objectstorage), str(v.project_id), v.region
        )

    def importexport(self) -> ImportExportApi:
        """``{IMPORT_EXPORT}/v1/imageexport``."""
        return ImportExportApi(self.session(), str(self.variables.import_export))

    @property
    def account_version(self) -> str:
        """``v2`` in region 3, ``v1`` elsewhere (the object-storage account path)."""
        return account_version(self.run.variables.region)

    def download_dir(self) -> Path:
        """``--download-dir``, else ``./export-files/<CONTAINER>`` (a rehearsal: a temporary folder)."""
        if self.options.download_dir is not None:
            return self.options.download_dir
        if not self.run.options.live:
            if self._scratch is None:
                self._scratch = tempfile.TemporaryDirectory(prefix="fjcloud-rehearsal-")
            return Path(self._scratch.name)
        return Path("export-files") / str(self.variables.container)

    def close(self) -> None:
        """Remove a rehearsal's temporary download folder."""
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def confirm(self, question: str, *, refuse_hint: str) -> str | None:
        """How an action that changes something was confirmed, or None when it was not.

        A rehearsal confirms by itself (recorded as such); a live run asks on the terminal, or
        takes ``--yes``; without a terminal and without ``--yes`` nothing is confirmed.
        """
        run = self.run
        if not run.options.live:
            how = "rehearsal: confirmed automatically"
        elif run.options.yes:
            how = "--yes"
        else:
            answer = run.console.confirm(question)
            if answer is None:
                run.note(
                    f"not confirmed: there is no terminal to ask on and --yes was not given; {refuse_hint}"
                )
                return None
            if not answer:
                run.note(f"not confirmed at the prompt; {refuse_hint}")
                return None
            how = "the operator at the prompt"
        run.confirmed(how, question)
        return how
