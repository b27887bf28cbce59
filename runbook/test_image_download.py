"""イメージファイルの取得と事後作業 — page 5 of the export [P5]: download the files, then the post-work.

The page's 手順 is empty in the copies that could be obtained (export-chain.md §5.8): the file
names are Fujitsu's [P5], the commands are Swift's object API. The post-work: the hand-over of the
files (manual, recorded), deleting the image once the files are safe (only when asked,
``--delete-image``) and starting the server again ([P1]'s tip). The runbook never deletes anything
in object storage: the ``.vmdk``'s segments in ``<container>_segments`` must stay [P5].
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from runbook.attempts import attempts, facts
from runbook.chain import Chain
from runbook.chaincurl import delete_image_command, download_command, listing_command, start_command
from runbook.download import Downloaded, check_free_space, download, remaining_bytes
from runbook.errors import ApiError, NotConfirmed, RunbookError
from runbook.handover import HANDED_OVER, earlier_hand_over, hand_over_subject
from runbook.images import DELETE_ACTION
from runbook.objectstorage import ObjectInfo, ObjectStorageApi
from runbook.pages import step
from runbook.progress import Estimate, bar, duration, size
from runbook.service import fault_text
from runbook.transfer import find_files

pytestmark = pytest.mark.runbook_page(5)


@pytest.mark.runbook_step(1)
def test_page5_step1_get_token(chain: Chain) -> None:
    """1. トークンの取得

    Get a token (the run's own, when an earlier page got one).
    """
    chain.reconstructed(step(5, 1))
    chain.token_step()


@pytest.mark.runbook_step(2)
def test_page5_step2_set_variables(chain: Chain) -> None:
    """2. 変数の設定 — OBJECTSTORAGE, TOKEN, PROJECT_ID, CONTAINER

    Set the variables; the export must have succeeded.
    """
    chain.reconstructed(step(5, 2))
    run, v = chain.run, chain.variables
    chain.base_variables()
    chain.endpoints("OBJECTSTORAGE", "IMPORT_EXPORT", "IMAGE")
    chain.show("OBJECTSTORAGE", "TOKEN", "PROJECT_ID", "CONTAINER", "IMAGE_NAME", "EXPORT_ID")
    run.note(f"download to   = {chain.download_dir()}")
    if run.options.dry_run:
        run.done("dry run: variables shown")
        return
    if v.export_id:
        status = chain.importexport().export_status(v.export_id)
        if status.status != "succeeded":
            raise RunbookError(
                f"the export {v.export_id} is {status.status}, not succeeded: there is nothing to download yet",
                hint="follow it with エクスポート状況の確認 (--page 4) and come back when it succeeded",
            )
        v.put(
            "IMAGE_NAME",
            status.image_name or v.image_name,
            v.origins.get("IMAGE_NAME") or "the export's status",
        )
    if not v.image_name:
        raise RunbookError(
            "IMAGE_NAME: not known — the exported files are named after the image [P5]",
            hint="give it with --image-name (and --container), or run the earlier pages in this procedure",
        )
    chain.save()
    run.done(f"files of image {v.image_name} in container {v.container}")


@pytest.mark.runbook_step(3)
def test_page5_step3_list_image_files(chain: Chain) -> None:
    """3. イメージファイルの確認 — "イメージ名"+".qcow2" (KVM) / ".vmdk", ".ovf", ".mf" (VMware)

    List the container: GET …/{CONTAINER}?format=json, then HEAD each file (size, ETag).
    """
    chain.reconstructed(step(5, 3))
    run, v = chain.run, chain.variables
    run.curl(listing_command(chain.account_version, run.http_settings().verify))
    if run.options.dry_run:
        run.done("dry run: not read")
        return
    files = find_files(chain.objectstorage(), str(v.container), str(v.image_name))
    for text in files.lines():
        run.note(text)
    run.journal.append(
        "image_files",
        container=v.container,
        format=files.kind,
        files=[f.__dict__ for f in files.files],
    )
    run.done(f"{files.kind}: {len(files.files)} files, {size(files.total)}")


@pytest.mark.runbook_step(4)
def test_page5_step4_download_image_files(chain: Chain) -> None:
    """4. イメージファイルの取得 — オブジェクトストレージからイメージファイルを取得

    Download each file (resumable with Range), check its size and ETag, after checking free space.
    """
    chain.reconstructed(step(5, 4))
    run, v = chain.run, chain.variables
    for ext in (".qcow2", ".vmdk", ".ovf", ".mf") if run.options.dry_run else ():
        run.curl(
            download_command(
                chain.account_version,
                f"{v.image_name or '<IMAGE_NAME>'}{ext}",
                run.http_settings().verify,
            )
        )
    if run.options.dry_run:
        run.done("dry run: nothing downloaded")
        return
    api = chain.objectstorage()
    files = find_files(api, str(v.container), str(v.image_name))
    directory = chain.download_dir()
    for info in files.files:
        run.curl(download_command(chain.account_version, info.name, run.http_settings().verify))
    needed = sum(remaining_bytes(directory, info) for info in files.files)
    free = check_free_space(directory, needed, chain.options.keep_free_bytes)
    run.note(f"{size(needed)} to download into {directory.resolve()}, {size(free)} free")
    results = []
    with run.polling():
        for info in files.files:
            results.append(
                _download_one(chain, api, info, files.segments.get(info.name, []), directory)
            )
    for result in results:
        origin = (
            "already there"
            if result.already_there
            else (f"resumed at byte {result.resumed_from}" if result.resumed_from else "downloaded")
        )
        run.note(
            f"{result.path}: {result.size} bytes, {origin}; checked: {result.checked}", bold=True
        )
        run.journal.append(
            "downloaded", path=str(result.path.resolve()), size=result.size, checked=result.checked
        )
    run.done(f"{len(results)} files in {directory.resolve()}, checked (size and ETag)")


def _download_one(
    chain: Chain,
    api: ObjectStorageApi,
    info: ObjectInfo,
    segments: list[ObjectInfo],
    directory: Path,
) -> Downloaded:
    """One file, with a progress line at most every 2 s (and at the end)."""
    run = chain.run
    started = time.monotonic()
    estimate = Estimate(total=float(info.size))
    last = [0.0]

    def on_bytes(done: int) -> None:
        now = time.monotonic()
        estimate.add(now, done)
        if now - last[0] >= 2.0 or done >= info.size:
            last[0] = now
            fraction = done / info.size if info.size else 1.0
            run.note(
                f"{info.name}: {bar(fraction)} {fraction:4.0%}  {size(done)} of {size(info.size)}"
                f"  {duration(now - started)}  {estimate.eta_text()}"
            )

    return download(
        api, str(chain.variables.container), info, directory,
        segments=segments, on_bytes=on_bytes, note=run.note, checkpoint=run.checkpoint,
    )  # fmt: skip


@pytest.mark.runbook_step(5)
def test_page5_step5_hand_over_files(chain: Chain) -> None:
    """5. お客様環境への転送 — イメージファイルの取得が完了したら、お客様仮想環境へ転送します。

    Hand the files over to the target environment — manual; the operator confirms it was done.
    """
    run, v = chain.run, chain.variables
    run.note("manual step: move the downloaded files to the migration target (お客様仮想環境)")
    if run.options.dry_run:
        run.done("dry run: not asked")
        return
    subject = hand_over_subject(run.journal.records, v.image_name, v.image_id, v.container)
    earlier = earlier_hand_over(run.journal.records, subject)
    if earlier is not None:
        # A rerun to confirm 5.6 or 5.7: the journal already holds this confirmation, same files.
        run.done(
            f"confirmed earlier in this procedure by {earlier.get('who', '-')} "
            f"({earlier.get('how', '-')}) at {earlier.get('at', '-')}, for the same files: not asked again"
        )
        return
    if not run.options.live:
        how = "rehearsal: acknowledged automatically"
    elif run.options.confirm_manual:
        how = "--confirm-manual"
    else:
        answer = run.console.confirm(
            "Have the image files been handed over to the target environment?"
        )
        if not answer:
            raise NotConfirmed(
                "the hand-over of the files was not confirmed",
                hint="hand them over, then run --page 5 again (the download is not repeated) or pass --confirm-manual",
            )
        how = "the operator at the prompt"
    run.confirmed(how, "files handed over")
    if subject is not None:
        who = run.session.who if run.session else "-"
        run.journal.append(HANDED_OVER, **subject, who=who, how=how)
    run.done(
        "rehearsal: acknowledged automatically (recorded as such)"
        if not run.options.live
        else f"confirmed {'with' if how.startswith('--') else 'by'} {how}"
    )


@pytest.mark.runbook_step(6)
def test_page5_step6_delete_image(chain: Chain) -> None:
    """6. イメージの削除 — エクスポートしたイメージファイルが保管された後 (only with --delete-image)

    Delete the image once the files are downloaded and checked: DELETE {IMAGE}/v2/images/{IMAGE_ID}.
    """
    chain.reconstructed(step(5, 6))
    run, v = chain.run, chain.variables
    if not chain.options.delete_image:
        pytest.skip("not asked for: --delete-image deletes the image once the files are safe")
    run.curl(delete_image_command(run.http_settings().verify))
    if run.options.dry_run:
        run.done("dry run: not sent")
        return
    if not v.image_id:
        pytest.skip("IMAGE_ID is not known in this procedure: nothing to delete")
    if not facts(run.journal.records, "downloaded"):
        raise RunbookError(
            "refusing to delete the image: this procedure has no checked download of its files",
            hint="run step 4 of this page first; [P7]: do not delete the image before the files are safe",
        )
    if attempts(run.journal.records, DELETE_ACTION, image_id=v.image_id) and not _image_exists(
        chain
    ):
        run.done(f"image {v.image_id} already deleted in this procedure: no request sent")
        return
    how = chain.confirm(
        f"Delete the image {v.image_name} ({v.image_id})? The downloaded files are checked.",
        refuse_hint="the image is kept",
    )
    if how is None:
        # A failure, not a skip: a skip would count as done and close the procedure (state file
        # removed), and the way to delete the image later would start a new, empty procedure.
        raise NotConfirmed(
            "not confirmed: the image is kept",
            hint="run --page 5 --delete-image --yes to delete it (this procedure stays open; "
            "5.5's hand-over of the same files is not asked again)",
        )
    response = chain.images().delete_image(str(v.image_id))
    if response.status_code == 204:
        run.done(f"image {v.image_id} deleted (204), confirmed by {how}")
    elif response.status_code == 404:
        run.done(f"image {v.image_id} was already gone (404)")
    else:
        raise ApiError(
            "DELETE",
            response.url,
            response.status_code,
            response.reason,
            fault_text(response, chain.run.secrets),
        )


def _image_exists(chain: Chain) -> bool:
    response = chain.images().call("GET", chain.images().image_url(str(chain.variables.image_id)))
    return response.status_code == 200


@pytest.mark.runbook_step(7)
def test_page5_step7_start_server(chain: Chain) -> None:
    """7. 仮想サーバの起動 — 本手順で停止した仮想サーバは、イメージ登録後に継続してご利用頂けます。

    Start the server again: POST {"os-start": null} to …/servers/{SERVER_ID}/action (202).
    """
    chain.reconstructed(step(5, 7))
    run = chain.run
    if not chain.options.start_server:
        pytest.skip("--no-start-server: the server stays stopped")
    run.curl(start_command(run.variables.compute_version or "v2", run.http_settings().verify))
    if run.options.dry_run:
        run.done("dry run: not sent")
        return
    compute = run.compute()
    server = compute.show_server()
    if server.status == "ACTIVE" or server.task_state == "powering-on":
        run.done(
            f"the server is {server.status} (task_state {server.task_state or '-'}): no request sent"
        )
        return
    if server.status != "SHUTOFF":
        raise RunbookError(
            f"the server is {server.state_line()}: not starting it", hint="check it in the portal"
        )
    how = chain.confirm(
        f"Start the server {server.name!r} ({server.id}) again?",
        refuse_hint="the server stays stopped",
    )
    if how is None:
        # As in page 1's step 4, an unconfirmed action fails: the procedure stays open, so the
        # hint's rerun continues it (a skip would close it and the rerun would find nothing).
        raise NotConfirmed(
            "not confirmed: the server stays stopped",
            hint="run --page 5 --yes to start it (this procedure stays open; 5.5's hand-over of the "
            "same files is not asked again), "
            "or --page 5 --no-start-server to leave it stopped and finish",
        )
    response = compute.start_server()
    if response.status_code != 202:
        raise ApiError(
            "POST",
            response.url,
            response.status_code,
            response.reason,
            fault_text(response, chain.run.secrets),
        )
    run.done(f"os-start sent: 202 Accepted, confirmed by {how}")
