"""Options of pages 2–5 (イメージの作成 … イメージファイルの取得と事後作業), in their own group."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

# Waits: an image of a system volume takes minutes to an hour; an export takes hours (the only
# published figure is for import, 300 GB ≈ 24 h [P15]), so the live default watches for 2 hours
# and the normal use is to come back later: the journal has the export id, nothing is lost.
LIVE_IMAGE_POLL = (10.0, 7200.0)
LIVE_EXPORT_POLL = (60.0, 7200.0)
EMULATOR_POLL = (0.02, 60.0)
DEFAULT_KEEP_FREE_MIB = 1024  # the download leaves this much free on the disk
PAGE_NUMBERS = (1, 2, 3, 4, 5)


def add_chain_options(parser: pytest.Parser) -> None:
    """Register the options of pages 2–5."""
    group = parser.getgroup(
        "runbook-export", "runbook — pages 2–5 of the export (image, export, status, download)"
    )
    add = group.addoption
    add(
        "--page",
        dest="runbook_pages",
        metavar="N[-M]",
        help="runbook: run only these pages of the manual (1–5), e.g. 3 or 2-4 (default: all)",
    )
    for name, what in (
        ("blockstorage", "BLOCKSTORAGE (block storage endpoint)"),
        ("image", "IMAGE (image service endpoint)"),
        ("objectstorage", "OBJECTSTORAGE (object storage endpoint)"),
        ("import-export", "IMPORT_EXPORT (import/export endpoint)"),
    ):
        add(
            f"--{name}",
            dest=f"runbook_{name.replace('-', '_')}",
            metavar="URL",
            help=f"runbook: {what}; default the variable, else the token's catalog",
        )
    add(
        "--container",
        dest="runbook_container",
        metavar="NAME",
        help="runbook: CONTAINER, the object-storage container the export goes to (default vmexport)",
    )
    add(
        "--volume-id",
        dest="runbook_volume_id",
        metavar="UUID",
        help="runbook: VOLUME_ID; default the server's system volume",
    )
    add(
        "--image-name",
        dest="runbook_image_name",
        metavar="NAME",
        help="runbook: the image's name, which becomes the exported file's name (default <server>-export-<date>)",
    )
    add(
        "--image-id",
        dest="runbook_image_id",
        metavar="UUID",
        help="runbook: IMAGE_ID of an image made earlier (pages 3–5 without page 2)",
    )
    add(
        "--export-id",
        dest="runbook_export_id",
        metavar="ID",
        help="runbook: EXPORT_ID of an export requested earlier (pages 4–5 without page 3)",
    )
    add(
        "--image-poll-interval",
        dest="runbook_image_poll_interval",
        type=float,
        metavar="SECONDS",
        help=f"runbook: page 2's wait between reads of the image (default live {LIVE_IMAGE_POLL[0]:g})",
    )
    add(
        "--image-poll-timeout",
        dest="runbook_image_poll_timeout",
        type=float,
        metavar="SECONDS",
        help=f"runbook: page 2 stops waiting after this long (default live {LIVE_IMAGE_POLL[1]:g}; rerun to wait again)",
    )
    add(
        "--export-poll-interval",
        dest="runbook_export_poll_interval",
        type=float,
        metavar="SECONDS",
        help=f"runbook: page 4's wait between status reads (default live {LIVE_EXPORT_POLL[0]:g})",
    )
    add(
        "--export-poll-timeout",
        dest="runbook_export_poll_timeout",
        type=float,
        metavar="SECONDS",
        help=f"runbook: page 4 stops watching after this long (default live {LIVE_EXPORT_POLL[1]:g}; rerun to watch again)",
    )
    add(
        "--cancel-export",
        dest="runbook_cancel_export",
        action="store_true",
        help="runbook: エクスポートの中止 — cancel the procedure's export (asked for confirmation; --yes confirms)",
    )
    add(
        "--download-dir",
        dest="runbook_download_dir",
        metavar="DIR",
        help="runbook: where page 5 downloads the files (default ./export-files/<CONTAINER>; a rehearsal uses a temporary folder)",
    )
    add(
        "--keep-free",
        dest="runbook_keep_free",
        type=int,
        default=DEFAULT_KEEP_FREE_MIB,
        metavar="MIB",
        help=f"runbook: free space (MiB) the download must leave on the disk (default {DEFAULT_KEEP_FREE_MIB})",
    )
    add(
        "--delete-image",
        dest="runbook_delete_image",
        action="store_true",
        help="runbook: page 5 deletes the image once the files are downloaded and checked (asked; --yes confirms)",
    )
    add(
        "--no-start-server",
        dest="runbook_no_start_server",
        action="store_true",
        help="runbook: page 5 does not start the server again",
    )


@dataclass(frozen=True)
class ChainOptions:
    """The parsed options of pages 2–5."""

    pages: tuple[int, ...]
    image_poll: tuple[float, float]
    export_poll: tuple[float, float]
    cancel_export: bool
    download_dir: Path | None
    keep_free_bytes: int
    delete_image: bool
    start_server: bool

    @classmethod
    def from_config(cls, config: pytest.Config) -> ChainOptions:
        """Read and check the options; a bad value is a usage error."""
        live = config.getoption("runbook_target") == "live"

        def poll(name: str, live_default: tuple[float, float]) -> tuple[float, float]:
            default = live_default if live else EMULATOR_POLL
            interval = config.getoption(f"runbook_{name}_poll_interval")
            timeout = config.getoption(f"runbook_{name}_poll_timeout")
            pair = (
                default[0] if interval is None else float(interval),
                default[1] if timeout is None else float(timeout),
            )
            if min(pair) <= 0:
                raise pytest.UsageError(
                    f"runbook: --{name}-poll-interval and --{name}-poll-timeout must be > 0"
                )
            return pair

        keep_free = int(config.getoption("runbook_keep_free"))
        if keep_free < 0:
            raise pytest.UsageError("runbook: --keep-free must be >= 0")
        directory = config.getoption("runbook_download_dir")
        return cls(
            pages=parse_pages(config.getoption("runbook_pages")),
            image_poll=poll("image", LIVE_IMAGE_POLL),
            export_poll=poll("export", LIVE_EXPORT_POLL),
            cancel_export=bool(config.getoption("runbook_cancel_export")),
            download_dir=Path(str(directory)) if directory else None,
            keep_free_bytes=keep_free * 1024 * 1024,
            delete_image=bool(config.getoption("runbook_delete_image")),
            start_server=not config.getoption("runbook_no_start_server"),
        )


def parse_pages(value: object) -> tuple[int, ...]:
    """``None`` → all pages; ``"3"`` → (3,); ``"2-4"`` → (2, 3, 4); ``"2,5"`` → (2, 5)."""
    if value is None or str(value).strip() == "":
        return PAGE_NUMBERS
    pages: set[int] = set()
    try:
        for part in str(value).split(","):
            low, _, high = part.strip().partition("-")
            first, last = int(low), int(high or low)
            pages.update(range(first, last + 1))
    except ValueError:
        raise pytest.UsageError(
            f"runbook: --page {value!r}: give page numbers 1–5, e.g. 3 or 2-4"
        ) from None
    if not pages or not pages.issubset(PAGE_NUMBERS):
        raise pytest.UsageError(f"runbook: --page {value!r}: the manual's pages are 1–5")
    return tuple(sorted(pages))
