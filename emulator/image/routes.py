"""Routes of the image service (Glance v2 subset) under ``/image``: versions, images show/list/delete.

Checks in Glance's order: token (keystonemiddleware, 401 in Keystone's format) → query
parameters (400) → lookup (404) → policy (403).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulator import access
from emulator.current import current_state
from emulator.image import render, views
from emulator.image.backend import ImageBackend
from emulator.image.errors import BadRequest, Forbidden, ImageFault, ImageNotFound
from emulator.urls import service_base

bp = Blueprint("image", __name__)
_UNAUTHENTICATED = frozenset({"image.versions_root", "image.versions"})
# glance/api/v2/images.py _get_filters: the filters the emulator honours.
_FILTERS = ("name", "status", "visibility", "owner", "container_format", "disk_format")


@bp.errorhandler(ImageFault)
def _render_image_fault(exc: ImageFault) -> Response:
    return render.render_fault(exc)


@bp.before_request
def _authenticate() -> None:
    if request.endpoint not in _UNAUTHENTICATED:
        access.authenticate()


@bp.get("/", endpoint="versions_root", strict_slashes=False)
def versions_root() -> tuple[Response, int]:
    """``GET /``: Glance answers 300 Multiple Choices with the versions."""
    return jsonify(views.versions(service_base("image"))), 300


@bp.get("/versions", endpoint="versions")
def versions() -> Response:
    return jsonify(views.versions(service_base("image")))


@bp.get("/v2/images")
def list_images() -> Response:
    """``GET /v2/images``: the token's project's images, newest first, paged by limit/marker."""
    limit = _limit()
    filters = {name: request.args[name] for name in _FILTERS if name in request.args}
    records, more = _backend().list_images(
        access.token().project_id or "",
        limit=limit,
        marker=request.args.get("marker"),
        filters=filters,
    )
    return jsonify(views.image_list(records, records[-1].id if more and records else None))


@bp.get("/v2/images/<image_id>")
def show_image(image_id: str) -> Response:
    """``GET /v2/images/{id}`` (FJcloud-O's "Get an image" [A21])."""
    return jsonify(views.image(_backend().get_image(access.token().project_id or "", image_id)))


@bp.delete("/v2/images/<image_id>")
def delete_image(image_id: str) -> Response:
    """``DELETE /v2/images/{id}``: 204, no body."""
    info = access.token()
    backend = _backend()
    if backend.find(info.project_id or "", image_id) is None:  # 404 before 403, as Glance
        raise ImageNotFound.delete(image_id)
    if not access.may_write(info):
        raise Forbidden("You are not authorized to complete delete_image action.")
    backend.delete_image(info.project_id or "", image_id)
    return Response(status=204)


def _backend() -> ImageBackend:
    return current_state().image


def _limit() -> int | None:
    """glance/api/v2/images.py ``_validate_limit``."""
    text = request.args.get("limit")
    if text is None:
        return None
    try:
        limit = int(text)
    except ValueError:
        raise BadRequest("limit param must be an integer") from None
    if limit < 0:
        raise BadRequest("limit param must be positive")
    return limit
