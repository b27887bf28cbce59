"""Preflight: everything that can be checked offline, before the first question and before any
password is sent.

Run once per invocation, before the first selected step (``runbook.plugin``), from the settings
as read (``runbook.sources``) and what an earlier invocation left (``restored``). Each refusal names
the setting, what is wrong and what to do. What needs the cloud (the region against the token's
catalog, the token's roles, a ``--server-name``) is checked in steps 2–3, still before step 4.
The pinned identity of a procedure is compared at the same point (``runbook.session``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from runbook.errors import RunbookError, VariableError
from runbook.identity import check_domain_scope
from runbook.options import RunbookOptions
from runbook.sources import WHERE_FROM, Sources
from runbook.variables import (
    REGION_COMPUTE_VERSIONS,
    Variables,
    check_project_id,
    check_server_id,
    check_url,
    clean_token,
    split_compute,
)

AUTH_URL_EXAMPLE = "https://identity.jp-east-1.cloud.global.fujitsu.com/v3"
FIND_SERVER_ID = (
    "find the server's id with `openstack server list` (the ID column; `--name NAME` narrows it "
    "down) and give it as SERVER_ID or --server-id; or pass --server-name NAME and step 3 uses "
    "the id of the one server with exactly that name"
)


class PreflightRefused(RunbookError):
    """A setting is wrong or missing; nothing was asked or sent."""


@dataclass(frozen=True)
class PreflightInput:
    """What preflight judges: the options, the settings as read, what an earlier run left."""

    options: RunbookOptions
    sources: Sources
    restored: Variables  # from an earlier invocation (state file / journal); empty when none
    first_step: int  # the first step that will run in this invocation


Check = Callable[[PreflightInput], None]


def preflight(given: PreflightInput, extra: Sequence[Check] = ()) -> None:
    """Every offline check, in the order an operator would fix them; the first failure refuses."""
    for check in (*CHECKS, *extra):
        try:
            check(given)
        except PreflightRefused:
            raise
        except RunbookError as exc:  # the check's own error, marked as preflight's
            raise PreflightRefused(f"preflight: {exc.message}", hint=exc.hint) from exc


def _sends_password(given: PreflightInput) -> bool:
    return given.first_step <= 2 and not given.sources.get("TOKEN")


def check_auth_url(given: PreflightInput) -> None:
    """The identity endpoint: needed for the password (step 2) and for the token's catalog."""
    sources = given.sources
    value = sources.get("auth_url") or given.restored.auth_url
    if not value:
        raise VariableError(
            "OS_AUTH_URL",
            f"missing: the identity endpoint, e.g. {AUTH_URL_EXAMPLE} (checked before anything "
            "is asked or sent)",
            sources=WHERE_FROM["auth_url"],
        )
    check_url("OS_AUTH_URL", value, sources.origin("auth_url") if sources.get("auth_url") else "-")


def check_domain(given: PreflightInput) -> None:
    """The token's scope may not be a domain (the document, step 2)."""
    if _sends_password(given):
        check_domain_scope(given.sources)


def check_ids(given: PreflightInput) -> None:
    """PROJECT_ID and COMPUTE well formed; TOKEN one opaque word."""
    sources = given.sources
    if sources.get("PROJECT_ID"):
        check_project_id(str(sources.get("PROJECT_ID")), sources.origin("PROJECT_ID"))
    if sources.get("COMPUTE"):
        split_compute(str(sources.get("COMPUTE")), sources.origin("COMPUTE"))
    if sources.get("TOKEN"):
        clean_token(str(sources.get("TOKEN")), sources.origin("TOKEN"))


def check_server(given: PreflightInput) -> None:
    """SERVER_ID a UUID (a name only through --server-name), or restored from an earlier run."""
    sources = given.sources
    server_id, name = sources.get("SERVER_ID"), sources.get("server_name")
    if sources.get("servers"):  # a fleet (runbook.fleet): its list was checked when read
        if server_id or name:
            which = f"SERVER_ID ({sources.origin('SERVER_ID')})" if server_id else "--server-name"
            raise PreflightRefused(
                f"preflight: {which} and a list of servers ({sources.origin('servers')}) are both "
                "given: which servers are meant? Nothing was asked or sent",
                hint="put every server in the list (or --server-id once per server), and unset "
                "the other",
            )
        return
    if server_id and name:
        raise PreflightRefused(
            f"preflight: both SERVER_ID ({sources.origin('SERVER_ID')}) and --server-name {name!r} are "
            "given: which server is meant? Nothing was asked or sent",
            hint="give one of them",
        )
    if server_id:
        try:
            check_server_id(server_id, sources.origin("SERVER_ID"))
        except VariableError as exc:
            raise PreflightRefused(
                f"preflight: SERVER_ID: {exc.problem}", hint=FIND_SERVER_ID
            ) from exc
    elif name and given.first_step > 3 and not given.restored.server_id:
        raise PreflightRefused(
            f"preflight: --server-name {name!r} is resolved in step 3, which does not run (--from-step "
            f"{given.first_step}); nothing was asked or sent",
            hint="run from step 3, or give the server's id with --server-id",
        )
    elif not name and not given.restored.server_id:
        raise PreflightRefused(
            "preflight: SERVER_ID: missing: which server to stop", hint=FIND_SERVER_ID
        )


def check_region(given: PreflightInput) -> None:
    """A region FJcloud-O has (shared/reference/fjcloud-o.md)."""
    sources = given.sources
    region = given.options.region or sources.get("region")
    if region and region not in REGION_COMPUTE_VERSIONS:
        origin = "--region" if given.options.region else sources.origin("region")
        raise VariableError(
            "region",
            f"{region!r} (from {origin}) is not an FJcloud-O region (known: "
            f"{', '.join(REGION_COMPUTE_VERSIONS)})",
            sources=WHERE_FROM["region"],
        )


def check_token_for_later_steps(given: PreflightInput) -> None:
    """From step 3 on, the token comes from TOKEN or from an earlier invocation of the procedure."""
    options = given.options
    if not options.live or given.first_step <= 2 or options.dry_run:
        return  # a rehearsal gets a token itself; a dry run needs none
    if given.sources.get("TOKEN") or given.restored.token:
        return
    left = f"no earlier invocation of this procedure left a token (state file {options.state_file})"
    raise PreflightRefused(
        f"preflight: --from-step {given.first_step}: no token — step 2 does not run in this invocation, "
        f"{left}, and no TOKEN is given; nothing was asked or sent",
        hint="run from step 1 (or --from-step 2: it gets a token with the password), or give a "
        "token in TOKEN (`openstack token issue -f value -c id`)",
    )


CHECKS: tuple[Check, ...] = (
    check_auth_url,
    check_domain,
    check_region,
    check_ids,
    check_server,
    check_token_for_later_steps,
)
