"""エクスポートの実行 — page 3 of the export [P2]: the container, then the export request.

Fujitsu's page has steps 1–3 (the token, the variables, the region-3 container command); the
other regions' container command and the whole export request are cut off (export-chain.md
§5.4) and are built from the API reference [A9] and the import page's pattern [P12]. Before the
request, what would make it fail is checked [P2 注][P4]: a file named like the image in the
container, or an export of the same image to the same container.
"""

from __future__ import annotations

import pytest

from runbook.attempts import attempts
from runbook.chain import Chain
from runbook.chaincurl import (
    container_command,
    export_command,
    export_list_command,
    listing_command,
)
from runbook.client import RETRYABLE_STATUSES
from runbook.errors import ApiError, RunbookError, UncertainRequest
from runbook.importexport import EXPORT_ACTION, ImportExportApi, export_id_of, storage_container
from runbook.objectstorage import ContainerNotFound, ObjectStorageApi
from runbook.pages import step
from runbook.service import fault_text

pytestmark = pytest.mark.runbook_page(3)


class ExportRefused(RunbookError):
    """The export would be refused (or was): the image, the container or an earlier export."""


@pytest.mark.runbook_step(1)
def test_page3_step1_get_token(chain: Chain) -> None:
    """1. トークンの取得 — 認証トークンのスコープにドメインは指定できません。

    Get a token (the run's own, when an earlier page got one).
    """
    chain.token_step()


@pytest.mark.runbook_step(2)
def test_page3_step2_set_variables(chain: Chain) -> None:
    """2. 変数の設定 — OBJECTSTORAGE, IMPORT_EXPORT, TOKEN, PROJECT_ID, CONTAINER

    Set the variables; the image to export must exist, be active and have no sync_status_reason.
    """
    run, v = chain.run, chain.variables
    chain.base_variables()
    chain.endpoints("OBJECTSTORAGE", "IMPORT_EXPORT", "IMAGE")
    chain.show("OBJECTSTORAGE", "IMPORT_EXPORT", "TOKEN", "PROJECT_ID", "CONTAINER", "IMAGE_ID")
    if not run.variables.token or run.options.dry_run:
        run.done("dry run: variables shown; the image was not read")
        return
    if not v.image_id:
        raise RunbookError(
            "IMAGE_ID: not known — this procedure has made no image yet",
            hint="run イメージの作成 first (--page 2), or give the image with --image-id",
        )
    image = chain.images().show_image(v.image_id)
    run.note(f"image         = {image.line()}", bold=True)
    if not image.usable:  # [A20]: before the image is used
        reason = (
            f"sync_status_reason {image.sync_status_reason!r}"
            if image.sync_status_reason
            else f"status {image.status}"
        )
        raise ExportRefused(
            f"the image {image.name} ({image.id}) cannot be exported yet: {reason}. Nothing was sent.",
            hint="wait for it with イメージの作成 step 4 (--page 2); an image with a "
            "sync_status_reason must be deleted and made again",
        )
    v.put("IMAGE_NAME", image.name, v.origins.get("IMAGE_NAME") or "the image")
    chain.save()
    run.done(f"image {image.name} is active; export to container {v.container}")


@pytest.mark.runbook_step(3)
def test_page3_step3_create_container(chain: Chain) -> None:
    """3. コンテナの作成 — PUT (201 created, 202 already there)

    Create the container: PUT {OBJECTSTORAGE}/{v1|v2}/AUTH_{PROJECT_ID}/{CONTAINER}.
    """
    run, v = chain.run, chain.variables
    if chain.account_version == "v1":
        chain.reconstructed(step(3, 3))
    run.curl(container_command(chain.account_version, run.http_settings().verify))
    if run.options.dry_run:
        run.done("dry run: not sent")
        return
    api = chain.objectstorage()
    response = api.put_container(str(v.container))
    if response.status_code == 201:
        run.done(f"container {v.container} created (201)")
    elif response.status_code == 202:
        run.done(f"container {v.container} was already there (202): nothing changed")
    elif response.status_code in (400, 409, 412):
        raise ApiError(
            "PUT", api.container_url(str(v.container)), response.status_code, response.reason,
            fault_text(response, chain.run.secrets),
            hint=f"the object store refused the container name {v.container!r}: choose another "
            "with --container (region 3's S3-compatible store wants names unique across accounts [A23])",
        )  # fmt: skip
    else:
        raise ApiError(
            "PUT",
            api.container_url(str(v.container)),
            response.status_code,
            response.reason,
            fault_text(response, chain.run.secrets),
        )


