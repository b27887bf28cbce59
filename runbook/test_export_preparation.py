"""移行前の作業 — the export pre-work of export-preparation.ja.txt, one test per numbered step.

Hold this file next to the document: each test is a step, in the document's order, its docstring
the document's words and one English line, its code the API call. ``pytest runbook`` runs them
against the bundled emulator (rehearsal); ``pytest runbook --target live`` against production.
"""

from __future__ import annotations

import re

import pytest

from runbook.console import wrap
from runbook.context import Runbook
from runbook.curl import export_lines, show_command, stop_command, token_command
from runbook.errors import NotConfirmed
from runbook.fleet_steps import check_fleet, confirm_manual_step, fleet_item
from runbook.identity import password_auth, request_token
from runbook.resolve import (
    check_stop_permission,
    check_zone,
    resolve_variables,
    token_lookup,
)
from runbook.roles import stop_permission
from runbook.steps import MANUAL_STEP_LINES
from runbook.stopping import (
    confirm_stop,
    earlier_stop,
    stop_server,
    wait_for_shutoff,
)
from runbook.variables import clean_token


@pytest.mark.runbook_step(1)
def test_step1_initialise_some_settings(runbook: Runbook) -> None:
    """1. 一部の設定の初期化

    Initialise some settings inside the guest — manual; the operator confirms it was done.
    """
    for paragraph in MANUAL_STEP_LINES:  # the sourced facts, each with its page
        for line in wrap(paragraph, 92, indent="  " if paragraph.startswith("- ") else ""):
            runbook.note(line)
    if runbook.fleet is not None:  # several servers: each one listed and confirmed
        confirm_manual_step(runbook, runbook.fleet)
        return
    if not runbook.options.live:
        runbook.done("rehearsal: acknowledged automatically (recorded as such)")
    elif runbook.options.dry_run:
        runbook.done("dry run: not asked")
    elif runbook.options.confirm_manual:
        runbook.confirmed("--confirm-manual", "step 1 done inside the guest")
        runbook.done("confirmed with --confirm-manual")
    else:
        answer = runbook.console.confirm(
            "Have the guest's settings been initialised (一部の設定の初期化)?"
        )
        if answer is None:
            raise NotConfirmed(
                "step 1 is manual and there is no terminal to confirm it on; nothing was sent",
                hint="do it inside the guest, then pass --confirm-manual",
            )
        if not answer:
            raise NotConfirmed(
                "step 1 not confirmed; nothing was sent",
                hint="do it inside the guest first, then run again",
            )
        runbook.confirmed("answered yes at the prompt", "step 1 done inside the guest")
        runbook.done("confirmed by the operator at the prompt")


@pytest.mark.runbook_step(2)
def test_step2_get_token(runbook: Runbook) -> None:
    """2. トークンの取得 — 利用者管理サービスのAPIを実行してトークンを取得します。認証トークンのスコープにドメインは指定できません。

    Get a project-scoped token from the identity service (Keystone v3, password method).
    """
    given = runbook.sources.get("TOKEN")
    if given:
        origin = runbook.sources.origin("TOKEN")
        runbook.use_token(clean_token(given, origin), origin=origin)
        runbook.done(f"TOKEN given ({runbook.sources.origin('TOKEN')}): no token requested")
        pytest.skip(f"TOKEN given ({runbook.sources.origin('TOKEN')}): no token requested")
    auth = password_auth(runbook.sources)  # refuses a domain scope before anything is sent
    runbook.auth = auth
    runbook.curl(token_command(auth, runbook.http_settings().verify))
    if runbook.options.dry_run:
        runbook.done("dry run: not sent (it carries the password); the curl command above gets one")
        return
    grant = request_token(runbook.client, auth)  # POST {OS_AUTH_URL}/auth/tokens → 201 Created
    runbook.accept_token(grant)
    runbook.note(f"project {grant.project_name} ({grant.project_id}), expires {grant.expires_at}")
    runbook.note(stop_permission(grant.roles).summary())  # step 3 refuses a user who may not
    expires = re.sub(r"\.\d+Z$", "Z", grant.expires_at or "-")  # without the microseconds
    runbook.done(f"project-scoped token for {auth.user_label()}, expires {expires}")


