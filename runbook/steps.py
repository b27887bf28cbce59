"""The five steps of export-preparation.ja.txt: numbers and titles, as the document names them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepInfo:
    """A numbered step of the document: its Japanese title and an English one."""

    number: int
    title_ja: str
    title_en: str

    def title(self) -> str:
        """``4. 仮想サーバの停止 — stop the server``."""
        return f"{self.number}. {self.title_ja} — {self.title_en}"


STEPS: dict[int, StepInfo] = {
    info.number: info
    for info in (
        StepInfo(1, "一部の設定の初期化", "initialise some settings (manual)"),
        StepInfo(2, "トークンの取得", "get a token"),
        StepInfo(3, "変数の設定", "set the variables"),
        StepInfo(4, "仮想サーバの停止", "stop the server"),
        StepInfo(5, "仮想サーバの状態確認", "check the server's status"),
    )
}

# Step 1 links a page ("一部の設定の初期化") that could not be obtained when this runbook was
# written, so the runbook cannot say which settings; it asks the operator to confirm instead.
MANUAL_STEP_TEXT = (
    "manual step, done by you inside the guest OS before it is stopped: initialise the settings "
    "that the FJcloud-O IaaS function manual's page 「一部の設定の初期化」 (linked from step 1 of "
    "移行前の作業, task_compute_image_export_preparation.html) lists for exported images. That "
    "page could not be obtained when this runbook was written: open it in the manual and follow it."
)
