"""What the control plane does to the export chain's services: uploads, images, exports.

Functions of an ``EmulatorState``, called by the HTTP routes (``emulator.control.chain_routes``)
and by the Python handle (``emulator.control.chain_methods``), so both stay identical. Errors of
the services' backends become control-plane errors with the same HTTP status.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from emulator.blockstorage.errors import VolumeFault
from emulator.control.errors import ControlError, InvalidRequest
from emulator.image.errors import ImageFault
from emulator.importexport.errors import ExportError
from emulator.timing import Timing

if TYPE_CHECKING:  # emulator.state imports the control package while it loads
    from emulator.state import EmulatorState

MAX_TRANSITION_SECONDS = 7 * 24 * 3600.0  # an export may be rehearsed as lasting days
EXPORT_STATUSES = ("queued", "processing")
FORMATS = ("auto", "qcow2", "vmdk")


@contextmanager
def service_errors() -> Iterator[None]:
    """Re-raise a service backend's error (unknown id, wrong state) as a control-plane error."""
    try:
        yield
    except ImageFault as exc:
        raise _error(exc.code, exc.explanation) from exc
    except VolumeFault as exc:
        raise _error(exc.code, exc.message) from exc
    except ExportError as exc:
        # 40402 "already finished" and 40010 "already cancelling" are conflicts here.
        code = 409 if exc.error_code in ("40402", "40010") else exc.status
        raise _error(code, exc.error_message) from exc


def _error(code: int, message: str) -> ControlError:
    error = ControlError(message)
    error.code = code
    return error


# -- reads ----------------------------------------------------------------------------------
def volumes(state: EmulatorState) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = state.blockstorage.snapshot()["volumes"]
    return found


def images(state: EmulatorState) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = state.image.snapshot()["images"]
    return found


def exports(state: EmulatorState) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = state.importexport.snapshot()["exports"]
    return found


def objects(state: EmulatorState) -> dict[str, Any]:
    found: dict[str, Any] = state.objectstorage.snapshot()
    return found


# -- uploads and images --------------------------------------------------------------------
def advance_upload(state: EmulatorState, volume_id: str) -> dict[str, Any]:
    """One step of the upload the volume is doing (its image: queued → saving → active)."""
    with service_errors():
        image_id = state.blockstorage.upload_image_of(volume_id)
        return state.image.advance(image_id)


def advance_image(state: EmulatorState, image_id: str) -> dict[str, Any]:
    with service_errors():
        return state.image.advance(image_id)


def fail_image_sync(state: EmulatorState, image_id: str, body: Any) -> dict[str, Any]:
    """``{"reason": optional}``: the image gets FJcloud-O's ``sync_status_reason``."""
    reason = body.get("reason") if isinstance(body, dict) else None
    if reason is not None and (not isinstance(reason, str) or not reason):
        raise InvalidRequest(f"fail-sync.reason: must be a non-empty string, got {reason!r}")
    with service_errors():
        return state.image.fail_sync(image_id, reason)


def set_image_timing(state: EmulatorState, body: Any) -> dict[str, Any]:
    """``{"mode", "seconds", "image_id": optional}`` for uploads (images)."""
    timing, image_id = _timing(body, "image_id")
    with service_errors():
        state.image.set_timing(timing, image_id)
    return {"timing": timing.as_dict(), "image_id": image_id}


# -- exports -------------------------------------------------------------------------------
def advance_export(state: EmulatorState, export_id: str) -> dict[str, Any]:
    """One step: queued → processing → succeeded (writes the files); cancelling → canceled."""
    with service_errors():
        return state.importexport.advance(export_id)


def fail_export(state: EmulatorState, export_id: str, body: Any) -> dict[str, Any]:
    """``{"message"}``: the export fails; its status shows ``error_message``."""
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message:
        raise InvalidRequest(
            f"fail.message: the export's error_message, a non-empty string, got {message!r} "
            "(FJcloud-O's documented one is 'Specified id is not found.')"
        )
    with service_errors():
        return state.importexport.fail(export_id, message)


def set_export_progress(state: EmulatorState, export_id: str, body: Any) -> dict[str, Any]:
    """``{"progress": 0-99, "status": "processing" (default) | "queued"}``."""
    data = body if isinstance(body, dict) else {}
    progress = data.get("progress")
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 99:
        raise InvalidRequest(
            f"progress.progress: must be an integer 0-99 (100 is reached by succeeding: "
            f"advance the export), got {progress!r}"
        )
    status = data.get("status", "processing")
    if status not in EXPORT_STATUSES:
        raise InvalidRequest(
            f"progress.status: must be one of {', '.join(EXPORT_STATUSES)}, got {status!r}"
        )
    with service_errors():
        return state.importexport.set_progress(export_id, progress, status)


def set_export_timing(state: EmulatorState, body: Any) -> dict[str, Any]:
    """``{"mode", "seconds", "export_id": optional}`` for exports and cancels."""
    timing, export_id = _timing(body, "export_id")
    with service_errors():
        state.importexport.set_timing(timing, export_id)
    return {"timing": timing.as_dict(), "export_id": export_id}


def set_export_format(state: EmulatorState, body: Any) -> dict[str, Any]:
    """``{"format": "auto" | "qcow2" | "vmdk"}``; auto follows the region (an inference)."""
    fmt = body.get("format") if isinstance(body, dict) else None
    if fmt not in FORMATS:
        raise InvalidRequest(f"format.format: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    state.importexport.set_format(fmt)
    snapshot = state.importexport.snapshot()
    return {"format": snapshot["format"], "format_now": snapshot["format_now"]}


def _timing(body: Any, id_field: str) -> tuple[Timing, str | None]:
    if not isinstance(body, dict):
        raise InvalidRequest("timing: the body must be a JSON object with 'mode'")
    item_id = body.get(id_field)
    if item_id is not None and not isinstance(item_id, str):
        raise InvalidRequest(f"timing.{id_field}: must be a string, got {item_id!r}")
    spec = {key: value for key, value in body.items() if key != id_field}
    if spec.get("mode") not in ("immediate", "seconds", "manual"):
        raise InvalidRequest(
            f"timing.mode: must be immediate, seconds or manual, got {spec.get('mode')!r}"
        )
    try:
        timing = Timing.parse(spec)
    except ValueError as exc:
        raise InvalidRequest(f"timing.seconds: {exc}") from None
    return checked(timing), item_id


def checked(timing: Timing) -> Timing:
    """Refuse NaN, infinity and absurd durations (they would break every later request)."""
    if not math.isfinite(timing.seconds) or timing.seconds > MAX_TRANSITION_SECONDS:
        raise InvalidRequest(
            f"timing.seconds: must be a finite number of seconds 0-{MAX_TRANSITION_SECONDS:g}, "
            f"got {timing.seconds!r}"
        )
    return timing