@pytest.mark.runbook_step(4)
def test_page3_step4_request_export(chain: Chain) -> None:
    """4. エクスポートの実行 — POST /v1/imageexport; export_id が発行されます

    Request the export: POST {IMPORT_EXPORT}/v1/imageexport {"image_id", "storage_container"}.
    """
    chain.reconstructed(step(3, 4))
    run, v = chain.run, chain.variables
    verify = run.http_settings().verify
    run.curl(listing_command(chain.account_version, verify))
    run.curl(export_list_command(verify))
    run.curl(export_command(chain.account_version, verify))
    if run.options.dry_run:
        run.done("dry run: not sent")
        return
    target = storage_container(
        chain.account_version, str(run.variables.project_id), str(v.container)
    )
    exports = chain.importexport()
    if v.export_id:
        status = exports.export_status(v.export_id)
        run.done(
            f"export {v.export_id} already requested ({v.origins.get('EXPORT_ID')}): {status.status}; no request sent"
        )
        return
    earlier = attempts(
        run.journal.records, EXPORT_ACTION, image_id=v.image_id, storage_container=target
    )
    same = _exports_of(exports, str(v.image_id), target)
    if same and earlier:  # the journalled request arrived; its answer was lost
        _keep(chain, same[0], "the export the journalled request made")
        run.done(f"the earlier request arrived: export {same[0]}; no request sent")
        return
    if same:
        raise ExportRefused(
            f"an export of image {v.image_id} to {target} exists already ({', '.join(same)}): "
            "one image cannot be exported twice to the same container [P4]. Nothing was sent.",
            hint=f"follow it with --export-id {same[0]} (pages 4–5), or export to another --container",
        )
    for attempt in earlier:
        run.note(f"{attempt.describe()} left no export of this image: it did not take effect")
    _refuse_existing_files(chain, chain.objectstorage(), str(v.container), str(v.image_name))
    try:
        response = exports.request_export(str(v.image_id), target)
    except UncertainRequest as exc:
        _after_uncertain(chain, exports, target, exc.cause)
        return
    if response.status_code in RETRYABLE_STATUSES:
        _after_uncertain(chain, exports, target, f"{response.status_code} {response.reason}")
        return
    export_id = export_id_of(response) if response.ok else None
    if export_id is None:
        raise ApiError(
            "POST", exports.exports_url, response.status_code, response.reason, fault_text(response, chain.run.secrets),
            hint="the export was not accepted: the message above says why (error codes 40001–40005 [A9]); "
            "fix it and run this page again",
        )  # fmt: skip
    _keep(chain, export_id, f"the export request's answer ({response.status_code})")
    run.done(f"export requested ({response.status_code}): EXPORT_ID {export_id}")


def _keep(chain: Chain, export_id: str, origin: str) -> None:
    """The export id goes into the journal at once: everything after depends on it."""
    v = chain.variables
    v.put("EXPORT_ID", export_id, origin)
    chain.run.journal.append(
        "export_requested", export_id=export_id, image_id=v.image_id, container=v.container
    )
    chain.save()
    chain.run.note(f"EXPORT_ID     = {export_id}   (journalled)", bold=True)


def _exports_of(api: ImportExportApi, image_id: str, target: str) -> list[str]:
    """The project's exports of ``image_id`` into ``target`` (not failed or canceled)."""
    found = []
    for entry in api.list_exports():
        if entry.image_id not in (None, image_id) or entry.status in ("failed", "canceled"):
            continue
        status = api.export_status(entry.export_id)  # the list has no storage_container [A10]
        if status.image_id == image_id and (status.storage_container or "").rstrip("/") == target:
            found.append(entry.export_id)
    return found


def _refuse_existing_files(
    chain: Chain, api: ObjectStorageApi, container: str, image_name: str
) -> None:
    """[P2 注]: a file named like the image (split files included) refuses the export."""
    clashes = []
    for where in (container, container + "_segments"):
        try:
            objects = api.list_container(where, prefix=image_name)
        except ContainerNotFound:
            continue
        clashes += [
            f"{where}/{o.name}"
            for o in objects
            if o.name == image_name
            or o.name.startswith(image_name + ".")
            or o.name.startswith(image_name + "/")
        ]
    if clashes:
        raise ExportRefused(
            f"the object storage already holds files named like the image: {', '.join(clashes[:5])}"
            + (f" and {len(clashes) - 5} more" if len(clashes) > 5 else "")
            + "; the export would be refused [P2]. Nothing was sent.",
            hint="export to another container (--container), or — once you are sure those files "
            "are not needed — remove them yourself (the runbook never deletes objects)",
        )
    chain.run.note(f"no file named like {image_name} in {container} or {container}_segments")


def _after_uncertain(chain: Chain, api: ImportExportApi, target: str, cause: str) -> None:
    run, v = chain.run, chain.variables
    run.note(f"no clear answer to the export request ({cause}): looking for the export")
    same = _exports_of(api, str(v.image_id), target)
    if same:
        _keep(chain, same[0], "found after an unanswered request")
        run.done(f"the export request arrived despite the lost answer: {same[0]}; no request sent")
        return
    raise UncertainRequest(
        "POST",
        api.exports_url,
        f"{cause}; no export of the image is listed yet. Not sent again: run this page again — it "
        "looks for the export first and sends only when none appeared",
    )
