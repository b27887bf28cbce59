"""Routes of the block-storage service (Cinder v2 subset) under ``/blockstorage``.

``/v2/{project_id}/volumes`` (list), ``…/volumes/detail``, ``…/volumes/{id}`` (show) and
``…/volumes/{id}/action`` with ``os-volume_upload_image`` (FJcloud-O "Create image" [A20]: 202).
Checks in Cinder's order: token (401, keystonemiddleware) → body (400) → URL project (400) →
volume lookup (404) → policy (403) → volume state (400) → FJcloud-O's hourly limit (413).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json, jsonify, request

from emulator import access
from emulator.blockstorage import render, views
from emulator.blockstorage.backend import DISK_FORMATS, BlockStorageBackend
from emulator.blockstorage.errors import BadRequest, Forbidden, VolumeFault
from emulator.current import current_state
from emulator.identity.backend import TokenInfo
from emulator.urls import service_base

bp = Blueprint("blockstorage", __name__)
_UNAUTHENTICATED = frozenset({"blockstorage.versions", "blockstorage.version"})
PROJECT = "v2/<project_id>"


@bp.errorhandler(VolumeFault)
def _render_volume_fault(exc: VolumeFault) -> Response:
    return render.render_fault(exc)


@bp.before_request
def _authenticate() -> None:
    if request.endpoint not in _UNAUTHENTICATED:
        access.authenticate()


@bp.get("/", endpoint="versions", strict_slashes=False)
def list_versions() -> tuple[Response, int]:
    """``GET /``: 300 Multiple Choices with the API versions (cinder/api/versions.py)."""
    return jsonify({"versions": [views.version_entry(_base())]}), 300


@bp.get("/v2", endpoint="version", strict_slashes=False)
def show_version() -> Response:
    return jsonify({"versions": [views.version_entry(_base())]})


@bp.get(f"/{PROJECT}/volumes")
def list_volumes(project_id: str) -> Response:
    _check_project(project_id)
    records = _backend().list_volumes(project_id)
    return jsonify({"volumes": [views.volume_summary(_base(), r) for r in records]})


@bp.get(f"/{PROJECT}/volumes/detail")
def list_volumes_detail(project_id: str) -> Response:
    _check_project(project_id)
    records = _backend().list_volumes(project_id)
    return jsonify({"volumes": [views.volume_detail(_base(), r) for r in records]})


@bp.get(f"/{PROJECT}/volumes/<volume_id>")
def show_volume(project_id: str, volume_id: str) -> Response:
    _check_project(project_id)
    record = _backend().get_volume(project_id, volume_id)
    return jsonify({"volume": views.volume_detail(_base(), record)})


@bp.post(f"/{PROJECT}/volumes/<volume_id>/action")
def volume_action(project_id: str, volume_id: str) -> tuple[Response, int]:
    """``os-volume_upload_image`` (cinder/api/contrib/volume_actions.py ``_volume_upload_image``)."""
    key, params = _action()
    if key != "os-volume_upload_image":
        raise BadRequest(f"There is no such action: {key}")
    info = _check_project(project_id)
    backend = _backend()
    backend.get_volume(project_id, volume_id)  # 404 before the policy check
    if not access.may_write(info):
        raise Forbidden.policy("volume_extension:volume_actions:upload_image")
    image_name = params.get("image_name")
    if not isinstance(image_name, str) or not image_name:
        raise BadRequest("No image_name was specified in request.")
    force = _bool("force", params.get("force", "False"))
    # null means the default too: openstacksdk sends null for a format it was not given.
    disk_format = params.get("disk_format") or "raw"
    if disk_format not in DISK_FORMATS:
        raise BadRequest(
            f"Invalid disk-format '{disk_format}' is specified. Allowed disk-formats are "
            f"{', '.join(DISK_FORMATS)}."
        )
    container_format = params.get("container_format") or "bare"
    if not isinstance(container_format, str):
        raise BadRequest(f"Invalid container-format '{container_format}' is specified.")
    record, image_id = backend.upload_to_image(
        project_id,
        volume_id,
        image_name=image_name,
        force=force,
        disk_format=disk_format,
        container_format=container_format,
    )
    body = views.upload_answer(record, image_id, image_name, disk_format, container_format)
    return jsonify(body), 202


def _backend() -> BlockStorageBackend:
    return current_state().blockstorage


def _base() -> str:
    return service_base("blockstorage")


def _check_project(project_id: str) -> TokenInfo:
    """cinder/api/openstack/wsgi.py: a URL project other than the token's is "Malformed"."""
    info = access.token()
    if project_id != info.project_id:
        raise BadRequest("Malformed request url")
    return info


def _action() -> tuple[str, dict[str, Any]]:
    """The single action key of the body and its parameters (cinder wsgi ``_process_stack``)."""
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except ValueError:
        raise BadRequest("Malformed request body") from None
    if not isinstance(body, dict) or len(body) != 1:
        raise BadRequest("Malformed request body")
    key, params = next(iter(body.items()))
    if key == "os-volume_upload_image" and not isinstance(params, dict):
        raise BadRequest("Malformed request body")
    return str(key), params if isinstance(params, dict) else {}


def _bool(name: str, value: Any) -> bool:
    """oslo_utils.strutils.bool_from_string(strict=True), as Cinder reads ``force``."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "t", "true", "on", "y", "yes"):
        return True
    if text in ("0", "f", "false", "off", "n", "no"):
        return False
    raise BadRequest(f"Invalid value for '{name}': '{value}'")
