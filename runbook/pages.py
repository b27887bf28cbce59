"""The pages of the manual the runbook follows, in the manual's order, and their steps.

Page 1 is 移行前の作業 (``runbook.steps``: the seed document). Pages 2–5 follow the chain of
export-chain.md §0. Where Fujitsu's page (or a part of it) could not be obtained (§5), a step is
built from the API reference and the sibling pages; its ``reconstructed`` line says so, and the
runbook prints that line at the step and writes it into the evidence — the operator must know
which commands are Fujitsu's and which are ours.
"""

from __future__ import annotations

from dataclasses import dataclass

DOC = "https://doc.cloud.global.fujitsu.com/lib/iaas/jp/function-manual/task/"


@dataclass(frozen=True)
class ChainStep:
    """One numbered step of a page: its titles, and the one line saying it is reconstructed."""

    page: int
    number: int
    title_ja: str
    title_en: str
    reconstructed: str | None = None

    @property
    def key(self) -> str:
        """``2.3``: page and step."""
        return f"{self.page}.{self.number}"

    def title(self) -> str:
        """``2.3 イメージの作成 — create the image``."""
        return f"{self.key} {self.title_ja} — {self.title_en}"


@dataclass(frozen=True)
class Page:
    """A page of the manual: its title, where it is, the module that runs it, its steps."""

    number: int
    title_ja: str
    title_en: str
    url: str | None  # None: the page could not be obtained
    module: str
    steps: tuple[ChainStep, ...]

    def title(self) -> str:
        """``2. イメージの作成 — create the image (reconstructed page)``."""
        return f"{self.number}. {self.title_ja} — {self.title_en}"


def _steps(page: int, *rows: tuple[str, str, str | None]) -> tuple[ChainStep, ...]:
    return tuple(ChainStep(page, n, ja, en, why) for n, (ja, en, why) in enumerate(rows, 1))


TOKEN_REUSED = None  # the token step is Fujitsu's wording on every page that has it [P2][P6]
R_IMAGE_PAGE = (
    "reconstructed: Fujitsu's イメージの作成 (VM export) page is not available (export-chain.md "
    "§5.2); built from the Create image API reference [A20] and the 増設ストレージ page [P7]"
)
R_CONTAINER = (
    "reconstructed for regions other than jp-east-3/jp-west-3: the page [P2] is cut off there; "
    "/v1/AUTH_<project> is the sibling pages' form (export-chain.md §1.4)"
)
R_EXPORT = (
    "reconstructed: the export request of エクスポートの実行 [P2] is cut off (export-chain.md "
    "§5.4); built from the API reference [A9] and the import page's pattern [P12]"
)
R_STATUS = (
    "reconstructed: Fujitsu's エクスポート状況の確認 page is not available (export-chain.md §5.5); "
    "built from the API reference [A8] and the import twin [P13]"
)
R_TRANSFER = (
    "reconstructed: the 手順 of イメージファイルの取得と事後作業 [P5] is empty (export-chain.md "
    "§5.8); built from Swift's object API and the page's file names"
)
R_DELETE = (
    "reconstructed: [P5]'s next-task sentence is cut off after 「また、イメージ」 (export-chain.md "
    "§5.8); deleting the image once the files are safe is our reading, with Glance's DELETE"
)
R_START = (
    "reconstructed: [P1]'s tip says the server can be used again after the image is registered; "
    "the command (Nova os-start) is ours, not a Fujitsu page's"
)

PAGES: dict[int, Page] = {
    page.number: page
    for page in (
        Page(
            2,
            "イメージの作成",
            "create the image from the system volume",
            None,
            "test_image_creation.py",
            _steps(
                2,
                ("トークンの取得", "get a token", R_IMAGE_PAGE),
                ("変数の設定", "set the variables", R_IMAGE_PAGE),
                ("イメージの作成", "upload the system volume to an image", R_IMAGE_PAGE),
                ("イメージの状態確認", "wait for the image to be active", R_IMAGE_PAGE),
            ),
        ),
        Page(
            3,
            "エクスポートの実行",
            "request the export",
            DOC + "task_compute_image_export_request.html",
            "test_export_request.py",
            _steps(
                3,
                ("トークンの取得", "get a token", TOKEN_REUSED),
                ("変数の設定", "set the variables", None),
                ("コンテナの作成", "create the container", R_CONTAINER),
                ("エクスポートの実行", "request the export", R_EXPORT),
            ),
        ),
        Page(
            4,
            "エクスポート状況の確認",
            "check the export's status",
            None,
            "test_export_status.py",
            _steps(
                4,
                ("トークンの取得", "get a token", R_STATUS),
                ("変数の設定", "set the variables", R_STATUS),
                ("エクスポートの中止", "cancel the export (only when asked)", None),
                ("エクスポート状況の確認", "wait for the export to finish", R_STATUS),
            ),
        ),
        Page(
            5,
            "イメージファイルの取得と事後作業",
            "download the image files and the post-work",
            DOC + "task_vmexport_transfer_imagefile.html",
            "test_image_download.py",
            _steps(
                5,
                ("トークンの取得", "get a token", R_TRANSFER),
                ("変数の設定", "set the variables", R_TRANSFER),
                ("イメージファイルの確認", "list the exported files", R_TRANSFER),
                ("イメージファイルの取得", "download the files", R_TRANSFER),
                ("お客様環境への転送", "hand the files over (manual)", None),
                ("イメージの削除", "delete the image (only when asked)", R_DELETE),
                ("仮想サーバの起動", "start the server again", R_START),
            ),
        ),
    )
}
CANCEL_PAGE_URL = DOC + "task_compute_image_export_cancel_request.html"  # [P6], complete


def step_id(page: int, number: int) -> int:
    """The one integer of a step: ``number`` on page 1, ``page·100 + number`` after (203)."""
    return number if page == 1 else page * 100 + number


def page_of(step_number: int) -> int:
    """The page a step id belongs to."""
    return 1 if step_number < 100 else step_number // 100


def step(page: int, number: int) -> ChainStep:
    """The step ``number`` of ``page`` (2–5)."""
    return PAGES[page].steps[number - 1]
