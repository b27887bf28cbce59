"""Control-plane routes for the export chain, under ``/_emulator``: thin, like ``routes.py``.

``GET /_emulator/{volumes,images,exports,objects}``; ``POST /_emulator/volumes/{id}/advance-upload``,
``…/images/{id}/advance``, ``…/images/{id}/fail-sync``, ``…/images/timing``,
``…/exports/{id}/advance``, ``…/exports/{id}/fail``, ``…/exports/{id}/progress``,
``…/exports/timing``, ``…/exports/format``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import BadRequest

from emulator.control import chain
from emulator.control.errors import ControlError, InvalidRequest
from emulator.control.layer import URL_PREFIX
from emulator.control.render import render_control_error
from emulator.current import current_state

bp = Blueprint("control_chain", __name__, url_prefix=URL_PREFIX)
bp.register_error_handler(ControlError, render_control_error)


def _json_body() -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return request.get_json(force=True)
    except (BadRequest, RecursionError):
        raise InvalidRequest("the request body is not valid JSON") from None


@bp.get("/volumes")
def list_volumes() -> Response:
    return jsonify({"volumes": chain.volumes(current_state())})


@bp.get("/images")
def list_images() -> Response:
    return jsonify({"images": chain.images(current_state())})


@bp.get("/exports")
def list_exports() -> Response:
    return jsonify({"exports": chain.exports(current_state())})


@bp.get("/objects")
def list_objects() -> Response:
    return jsonify(chain.objects(current_state()))


@bp.post("/volumes/<volume_id>/advance-upload")
def advance_upload(volume_id: str) -> Response:
    return jsonify({"image": chain.advance_upload(current_state(), volume_id)})


@bp.post("/images/timing")
def set_image_timing() -> Response:
    return jsonify(chain.set_image_timing(current_state(), _json_body()))


@bp.post("/images/<image_id>/advance")
def advance_image(image_id: str) -> Response:
    return jsonify({"image": chain.advance_image(current_state(), image_id)})


@bp.post("/images/<image_id>/fail-sync")
def fail_image_sync(image_id: str) -> Response:
    return jsonify({"image": chain.fail_image_sync(current_state(), image_id, _json_body())})


@bp.post("/exports/timing")
def set_export_timing() -> Response:
    return jsonify(chain.set_export_timing(current_state(), _json_body()))


@bp.post("/exports/format")
def set_export_format() -> Response:
    return jsonify(chain.set_export_format(current_state(), _json_body()))


@bp.post("/exports/<export_id>/advance")
def advance_export(export_id: str) -> Response:
    return jsonify({"export": chain.advance_export(current_state(), export_id)})


@bp.post("/exports/<export_id>/fail")
def fail_export(export_id: str) -> Response:
    return jsonify({"export": chain.fail_export(current_state(), export_id, _json_body())})


@bp.post("/exports/<export_id>/progress")
def set_export_progress(export_id: str) -> Response:
    body = _json_body()
    return jsonify({"export": chain.set_export_progress(current_state(), export_id, body)})
