"""Errors of the import-export service: ``{"error_code", "error_message"}`` with an HTTP status.

Codes and messages are FJcloud-O's, verbatim from the API reference (export-chain.md §2.6 [A9],
§2.8 [A10], §2.9 [A11]). Where FJcloud-O documents a refusal but not its code (a duplicate
export, an object already named like the image [P4]) the code is ``"undocumented"`` and the
message says that the status and code are the emulator's choice. Rendering is in
``emulator.importexport.views``.
"""

from __future__ import annotations

UNDOCUMENTED = "undocumented"
_EMULATOR_NOTE = (
    " (emulator: FJcloud-O documents this refusal but not its status or error_code; both are "
    "the emulator's choice)"
)


class ExportError(Exception):
    """An import-export error answer."""

    def __init__(self, status: int, error_code: str, error_message: str) -> None:
        super().__init__(f"{status} {error_code}: {error_message}")
        self.status = status
        self.error_code = error_code
        self.error_message = error_message

    # -- POST /v1/imageexport [A9] ---------------------------------------------------------
    @classmethod
    def image_id_missing(cls) -> ExportError:
        return cls(400, "40001", "Required parameter 'image_id' is not specified.")

    @classmethod
    def image_id_invalid(cls) -> ExportError:
        return cls(400, "40002", "Parameter 'image_id' has invalid value.")

    @classmethod
    def container_missing(cls) -> ExportError:
        return cls(400, "40003", "Required parameter 'storage_container' is not specified.")

    @classmethod
    def container_invalid(cls) -> ExportError:
        return cls(400, "40004", "Parameter 'storage_container' has invalid value.")

    @classmethod
    def project_unknown(cls) -> ExportError:
        return cls(400, "40005", "Project id does not exist.")

    @classmethod
    def duplicate(cls, image_id: str, container: str, export_id: str) -> ExportError:
        """[P4]: one image cannot be exported twice to the same container."""
        return cls(
            409,
            UNDOCUMENTED,
            f"An export of image {image_id} to {container} already exists (export_id "
            f"{export_id})." + _EMULATOR_NOTE,
        )

    @classmethod
    def file_exists(cls, container: str, name: str) -> ExportError:
        """[P4]: a file named like the image (segments included) is already there."""
        return cls(
            409,
            UNDOCUMENTED,
            f"The container {container} already holds {name}, a file named like the image."
            + _EMULATOR_NOTE,
        )

    # -- GET /v1/imageexport [A10] ---------------------------------------------------------
    @classmethod
    def start_invalid(cls) -> ExportError:
        # [A10] shows "400 / 40013 / Query parameter 's…" and is cut off there; the rest of
        # the message is the emulator's reconstruction.
        return cls(400, "40013", "Query parameter 'start' has invalid value.")

    @classmethod
    def limit_invalid(cls) -> ExportError:
        return cls(
            400,
            UNDOCUMENTED,
            "Query parameter 'limit' has invalid value; it must be a positive integer."
            + _EMULATOR_NOTE,
        )

    # -- POST /v1/imageexport/{id}/cancel [A11] ----------------------------------------------
    @classmethod
    def already_cancelling(cls) -> ExportError:
        return cls(400, "40010", "Export_id is already accepted cancelling.")

    @classmethod
    def forbidden(cls) -> ExportError:
        return cls(403, "40301", "You cannot execute this API.")

    @classmethod
    def not_found(cls) -> ExportError:
        """[A11] 40401; the status API's own code list is cut off [A8], it answers the same."""
        return cls(404, "40401", "Invalid export_id.")

    @classmethod
    def already_finished(cls) -> ExportError:
        return cls(404, "40402", "Export_id was already finished.")
