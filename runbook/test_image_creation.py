"""イメージの作成 — page 2 of the export: an image of the stopped server's system volume.

Fujitsu's page for the VM export could not be obtained (export-chain.md §5.2): every step here is
built from the system storage's "Create image" API reference [A20], the 増設ストレージ twin page
[P7] and the K5 samples [G1], and says so when it runs. The image's name becomes the exported
file's name [P5][P7]; the API allows 4 requests per hour per project [P7].
"""

from __future__ import annotations

import pytest

from runbook.attempts import Attempt, attempts, facts
from runbook.blockstorage import UPLOAD_ACTION, BlockStorageApi, VolumeView, accepted
from runbook.chain import Chain
from runbook.chaincurl import image_command, upload_command
from runbook.chainvars import default_image_name
from runbook.client import RETRYABLE_STATUSES
from runbook.errors import ApiError, RunbookError, UncertainRequest
from runbook.images import ImageApi, ImageView
from runbook.imaging import (
    UploadLimitReached,
    check_upload_limit,
    now_utc,
    recent_uploads,
    system_volume,
    wait_for_image,
)
from runbook.pages import step
from runbook.service import fault_text

pytestmark = pytest.mark.runbook_page(2)


class ServerNotStopped(RunbookError):
    """The image must be made from a stopped server (移行前の作業 stops it)."""


@pytest.mark.runbook_step(1)
def test_page2_step1_get_token(chain: Chain) -> None:
    """1. トークンの取得

    Get a token (the run's own, when an earlier page got one).
    """
    chain.reconstructed(step(2, 1))
    chain.token_step()


@pytest.mark.runbook_step(2)
def test_page2_step2_set_variables(chain: Chain) -> None:
    """2. 変数の設定 — BLOCKSTORAGE, IMAGE, TOKEN, PROJECT_ID, SERVER_ID, VOLUME_ID

    Set the variables: the endpoints from the token's catalog, the server's system volume.
    """
    chain.reconstructed(step(2, 2))
    run, v = chain.run, chain.variables
    chain.base_variables()
    chain.endpoints("BLOCKSTORAGE", "IMAGE")
    if run.variables.token and not run.options.dry_run:
        server = run.compute().show_server()
        run.pin(server)
        run.note(f"server        = {server.name} ({server.id}), {server.status}", bold=True)
        if server.status != "SHUTOFF":
            raise ServerNotStopped(
                f"the server {server.name} ({server.id}) is {server.status}, not SHUTOFF: an image "
                "of a running server's disk is not consistent. Nothing was sent.",
                hint="run 移行前の作業 first (pytest runbook --page 1), then this page",
            )
        volume = _system_volume(
            chain, chain.blockstorage(), server.id, list(server.volumes_attached)
        )
        v.put("VOLUME_ID", volume.id, v.origins.get("VOLUME_ID") or "the server's system volume")
        if not v.image_name:
            stamp = now_utc().strftime("%Y%m%d")
            v.put(
                "IMAGE_NAME",
                default_image_name(server.name, stamp),
                f"the default (<server>-export-{stamp})",
            )
        chain.save()
    chain.show(
        "BLOCKSTORAGE", "IMAGE", "TOKEN", "PROJECT_ID", "SERVER_ID", "VOLUME_ID", "IMAGE_NAME"
    )
    if not run.variables.token:
        run.done("dry run: variables shown; the server and its volume were not read (no TOKEN yet)")
        return
    run.done(f"system volume {v.volume_id}; the image will be named {v.image_name}")


def _system_volume(
    chain: Chain, api: BlockStorageApi, server_id: str, attached: list[str]
) -> VolumeView:
    given = chain.variables.volume_id
    if given:
        volume = api.show_volume(given)  # an unknown id: 404 with what to do
        if volume.device_on(server_id) is None:
            raise RunbookError(
                f"VOLUME_ID {given} ({chain.variables.origins.get('VOLUME_ID')}) is not attached "
                f"to the server {server_id} (it lists {', '.join(attached) or 'no volumes'})",
                hint="give the server's system volume, or leave VOLUME_ID out to have it found",
            )
        chain.run.note(f"volume        = {volume.line(server_id)}")
        return volume
    volume, why, volumes = system_volume(api, server_id, attached)
    for each in volumes:
        chain.run.note(f"attached      : {each.line(server_id)}")
    chain.run.note(f"system volume = {volume.id} ({why})")
    return volume


