"""エクスポート状況の確認 — page 4 of the export: follow the export until it ends (or cancel it).

Fujitsu's status page could not be obtained (export-chain.md §5.5): it is built from the status
API reference [A8] and the import twin page [P13]. エクスポートの中止 [P6] is complete and
runs only when asked for (``--cancel-export``), after a confirmation; the cancel cannot be
undone [P6]. An export takes hours: the normal use is to come back later — the export id is in
the journal, so ``pytest runbook --target live --page 4-5`` continues the same procedure.
"""

from __future__ import annotations

import pytest

from runbook.attempts import attempts
from runbook.chain import Chain
from runbook.chaincurl import cancel_command, status_command
from runbook.client import RETRYABLE_STATUSES
from runbook.errors import ApiError, NotConfirmed, RunbookError, UncertainRequest, VariableError
from runbook.exportwait import wait_for_export
from runbook.importexport import ALREADY_CANCELLING, ALREADY_FINISHED, CANCEL_ACTION
from runbook.pages import CANCEL_PAGE_URL, step
from runbook.service import error_code, fault_text

pytestmark = pytest.mark.runbook_page(4)


class ExportEnded(RunbookError):
    """The export ended without the files: failed, or canceled."""


@pytest.mark.runbook_step(1)
def test_page4_step1_get_token(chain: Chain) -> None:
    """1. トークンの取得

    Get a token (the run's own, when an earlier page got one).
    """
    chain.reconstructed(step(4, 1))
    chain.token_step()


@pytest.mark.runbook_step(2)
def test_page4_step2_set_variables(chain: Chain) -> None:
    """2. 変数の設定 — IMPORT_EXPORT, TOKEN, EXPORT_ID

    Set the variables: the export id from this procedure's journal (or --export-id).
    """
    chain.reconstructed(step(4, 2))
    run, v = chain.run, chain.variables
    chain.base_variables()
    chain.endpoints("IMPORT_EXPORT")
    chain.show("IMPORT_EXPORT", "TOKEN", "EXPORT_ID")
    if run.options.dry_run:
        run.done("dry run: variables shown")
        return
    if not v.export_id:
        raise VariableError(
            "EXPORT_ID",
            "not known — this procedure has requested no export",
            sources="--export-id or EXPORT_ID, or run エクスポートの実行 first (--page 3)",
        )
    run.done(f"EXPORT_ID {v.export_id} ({v.origins.get('EXPORT_ID')})")


@pytest.mark.runbook_step(3)
def test_page4_step3_cancel_export(chain: Chain) -> None:
    """3. エクスポートの中止 — "202 Accepted"の場合、成功です (only with --cancel-export)

    Cancel the export: POST {IMPORT_EXPORT}/v1/imageexport/{EXPORT_ID}/cancel (200 or 202).
    """
    run, v = chain.run, chain.variables
    if not chain.options.cancel_export:
        pytest.skip("not asked for: --cancel-export cancels the export (エクスポートの中止)")
    run.note(f"エクスポートの中止: {CANCEL_PAGE_URL}")
    run.curl(cancel_command(run.http_settings().verify))
    if run.options.dry_run:
        run.done("dry run: not sent")
        return
    api = chain.importexport()
    status = api.export_status(str(v.export_id))
    if status.status in ("cancelling", "canceled"):
        run.done(f"already {status.status}: no request sent")
        return
    if status.finished:
        raise ExportEnded(
            f"the export {v.export_id} is {status.status}: it can be canceled only while not finished [P6]",
            hint="nothing to cancel; run page 4 without --cancel-export",
        )
    if attempts(run.journal.records, CANCEL_ACTION, export_id=v.export_id):
        run.note(
            "a cancel of this export is journalled already; the export is still " + status.status
        )
    question = (
        f"Cancel the export {v.export_id} of {status.image_name or v.image_name} ({status.status}, "
        f"{status.progress or 0}%)? This cannot be undone [P6]."
    )
    how = chain.confirm(question, refuse_hint="nothing was sent")
    if how is None:
        raise NotConfirmed(
            f"the cancel of {v.export_id} was not confirmed; nothing was sent",
            hint="run it on a terminal to be asked, or add --yes",
        )
    try:
        response = api.cancel_export(str(v.export_id))
    except UncertainRequest as exc:
        raise UncertainRequest(
            exc.method,
            exc.url,
            exc.cause + "; step 4 reads the status: cancelling/canceled means it arrived",
        ) from exc
    code = error_code(response)
    if response.status_code in (200, 202):  # [A11] says 200, [P6] says 202: both are success
        run.done(f"cancel accepted ({response.status_code}), confirmed by {how}")
    elif response.status_code == 400 and code == ALREADY_CANCELLING:
        run.done("already being canceled (400 40010): nothing more to do")
    elif response.status_code == 404 and code == ALREADY_FINISHED:
        raise ExportEnded(
            f"the export finished before the cancel (404 40402): {fault_text(response, chain.run.secrets)}",
            hint="step 4 shows how it ended",
        )
    elif response.status_code in RETRYABLE_STATUSES:
        raise UncertainRequest(
            "POST",
            response.url,
            f"{response.status_code}; step 4 reads the status to see whether it arrived",
        )
    else:
        raise ApiError(
            "POST",
            response.url,
            response.status_code,
            response.reason,
            fault_text(response, chain.run.secrets),
        )


@pytest.mark.runbook_step(4)
def test_page4_step4_check_export_status(chain: Chain) -> None:
    """4. エクスポート状況の確認 — "export_status"が"succeeded"または"failed"になるまで

    Follow the export: GET {IMPORT_EXPORT}/v1/imageexport/{EXPORT_ID}/status until it ends.
    """
    chain.reconstructed(step(4, 4))
    run, v = chain.run, chain.variables
    run.curl(status_command(run.http_settings().verify))
    if run.options.dry_run:
        run.done("dry run: not polled")
        return
    interval, timeout = chain.options.export_poll
    run.note(f"watching the export: every {interval:g} s, up to {timeout:g} s (it may take hours)")
    with run.polling():
        status, elapsed = wait_for_export(
            chain.importexport(),
            str(v.export_id),
            interval=interval,
            timeout=timeout,
            progress=run.note,
            checkpoint=run.checkpoint,
        )
    run.journal.append(
        "export_ended",
        export_id=v.export_id,
        export_status=status.status,
        error_message=status.error_message,
    )
    if status.status == "succeeded":
        run.note(
            f"storage_container {status.storage_container}, image {status.image_name}", bold=True
        )
        run.done(f"export {v.export_id} succeeded (100%) after {elapsed:.1f} s of watching")
        return
    if status.status == "failed":
        raise ExportEnded(
            f"the export {v.export_id} failed: {status.error_message or '(no error_message)'}",
            hint="fix what the message says (the image must exist and be the project's [A8]), "
            "then request a new export (--page 3 with a new procedure or --container)",
        )
    asked = chain.options.cancel_export or attempts(
        run.journal.records, CANCEL_ACTION, export_id=v.export_id
    )
    if asked:
        run.done(f"export {v.export_id} {status.status}, as asked (エクスポートの中止)")
        return
    raise ExportEnded(
        f"the export {v.export_id} is {status.status}: someone canceled it",
        hint="request a new export with エクスポートの実行 (--page 3) if it is still needed",
    )
