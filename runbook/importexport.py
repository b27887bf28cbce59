"""The import-export calls: request an export, list them, read one's status, cancel it.

Sources (export-chain.md §2.6–2.9): ``POST /v1/imageexport`` with ``image_id`` and
``storage_container`` answers ``{"export_id"}`` [A9] (its success status is not published: any
2xx with an ``export_id`` is accepted); ``GET /v1/imageexport`` lists the project's exports, newest
first [A10]; ``GET /v1/imageexport/{id}/status`` [A8]; ``POST /v1/imageexport/{id}/cancel``
answers 200 in the API reference [A11] and "202 Accepted" on the task page [P6] — both are
accepted. Errors are ``{"error_code", "error_message"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from runbook.errors import ApiError
from runbook.service import ServiceApi, Session, fault_text, unexpected

EXPORT_ACTION = "imageexport"  # the journal's names for these requests
CANCEL_ACTION = "imageexport-cancel"
# [A8]: the export is over in these states; "queued" and "processing" may alternate.
TERMINAL = frozenset({"succeeded", "failed", "canceled"})
# [A11] 40010 "Export_id is already accepted cancelling." / 40402 "Export_id was already finished."
ALREADY_CANCELLING = "40010"
ALREADY_FINISHED = "40402"


class ExportNotFound(ApiError):
    """404 for the export id (40401 "Invalid export_id.")."""


@dataclass(frozen=True)
class ExportStatus:
    """``GET /v1/imageexport/{id}/status`` [A8]."""

    export_id: str
    status: str
    progress: int | None
    image_id: str | None
    image_name: str | None
    storage_container: str | None
    request_time: str | None
    error_message: str | None

    @classmethod
    def from_body(cls, export_id: str, body: dict[str, Any]) -> ExportStatus:
        """From the status body."""
        return cls(
            export_id=export_id,
            status=str(body.get("export_status", "")),
            progress=_percent(body.get("progress")),
            image_id=body.get("image_id"),
            image_name=body.get("image_name"),
            storage_container=body.get("storage_container"),
            request_time=body.get("request_time"),
            error_message=body.get("error_message"),
        )

    @property
    def finished(self) -> bool:
        """succeeded, failed or canceled."""
        return self.status in TERMINAL


@dataclass(frozen=True)
class ExportEntry:
    """One entry of ``GET /v1/imageexport`` [A10]."""

    export_id: str
    status: str
    image_id: str | None
    request_time: str | None


def storage_container(account_version: str, project_id: str, container: str) -> str:
    """``/v1/AUTH_<project>/<container>`` (region 3: ``/v2/AUTH_…``) [P4]."""
    return f"/{account_version}/AUTH_{project_id}/{container}"


class ImportExportApi(ServiceApi):
    """``{IMPORT_EXPORT}/v1/imageexport…``."""

    def __init__(self, session: Session, base: str) -> None:
        super().__init__(session)
        self.base = base

    @property
    def exports_url(self) -> str:
        """``{IMPORT_EXPORT}/v1/imageexport``."""
        return f"{self.base}/v1/imageexport"

    def status_url(self, export_id: str) -> str:
        """``{IMPORT_EXPORT}/v1/imageexport/{EXPORT_ID}/status``."""
        return f"{self.exports_url}/{export_id}/status"

    def request_export(self, image_id: str, container_path: str) -> requests.Response:
        """``POST /v1/imageexport {"image_id", "storage_container"}``, once (the caller judges)."""
        return self.call(
            "POST",
            self.exports_url,
            {"image_id": image_id, "storage_container": container_path},
            action=EXPORT_ACTION,
            about={"image_id": image_id, "storage_container": container_path},
        )

    def list_exports(self) -> list[ExportEntry]:
        """``GET /v1/imageexport`` → the project's exports, newest first (at most 200) [A10]."""
        response = self.call("GET", self.exports_url)
        if response.status_code != 200:
            raise unexpected("GET", self.exports_url, response, self.secrets)
        return [
            ExportEntry(
                export_id=str(e.get("export_id", "")),
                status=str(e.get("export_status", "")),
                image_id=e.get("image_id"),
                request_time=e.get("request_time"),
            )
            for e in (response.json() or {}).get("exports") or []
        ]

    def export_status(self, export_id: str) -> ExportStatus:
        """``GET /v1/imageexport/{EXPORT_ID}/status`` → 200."""
        url = self.status_url(export_id)
        response = self.call("GET", url)
        if response.status_code == 404:
            raise ExportNotFound(
                "GET",
                url,
                404,
                response.reason,
                fault_text(response, self.secrets),
                hint="check EXPORT_ID (--export-id): it is the export_id エクスポートの実行 printed "
                "and journalled; exports of other projects are not visible",
            )
        if response.status_code != 200:
            raise unexpected("GET", url, response, self.secrets)
        return ExportStatus.from_body(export_id, response.json() or {})

    def cancel_export(self, export_id: str) -> requests.Response:
        """``POST /v1/imageexport/{EXPORT_ID}/cancel`` (no body), once (the caller judges)."""
        return self.call(
            "POST",
            f"{self.exports_url}/{export_id}/cancel",
            None,
            action=CANCEL_ACTION,
            about={"export_id": export_id},
        )


def _percent(value: Any) -> int | None:
    try:
        return max(0, min(100, int(value)))
    except (TypeError, ValueError):
        return None


def export_id_of(response: requests.Response) -> str | None:
    """The ``export_id`` of a 2xx answer, or None."""
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("export_id") if isinstance(body, dict) else None
    return str(value) if value else None
