"""Routes of the control plane, ``/_emulator/…``: thin — parse JSON, call an operation, answer JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import BadRequest

from emulator.control import operations
from emulator.control.errors import ControlError, InvalidRequest
from emulator.control.layer import URL_PREFIX
from emulator.control.render import render_control_error
from emulator.current import current_state

__all__ = ["bp"]

bp = Blueprint("control", __name__, url_prefix=URL_PREFIX)
bp.register_error_handler(ControlError, render_control_error)


def _json_body() -> Any:
    """The request's JSON (None when empty); a body that is not JSON is a 400."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return request.get_json(force=True)
    except (BadRequest, RecursionError):  # werkzeug's BadRequest carries an HTML description
        raise InvalidRequest("the request body is not valid JSON") from None


def _no_content() -> Response:
    return Response(status=204)


@bp.get("/health")
def health() -> Response:
    return jsonify(operations.health(current_state()))


@bp.post("/reset")
def reset() -> Response:
    current_state().reset()
    return jsonify({"status": "reset"})


@bp.get("/state")
def state() -> Response:
    return jsonify(operations.summary(current_state()))


@bp.post("/servers")
def add_server() -> tuple[Response, int]:
    return jsonify({"server": operations.add_server(current_state(), _json_body())}), 201


@bp.delete("/servers/<server_id>")
def delete_server(server_id: str) -> Response:
    operations.delete_server(current_state(), server_id)
    return _no_content()


@bp.post("/servers/<server_id>/advance")
def advance_server(server_id: str) -> Response:
    return jsonify({"server": operations.advance(current_state(), server_id)})


@bp.post("/servers/<server_id>/state")
def set_server_state(server_id: str) -> Response:
    server = operations.set_server_state(current_state(), server_id, _json_body())
    return jsonify({"server": server})


@bp.get("/servers/<server_id>/history")
def server_history(server_id: str) -> Response:
    with operations.compute_errors():
        history = current_state().compute.history(server_id)
    return jsonify({"history": history})


@bp.post("/timing")
def set_timing() -> Response:
    return jsonify(operations.set_timing(current_state(), _json_body()))


@bp.post("/clock/advance")
def advance_clock() -> Response:
    return jsonify({"clock": operations.advance_clock(current_state(), _json_body())})


@bp.get("/faults")
def list_faults() -> Response:
    return jsonify({"faults": current_state().control.faults.list()})


@bp.post("/faults")
def add_fault() -> tuple[Response, int]:
    return jsonify({"fault": operations.add_fault(current_state(), _json_body())}), 201


@bp.delete("/faults")
def clear_faults() -> Response:
    current_state().control.faults.clear()
    return _no_content()


@bp.delete("/faults/<fault_id>")
def remove_fault(fault_id: str) -> Response:
    current_state().control.faults.remove(fault_id)
    return _no_content()


@bp.get("/requests")
def list_requests() -> Response:
    return jsonify({"requests": current_state().control.requests.entries()})


@bp.delete("/requests")
def clear_requests() -> Response:
    current_state().control.requests.clear()
    return _no_content()
