"""Bodies of the import-export API (``/v1/imageexport``) and its error answers.

Field names are FJcloud-O's API reference's: request answer ``export_id`` [A9]; status
``export_status``, ``progress``, ``image_id``, ``image_name``, ``storage_container``,
``request_time`` and, when failed, ``error_message`` [A8]; list entries ``export_id``,
``export_status``, ``status`` (the status URL path), ``image_id``, ``request_time`` [A10].
No verbatim example of either body was found (export-chain.md §5 item 6): the field order is
the reference's list order, and ``request_time``'s format is the emulator's (ISO 8601 UTC).
"""

from __future__ import annotations

from typing import Any

from emulator.importexport.backend import ExportRecord, request_time


def status_body(record: ExportRecord, progress: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "export_status": record.status,
        "progress": progress,
        "image_id": record.image_id,
        "image_name": record.image_name,
        "storage_container": record.storage_container,
        "request_time": request_time(record.request_time),
    }
    if record.error_message is not None:
        body["error_message"] = record.error_message
    return body


def list_entry(record: ExportRecord) -> dict[str, Any]:
    return {
        "export_id": record.id,
        "export_status": record.status,
        "status": f"/v1/imageexport/{record.id}/status",
        "image_id": record.image_id,
        "request_time": request_time(record.request_time),
    }