@pytest.mark.runbook_step(3)
def test_step3_set_variables(runbook: Runbook) -> None:
    """3. 変数の設定 — COMPUTE, TOKEN, PROJECT_ID, SERVER_ID

    Set the four variables, check them, and read the server so you see which one will stop.
    """
    v = runbook.variables
    notes = resolve_variables(
        v,
        runbook.sources,
        grant=runbook.grant,
        lookup_token=token_lookup(runbook.client),
        region_option=runbook.options.region,
        require_token=not runbook.options.dry_run,
    )
    runbook.variables_resolved = True
    for note in notes:
        runbook.note(note)
    opts = runbook.options
    stops = opts.to_step >= 4 and opts.stop_method == "api" and not opts.dry_run
    permission = check_stop_permission(v, stops=stops)  # a read-only user fails here, not at 4
    if permission and runbook.grant is None:  # step 2 printed it when it got the token
        runbook.note(permission)
    runbook.resolve_server_name()  # --server-name: GET …/servers, the one server named so
    shown = [("COMPUTE", v.compute), ("PROJECT_ID", v.project_id)]
    for name, value in shown if runbook.fleet else [*shown, ("SERVER_ID", v.server_id)]:
        origin = v.origins.get(name, "the token's catalog, once there is a token")
        runbook.note(f"{name:<10} = {value or '-'}   (from {origin})")
    runbook.note(
        f"{'TOKEN':<10} = {'***' if v.token else '-'}   (from {v.origins.get('TOKEN', 'step 2, once it runs')})"
    )
    runbook.note(f"API path   = /{v.compute_version}   (from {v.origins.get('version', '-')})")
    if v.region_check:  # COMPUTE against the token's catalog, before anything is stopped
        runbook.note(f"region     = {v.region}   (verified: {v.region_check})")
    runbook.curl(
        "\n".join(
            [
                *export_lines(
                    {"COMPUTE": v.compute, "PROJECT_ID": v.project_id}
                    | ({} if runbook.fleet else {"SERVER_ID": v.server_id})
                ),
                "# TOKEN: from step 2 (never printed)",
            ]
        )
    )
    if runbook.fleet is not None:  # every server read and shown in one table, then pinned
        check_fleet(runbook, runbook.fleet)
        return
    if not v.token:
        runbook.done("dry run: variables shown; the server was not read (no TOKEN yet)")
        return
    # GET {COMPUTE}/{v2|v2.1}/{PROJECT_ID}/servers/{SERVER_ID} → 200
    server = runbook.compute().show_server()
    v.server_name = server.name
    runbook.note(
        f"server     = {server.name} ({server.id}), {server.status}, region {v.region or '-'} ({server.availability_zone or '-'})",
        bold=True,
    )
    runbook.note(check_zone(v, server.availability_zone))  # refused when not in the region
    runbook.pin(server)  # the procedure's identity: compared by every later invocation
    runbook.done(f"variables checked; server {server.name} is {server.status}")


@pytest.mark.runbook_step(4)
def test_step4_stop_server(runbook: Runbook, fleet_server: str | None) -> None:
    """4. 仮想サーバの停止 — 仮想サーバの停止APIを実行します。レスポンスステータスが"202 Accepted"の場合、成功です。

    Stop the server: POST {"os-stop": null} to …/servers/{SERVER_ID}/action; 202 Accepted is success.
    """
    if fleet_server is not None:  # a fleet: one confirmation, then each server as below
        fleet_item(runbook, 4, fleet_server)
        return
    runbook.ensure_variables()  # when resuming with --from-step 4
    v = runbook.variables
    runbook.curl(stop_command(v.compute_version or "v2", runbook.http_settings().verify))
    if runbook.options.dry_run:
        runbook.done("dry run: not sent")
        return
    compute = runbook.compute()
    server = compute.show_server()  # the state now, not as it was at step 3
    v.server_name = server.name
    check_zone(v, server.availability_zone)  # also when resuming: the region the prompt names
    runbook.pin(server)
    earlier = earlier_stop(runbook.stop_attempts(), server, runbook.journal, runbook.note)
    if earlier is not None:
        runbook.done(earlier)
        return
    if server.status == "SHUTOFF":
        runbook.done("already stopped (SHUTOFF): no request sent")
        return
    if runbook.options.stop_method == "guest":
        runbook.note(
            "--stop-method guest: shut the guest down from inside it now; step 5 waits", bold=True
        )
        runbook.done("nothing sent (--stop-method guest): the operator shuts the guest down")
        return
    if runbook.options.live and not runbook.options.yes:
        question = confirm_stop(runbook.console, server, v.region)
        runbook.confirmed("answered yes at the prompt", question)
        runbook.note("confirmed at the prompt")
    else:
        how = "--yes" if runbook.options.live else "rehearsal (the emulator's server)"
        runbook.confirmed(how, f"stop {server.name!r} ({server.id})")
    # POST {COMPUTE}/{v2|v2.1}/{PROJECT_ID}/servers/{SERVER_ID}/action {"os-stop": null} → 202
    outcome = stop_server(compute, runbook.note, runbook.journal)
    runbook.done(outcome.summary)


@pytest.mark.runbook_step(5)
def test_step5_check_server_status(runbook: Runbook, fleet_server: str | None) -> None:
    """5. 仮想サーバの状態確認 — レスポンスボディの"status"が"SHUTOFF"になっている場合、仮想サーバは停止しています。

    Check the server's status: GET …/servers/{SERVER_ID} until "status" is "SHUTOFF".
    """
    if fleet_server is not None:  # a fleet: every server at one polling cadence
        fleet_item(runbook, 5, fleet_server)
        return
    opts = runbook.options
    runbook.curl(
        show_command(runbook.variables.compute_version or "v2", runbook.http_settings().verify)
    )
    if opts.dry_run:
        runbook.done("dry run: not polled")
        return
    runbook.note(
        f"waiting for SHUTOFF: every {opts.poll_interval:g} s, up to {opts.poll_timeout:g} s"
    )
    with runbook.polling():
        # GET {COMPUTE}/{v2|v2.1}/{PROJECT_ID}/servers/{SERVER_ID} until "status": "SHUTOFF"
        server, elapsed = wait_for_shutoff(
            runbook.compute(),
            interval=opts.poll_interval,
            timeout=opts.poll_timeout,
            progress=runbook.progress,
            stop_accepted=runbook.stop_accepted,
        )
    runbook.note(
        f"status {server.status}, vm_state {server.vm_state}, power_state {server.power_label()}, updated {server.updated}",
        bold=True,
    )
    runbook.done(
        f"SHUTOFF after {elapsed:.1f} s, vm_state {server.vm_state}, power_state {server.power_state}"
    )
