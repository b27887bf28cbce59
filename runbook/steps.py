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

# The page of the procedure (shared/seed/export-preparation.ja.txt is its text).
PROCEDURE_TITLE = "移行前の作業 (FJcloud-O IaaS 機能説明書)"
PROCEDURE_URL = (
    "https://doc.cloud.global.fujitsu.com/lib/iaas/jp/function-manual/task/"
    "task_compute_image_export_preparation.html"
)
# Step 1 links a page (「一部の設定の初期化」) that was not found (shared/reference/export-chain.md
# §1.2). The closest sourced facts are in the system-storage "Create image" API reference, which
# the next task (イメージの作成) uses: they are cited with their page, and nothing else is claimed.
CREATE_IMAGE_REFERENCE = (
    "https://doc.cloud.global.fujitsu.com/lib/iaas/jp/api-reference/v1/fs/concept_fs/"
    "C_stg_sysstg_creimg_0102010619.html"
)
CREATE_IMAGE_REFERENCE_EN = CREATE_IMAGE_REFERENCE.replace("/iaas/jp/", "/iaas/en/")
MANUAL_STEP_LINES = (
    "manual step, done by you inside the guest OS before it is stopped: 一部の設定の初期化.",
    "The page 「一部の設定の初期化」 that step 1 links to was not found when this runbook was "
    "written, so it cannot list the settings. What the Create image API reference (used by the "
    "next task, イメージの作成) states:",
    "- Windows: before the image, run Sysprep on the virtual server (「Windows OSでSysprepを"
    "実行する手順」); after the image is created, restore the virtual server's snapshot and "
    "restart it.",
    "- Linux — CentOS, Ubuntu, Red Hat Enterprise Linux: before the image, remove the settings "
    "that, left in the image, would break network communication with a server created from it "
    "(details: 「仮想サーバイメージの管理」 in the IaaS 機能説明書).",
    "source: the system-storage Create image API reference (Japanese, then English):",
    CREATE_IMAGE_REFERENCE,
    CREATE_IMAGE_REFERENCE_EN,
)
