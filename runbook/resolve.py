"""Step 3's resolution: each variable from the strongest source that has it, then checked.

Order: options > the document's variables in the environment > ``OS_*`` > clouds.yaml (all in
``runbook.sources``) > the state file of an earlier ``--to-step`` > the token (its catalog and
project). A missing value is an error naming the variable and where it can come from.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from runbook.compute import ComputeApi
from runbook.errors import RunbookError, VariableError
from runbook.identity import TokenGrant, validate_token
from runbook.roles import FORBIDDEN_HINT, stop_permission
from runbook.sources import WHERE_FROM, Sources
from runbook.variables import (
    REGION_COMPUTE_VERSIONS,
    Variables,
    check_project_id,
    check_server_id,
    clean_token,
    compute_from_catalog,
    split_compute,
    verify_region,
    version_for_region,
    zone_in_region,
)


def resolve_variables(
    variables: Variables,
    sources: Sources,
    *,
    grant: TokenGrant | None,
    lookup_token: Any,
    region_option: str | None,
    require_token: bool,
) -> list[str]:
    """Fill ``variables`` in place; return notes worth showing (where things came from, mismatches).

    ``lookup_token(auth_url, token)`` reads a given or restored TOKEN's catalog and roles
    (``GET /v3/auth/tokens``): the catalog gives COMPUTE when it is not given and verifies it
    against the region when it is (``verify_region``).
    """
    notes: list[str] = []
    origins = variables.origins
    if sources.get("TOKEN") and not (grant and variables.token == grant.token):
        variables.token = clean_token(str(sources.get("TOKEN")), sources.origin("TOKEN"))
        origins["TOKEN"] = sources.origin("TOKEN")
    elif grant is not None:
        origins["TOKEN"] = "step 2"  # noqa: S105 - a source name, not a token
    if not variables.token and require_token:
        raise VariableError(
            "TOKEN",
            "missing: step 2 did not run in this invocation and no earlier run left one",
            sources="--token, TOKEN or OS_TOKEN, or run from step 2 (it gets one with the password)",
        )

    region = region_option or sources.get("region") or variables.region
    interface = sources.get("interface") or "public"
    if grant is None and variables.token and variables.auth_url:
        # The catalog verifies the region (and gives COMPUTE when it is not given); the roles
        # say whether the user may stop servers. A given or restored TOKEN is read for both.
        grant = lookup_token(variables.auth_url, variables.token)
        notes.append("read the token's catalog and roles (GET /v3/auth/tokens)")
    catalog_url: str | None = None
    if not sources.get("COMPUTE") and not variables.compute and grant is not None:
        catalog_url, region = compute_from_catalog(grant.catalog, region, interface)

    if sources.get("COMPUTE"):
        base, version, _ = split_compute(str(sources.get("COMPUTE")), sources.origin("COMPUTE"))
        variables.compute, origins["COMPUTE"] = base, sources.origin("COMPUTE")
        variables.compute_version = version or version_for_region(region)
        origins["version"] = "COMPUTE" if version else f"region {region or '(none: v2)'}"
    elif catalog_url is not None:
        base, version, catalog_project = split_compute(catalog_url, "the token's catalog")
        variables.compute, origins["COMPUTE"] = base, f"the token's catalog ({region})"
        variables.compute_version = version or version_for_region(region)
        origins["version"] = "the catalog" if version else f"region {region}"
        if version and version != version_for_region(region) and region in REGION_COMPUTE_VERSIONS:
            notes.append(f"the catalog says {version} for {region}; using the catalog's")
        if catalog_project and grant and grant.project_id and catalog_project != grant.project_id:
            notes.append(
                f"the catalog's compute URL names project {catalog_project}, the token {grant.project_id}"
            )
    elif variables.compute:
        origins.setdefault("COMPUTE", "the state file")
    elif require_token:
        raise VariableError(
            "COMPUTE",
            "missing, and there is no token catalog to read it from",
            sources=WHERE_FROM["COMPUTE"],
        )
    if grant is not None:
        variables.roles = list(grant.roles)
        if variables.compute:
            region, variables.region_check = verify_region(
                variables.compute, origins["COMPUTE"], grant.catalog, region, interface
            )
            if origins.get("version", "").startswith("region"):  # the region is known now
                variables.compute_version = version_for_region(region)
                origins["version"] = f"region {region}"
    elif variables.token:
        raise VariableError(
            "OS_AUTH_URL",
            "needed to read the token's catalog, which verifies COMPUTE against the region",
            sources=WHERE_FROM["auth_url"],
        )
    else:
        variables.region_check = None
        notes.append(
            "region not verified: there is no token, so no catalog to check COMPUTE against"
        )
    variables.region = region or variables.region
    if not variables.compute_version:
        variables.compute_version = version_for_region(variables.region)
        origins["version"] = f"region {variables.region or '(none: v2)'}"

    project = sources.get("PROJECT_ID")
    if project:
        variables.project_id, origins["PROJECT_ID"] = (
            check_project_id(project, sources.origin("PROJECT_ID")),
            sources.origin("PROJECT_ID"),
        )
    elif grant is not None and grant.project_id:
        variables.project_id, origins["PROJECT_ID"] = grant.project_id, "the token's project"
    elif variables.project_id:
        origins.setdefault("PROJECT_ID", "the state file")
    elif require_token:
        raise VariableError("PROJECT_ID", "missing", sources=WHERE_FROM["PROJECT_ID"])
    if (
        grant is not None
        and grant.project_id
        and variables.project_id
        and grant.project_id != variables.project_id
    ):
        raise VariableError(
            "PROJECT_ID",
            f"{variables.project_id} (from {origins['PROJECT_ID']}) is not the token's project {grant.project_id}; Nova would refuse the URL",
            sources=WHERE_FROM["PROJECT_ID"] + " — make it match OS_PROJECT_ID / the token's scope",
        )

    server = sources.get("SERVER_ID")
    if server:
        variables.server_id, origins["SERVER_ID"] = (
            check_server_id(server, sources.origin("SERVER_ID")),
            sources.origin("SERVER_ID"),
        )
    elif variables.server_id:
        origins.setdefault("SERVER_ID", "the state file")
    elif sources.get("server_name"):
        origins["SERVER_ID"] = f"--server-name {sources.get('server_name')!r}, resolved below"
    elif sources.get("servers"):
        origins["SERVER_ID"] = f"one per server of the list ({sources.origin('servers')})"
    else:
        raise VariableError(
            "SERVER_ID", "missing: which server to stop", sources=WHERE_FROM["SERVER_ID"]
        )
    return notes


def server_from_name_option(
    variables: Variables, sources: Sources, compute: Callable[[], ComputeApi]
) -> str | None:
    """``--server-name NAME`` and no SERVER_ID: set SERVER_ID to the one server named exactly NAME
    (GET {COMPUTE}/{v2|v2.1}/{PROJECT_ID}/servers); the line saying so, or None (nothing to do)."""
    name = sources.get("server_name")
    if variables.server_id or not name or not variables.token:
        return None
    variables.server_id = resolve_server_name(compute(), str(name))
    return f"--server-name {name!r}: the one server with that name is {variables.server_id}"


def resolve_server_name(compute: ComputeApi, name: str) -> str:
    """The id of the one server of the project named exactly ``name``; refused for none or several.

    Nova's ``name`` filter is a regular expression (a substring match), so every server of the
    project is listed and compared exactly, here.
    """
    servers = compute.list_servers()
    candidates = [server for server in servers if server["name"] == name]
    if len(candidates) == 1:
        return str(candidates[0]["id"])
    project = compute.variables.project_id
    if not candidates:
        similar = similar_names(name, [(str(s["name"]), str(s["id"])) for s in servers])
        raise VariableError(
            "--server-name",
            f"no server named {name!r} in project {project} (names are compared exactly)"
            + (f"; similar names: {similar}" if similar else ""),
            sources="--server-name with the exact name, or --server-id (`openstack server list` "
            "shows names and ids)",
        )
    listed = ", ".join(f"{server['id']}" for server in candidates)
    raise VariableError(
        "--server-name",
        f"{len(candidates)} servers are named {name!r} in project {project}: {listed}; nothing "
        "was stopped",
        sources="--server-id with the id of the one to stop (`openstack server show <id>` tells "
        "them apart)",
    )


def similar_names(name: str, servers: list[tuple[str, str]], most: int = 5) -> str:
    """``web-1 (id), …``: the servers (name, id) whose names are close to ``name`` — another
    case, a typo — for a refusal of a name no server has."""
    folded: dict[str, list[tuple[str, str]]] = {}
    for server_name, server_id in servers:
        folded.setdefault(server_name.casefold(), []).append((server_name, server_id))
    close = difflib.get_close_matches(name.casefold(), list(folded), n=most, cutoff=0.75)
    return ", ".join(f"{n} ({server_id})" for key in close for n, server_id in folded[key])


def check_zone(variables: Variables, zone: str | None) -> str:
    """The server's availability zone must be a zone of the verified region; the note to print."""
    region = variables.region or "-"
    if zone is None:
        return (
            f"region {region}: the server's body shows no availability zone, so it was not checked"
        )
    if not zone_in_region(zone, region):
        raise VariableError(
            "region",
            f"the server is in availability zone {zone}, which is not a zone of region {region} "
            f"({variables.origins.get('COMPUTE', '-')}); nothing was stopped",
            sources="--region, OS_REGION_NAME or clouds.yaml region_name naming the server's "
            "region (and that region's COMPUTE, or none: the catalog has it)",
        )
    return f"zone       = {zone}   (a zone of region {region})"


def check_stop_permission(variables: Variables, *, stops: bool) -> str | None:
    """Refuse (step 3) a user whose roles may not stop servers when this run would stop one."""
    if not variables.roles:
        return None
    permission = stop_permission(variables.roles)
    if stops and permission.may_stop is False:
        raise NotPermitted(
            f"the token's user may not stop servers: its roles on the project are "
            f"{', '.join(permission.roles)}; nothing was stopped",
            hint=FORBIDDEN_HINT,
        )
    return permission.summary()


class NotPermitted(RunbookError):
    """The token's roles do not allow what the run would do (known from step 2's token)."""


def token_lookup(client: Any) -> Any:
    """A ``lookup_token`` for ``resolve_variables`` that uses ``client``."""

    def lookup(auth_url: str, token: str) -> TokenGrant:
        return validate_token(client, auth_url, token)

    return lookup