@pytest.mark.runbook_step(3)
def test_page2_step3_create_image(chain: Chain) -> None:
    """3. イメージの作成 — os-volume_upload_image (202)

    Make the image: POST {"os-volume_upload_image": …} to …/volumes/{VOLUME_ID}/action; 202 is success.
    """
    chain.reconstructed(step(2, 3))
    run, v = chain.run, chain.variables
    run.curl(upload_command(v.image_name or "<IMAGE_NAME>", run.http_settings().verify))
    if run.options.dry_run:
        run.done("dry run: not sent")
        return
    images = chain.images()
    if v.image_id:  # made earlier in this procedure (or given): never a second upload
        image = images.show_image(v.image_id)
        run.done(
            f"image already made ({v.origins.get('IMAGE_ID')}): {image.line()}; no request sent"
        )
        return
    earlier = attempts(
        run.journal.records, UPLOAD_ACTION, volume_id=v.volume_id, image_name=v.image_name
    )
    found = images.find_images(str(v.image_name))
    if found:
        _adopt(chain, found, earlier)
        return
    for attempt in earlier:
        run.note(f"{attempt.describe()} left no image named {v.image_name}: it did not take effect")
    project = str(run.variables.project_id)
    left = check_upload_limit(
        recent_uploads(chain.ledger.entries(), project, now_utc()),
        now_utc(),
        "this runbook's ledger",
    )
    run.note(f"uploads left this hour for this project: {left} of 4 (as far as this runbook knows)")
    # The ledger first: a crash after it counts the request, whether it was sent or not.
    chain.ledger.add(
        at=now_utc().isoformat(), project_id=project, volume_id=v.volume_id, image_name=v.image_name
    )
    try:
        response = chain.blockstorage().upload_to_image(str(v.volume_id), str(v.image_name))
    except UncertainRequest as exc:
        _after_uncertain(chain, images, exc.cause)
        return
    if response.status_code in RETRYABLE_STATUSES:
        _after_uncertain(chain, images, f"{response.status_code} {response.reason}")
        return
    if response.status_code in (413, 429):
        raise UploadLimitReached(
            f"the cloud refused the upload: {response.status_code} {fault_text(response, chain.run.secrets) or response.reason}",
            hint="FJcloud-O allows 4 per hour per project [P7] (uploads from the portal or other "
            "tools count too): run this page again in an hour; nothing is retried automatically",
        )
    if response.status_code != 202:
        raise ApiError(
            "POST", response.url, response.status_code, response.reason, fault_text(response, chain.run.secrets),
            hint="the volume must be in-use or available (not uploading, not in error): check it "
            "with `openstack volume show <VOLUME_ID>`, then run this page again",
        )  # fmt: skip
    answer = accepted(response)
    v.put("IMAGE_ID", answer.image_id, "the upload's answer (202)")
    run.journal.append(
        "image_requested", image_id=answer.image_id, image_name=v.image_name, volume_id=v.volume_id
    )
    chain.save()
    run.done(
        f"upload accepted (202): image {answer.image_id} ({v.image_name}), volume {answer.volume_status}"
    )


def _adopt(chain: Chain, found: list[ImageView], earlier: list[Attempt]) -> None:
    run, v = chain.run, chain.variables
    if not earlier and not facts(run.journal.records, "image_requested", image_name=v.image_name):
        listed = ", ".join(f"{i.id} ({i.status})" for i in found)
        raise RunbookError(
            f"an image named {v.image_name} already exists ({listed}) and this procedure did not make it",
            hint="choose another name with --image-name, or export that image: --image-id <id> "
            "and run from page 3",
        )
    if len(found) > 1:
        listed = ", ".join(f"{i.id} ({i.status})" for i in found)
        raise RunbookError(
            f"several images are named {v.image_name}: {listed}",
            hint="give the one this procedure made with --image-id",
        )
    image = found[0]
    v.put("IMAGE_ID", image.id, "the image the journalled upload made")
    run.journal.append(
        "image_requested",
        image_id=v.image_id,
        image_name=v.image_name,
        volume_id=v.volume_id,
        found_after="a request without a journalled answer",
    )
    chain.save()
    run.done(f"the earlier upload arrived: image {v.image_id} ({image.status}); no request sent")


def _after_uncertain(chain: Chain, images: ImageApi, cause: str) -> None:
    # Cinder creates the image before it answers: read before deciding anything.
    run, v = chain.run, chain.variables
    run.note(f"no clear answer to the upload ({cause}): looking for the image {v.image_name}")
    found = images.find_images(str(v.image_name))
    if len(found) == 1:
        v.put("IMAGE_ID", found[0].id, "found after an unanswered upload")
        run.journal.append(
            "image_requested",
            image_id=found[0].id,
            image_name=v.image_name,
            volume_id=v.volume_id,
            found_after=cause,
        )
        chain.save()
        run.done(
            f"the upload arrived despite the lost answer: image {found[0].id}; no request sent"
        )
        return
    raise UncertainRequest(
        "POST",
        chain.blockstorage().volume_url(str(v.volume_id)) + "/action",
        f"{cause}; no image named {v.image_name} yet. Not sent again: run this page again — it "
        "looks for the image first and sends only when none appeared",
    )


@pytest.mark.runbook_step(4)
def test_page2_step4_check_image(chain: Chain) -> None:
    """4. イメージの状態確認 — "status"が"active"、sync_status_reasonが存在しない

    Wait for the image: GET {IMAGE}/v2/images/{IMAGE_ID} until "active" with no sync_status_reason.
    """
    chain.reconstructed(step(2, 4))
    run, v = chain.run, chain.variables
    run.curl(image_command(run.http_settings().verify))
    if run.options.dry_run:
        run.done("dry run: not polled")
        return
    if not v.image_id:
        raise RunbookError(
            "IMAGE_ID is not known: step 3 did not make an image", hint="run this page from step 1"
        )
    interval, timeout = chain.options.image_poll
    run.note(f"waiting for active: every {interval:g} s, up to {timeout:g} s")
    with run.polling():
        image, elapsed = wait_for_image(
            chain.images(),
            v.image_id,
            interval=interval,
            timeout=timeout,
            progress=run.note,
            checkpoint=run.checkpoint,
        )
    run.note(f"image         = {image.line()}, checksum {image.checksum or '-'}", bold=True)
    run.journal.append("image_active", image_id=image.id, image_name=image.name, size=image.size)
    run.done(
        f"image {image.name} active after {elapsed:.1f} s, no sync_status_reason: ready to export"
    )
