"""Routes of the import-export service (``/v1/imageexport``) under ``/import-export``.

The blueprint is registered twice: as ``/import-export`` and as ``/vmimport``, because public
code (K5lib) POSTs exports to ``import-export.<region>`` and polls their status on
``vmimport.<region>`` [G2]; the in-process mock answers both hostnames.
Request [A9], list [A10], status [A8] and cancel [A11]; checks: token (401) → role (403
40301) → body fields (400 40001-40005) → refusals of [P4] → accept.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, json, jsonify, request

from emulator import access
from emulator.current import current_state
from emulator.importexport import render, views
from emulator.importexport.backend import ImportExportBackend
from emulator.importexport.errors import ExportError
from emulator.objectstorage.backend import account_version

bp = Blueprint("importexport", __name__)
# [P4]: "/v1/AUTH_<プロジェクトID>/<コンテナ名>" (regions 3: "/v2/AUTH_…").
_CONTAINER_PATH = re.compile(r"/(v1|v2)/AUTH_([^/]+)/([^/]+)")


@bp.errorhandler(ExportError)
def _render_export_error(exc: ExportError) -> Response:
    return render.render_error(exc)


@bp.before_request
def _authenticate() -> None:
    access.authenticate()


@bp.post("/v1/imageexport")
def request_export() -> tuple[Response, int]:
    """``{"image_id", "storage_container"}`` → ``{"export_id"}``.

    The success status is not in the available reference (export-chain.md §5 item 10); the
    emulator answers 201, like the region-3 image import register [A12] (clients should accept
    any 2xx, as K5lib's ``raise_for_status`` does).
    """
    info = access.token()
    if not access.may_write(info):
        raise ExportError.forbidden()
    body = _json_object()
    image_id = body.get("image_id")
    if image_id is None or image_id == "":
        raise ExportError.image_id_missing()
    if not isinstance(image_id, str):
        raise ExportError.image_id_invalid()
    storage_container = body.get("storage_container")
    if storage_container is None or storage_container == "":
        raise ExportError.container_missing()
    if not isinstance(storage_container, str):
        raise ExportError.container_invalid()
    backend = _backend()
    project_id = info.project_id or ""
    image = backend.images.find(project_id, image_id)
    if image is None or not image.usable:
        # Unknown, another project's [P4], not active or with sync_status_reason [A20]: which
        # code FJcloud-O gives the last two is not documented; 40002 names the parameter.
        raise ExportError.image_id_invalid()
    account, container = _parse_container(storage_container, project_id)
    record = backend.request_export(project_id, image_id, storage_container, account, container)
    return jsonify({"export_id": record.id}), 201


@bp.get("/v1/imageexport")
def list_exports() -> Response:
    start = request.args.get("start") or None
    limit = _limit()
    records = _backend().list_exports(access.token().project_id or "", start, limit)
    return jsonify({"exports": [views.list_entry(r) for r in records]})


@bp.get("/v1/imageexport/<export_id>/status")
def export_status(export_id: str) -> Response:
    backend = _backend()
    record = backend.get_export(access.token().project_id or "", export_id)
    return jsonify(views.status_body(record, backend.progress(record)))


@bp.post("/v1/imageexport/<export_id>/cancel")
def cancel_export(export_id: str) -> Response:
    """202, no body: [P6] says "202 Accepted", [A11] says 200; clients should accept both."""
    info = access.token()
    if not access.may_write(info):
        raise ExportError.forbidden()
    _backend().cancel_export(info.project_id or "", export_id)
    return Response(b"", status=202)


def _backend() -> ImportExportBackend:
    return current_state().importexport


def _json_object() -> dict[str, Any]:
    try:
        body = json.loads(request.get_data(cache=True) or b"{}")
    except ValueError:
        body = None
    # A body that is not a JSON object has no image_id (the reference lists no other code).
    return body if isinstance(body, dict) else {}


def _parse_container(path: str, project_id: str) -> tuple[str, str]:
    """``/v1/AUTH_<project>/<container>`` → (account, container), checked as [P4] reads."""
    match = _CONTAINER_PATH.fullmatch(path)
    state = current_state()
    if match is None or match.group(1) != account_version(state.config.region):
        raise ExportError.container_invalid()
    owner, container = match.group(2), match.group(3)
    if owner not in state.importexport.projects:
        raise ExportError.project_unknown()
    # Another project's container, or one that does not exist: 40004 (inference).
    if owner != project_id or not state.objectstorage.has_container(f"AUTH_{owner}", container):
        raise ExportError.container_invalid()
    return f"AUTH_{owner}", container


def _limit() -> int | None:
    text = request.args.get("limit")
    if text is None or text == "":
        return None
    try:
        value = int(text)
    except ValueError:
        raise ExportError.limit_invalid() from None
    if value < 1:
        raise ExportError.limit_invalid()
    return value
