"""The Python handle's control methods for the export chain (mixed into ``ControlMethods``).

Same operations as the HTTP routes (``emulator.control.chain``), on the handle's state.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from emulator.control import chain
from emulator.control.errors import InvalidRequest
from emulator.timing import Timing

if TYPE_CHECKING:  # emulator.state imports the control package while it loads
    from emulator.state import EmulatorState


class ExportChainControls(ABC):
    """Uploads, images and exports: advance, fail, set progress, timing and the export format."""

    @property
    @abstractmethod
    def state(self) -> EmulatorState:
        """The emulator's state (config, clock, backends)."""

    # -- reads ---------------------------------------------------------------------------------
    def volumes(self) -> list[dict[str, Any]]:
        """Every volume: status, attachments, the upload in progress, uploads left this hour."""
        return chain.volumes(self.state)

    def images(self) -> list[dict[str, Any]]:
        """Every image: status, sync_status_reason, history."""
        return chain.images(self.state)

    def exports(self) -> list[dict[str, Any]]:
        """Every export: status, progress, format, error_message, the files it wrote."""
        return chain.exports(self.state)

    def objects(self) -> dict[str, Any]:
        """Every account's containers and objects (names, sizes, ETags, manifests)."""
        return chain.objects(self.state)

    # -- uploads and images --------------------------------------------------------------------
    def advance_upload(self, volume_id: str) -> dict[str, Any]:
        """One step of the volume's upload: its image goes queued → saving → active."""
        return chain.advance_upload(self.state, volume_id)

    def advance_image(self, image_id: str) -> dict[str, Any]:
        return chain.advance_image(self.state, image_id)

    def fail_image_sync(self, image_id: str, reason: str | None = None) -> dict[str, Any]:
        """Give the image a ``sync_status_reason`` (now, or when it becomes active)."""
        return chain.fail_image_sync(self.state, image_id, {"reason": reason})

    def set_image_timing(
        self, timing: Timing | str | float | dict[str, Any], image_id: str | None = None
    ) -> None:
        """How fast uploads complete: for one image, or the default."""
        chain.set_image_timing(self.state, {**_parse(timing).as_dict(), "image_id": image_id})

    # -- exports -------------------------------------------------------------------------------
    def advance_export(self, export_id: str) -> dict[str, Any]:
        """One step: queued → processing → succeeded (files written); cancelling → canceled."""
        return chain.advance_export(self.state, export_id)

    def fail_export(self, export_id: str, message: str) -> dict[str, Any]:
        return chain.fail_export(self.state, export_id, {"message": message})

    def set_export_progress(
        self, export_id: str, progress: int, status: str = "processing"
    ) -> dict[str, Any]:
        """Put a running export in ``processing`` (or ``queued``) at ``progress`` (0-99)."""
        return chain.set_export_progress(
            self.state, export_id, {"progress": progress, "status": status}
        )

    def set_export_timing(
        self, timing: Timing | str | float | dict[str, Any], export_id: str | None = None
    ) -> None:
        """How fast exports (and cancels) complete: for one export, or the default."""
        chain.set_export_timing(self.state, {**_parse(timing).as_dict(), "export_id": export_id})

    def set_export_format(self, fmt: str) -> None:
        """``auto`` (region 3 → qcow2, others → vmdk: an inference), ``qcow2`` or ``vmdk``."""
        chain.set_export_format(self.state, {"format": fmt})


def _parse(timing: Timing | str | float | dict[str, Any]) -> Timing:
    try:
        return Timing.parse(timing)
    except ValueError as exc:
        raise InvalidRequest(f"timing: {exc}") from None
