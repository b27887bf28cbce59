"""Step 5.5's hand-over of the files: what the confirmation is about, and finding an earlier one.

The hand-over is manual; the operator's confirmation is journalled with *what* was handed over
(the image, the container, the cloud's files with their ETags and the checked downloads). A rerun
of page 5 in the same procedure — to confirm 5.6 or 5.7 — does not ask again when the journal
already records the confirmation for the same files; other files are asked about again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

HANDED_OVER = "handed_over"


def hand_over_subject(
    records: Sequence[dict[str, Any]],
    image_name: str | None,
    image_id: str | None,
    container: str | None,
) -> dict[str, Any] | None:
    """The files step 5.5 is about: the last listing (5.3) and the downloads after it (5.4).

    None when this procedure's journal has no listing followed by a checked download.
    """
    listed = [i for i, r in enumerate(records) if r.get("kind") == "image_files"]
    if not listed:
        return None
    downloads = [r for r in records[listed[-1] + 1 :] if r.get("kind") == "downloaded"]
    if not downloads:
        return None
    cloud = records[listed[-1]].get("files") or []
    return {
        "image_name": image_name,
        "image_id": image_id,
        "container": container,
        "files": sorted(
            ({"name": f.get("name"), "size": f.get("size"), "etag": f.get("etag")} for f in cloud),
            key=lambda f: str(f["name"]),
        ),
        "downloaded": sorted(
            ({"path": d.get("path"), "size": d.get("size")} for d in downloads),
            key=lambda d: str(d["path"]),
        ),
    }


def earlier_hand_over(
    records: Sequence[dict[str, Any]], subject: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The journal's last confirmation of the hand-over of exactly ``subject``, or None."""
    if subject is None:
        return None
    found = [
        r
        for r in records
        if r.get("kind") == HANDED_OVER and all(r.get(k) == v for k, v in subject.items())
    ]
    return found[-1] if found else None
