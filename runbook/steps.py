"""The steps of every page: page 1's five (export-preparation.ja.txt) and pages 2–5's (``runbook.pages``).

Page 1's steps keep the document's numbers 1–5 (``--from-step 4``); a step ``s`` of a later page
``p`` is numbered ``p·100 + s`` (203 is page 2's step 3) so that one integer orders every step of
the procedure, and is shown as ``2.3``.
"""

from __future__ import annotations

from dataclasses import dataclass

from runbook.pages import PAGES, step_id


@dataclass(frozen=True)
class StepInfo:
    """A numbered step of a page: its Japanese title and an English one."""

    number: int
    title_ja: str
    title_en: str
    page: int = 1
    reconstructed: str | None = None  # one line: the step is built by us, not Fujitsu's page

    @property
    def label(self) -> str:
        """``4`` on page 1, ``2.3`` on the later pages."""
        return str(self.number) if self.page == 1 else f"{self.page}.{self.number % 100}"

    def title(self) -> str:
        """``4. 仮想サーバの停止 — stop the server`` / ``2.3 イメージの作成 — …``."""
        dot = "." if self.page == 1 else ""
        return f"{self.label}{dot} {self.title_ja} — {self.title_en}"


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
STEPS.update(
    {
        step_id(s.page, s.number): StepInfo(
            step_id(s.page, s.number), s.title_ja, s.title_en, s.page, s.reconstructed
        )
        for page in PAGES.values()
        for s in page.steps
    }
)

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
