"""イメージファイルの取得's file set: which objects an export made, and their sizes and ETags.

[P5]: for KVM the file is ``<image name>.qcow2``; for VMware ``<image name>.vmdk`` with ``.ovf``
and ``.mf`` in the same container, the ``.vmdk`` uploaded in segments kept in
``<container>_segments`` — "これらの分割ファイルを誤って削除した場合、イメージファイル全体が利用
できなくなります". Which of the two an export makes is not documented (export-chain.md §5.9);
the runbook takes whichever set is in the container, and refuses when neither (or both) is.
"""

from __future__ import annotations

from dataclasses import dataclass

from runbook.download import segments_of
from runbook.errors import RunbookError
from runbook.objectstorage import ObjectInfo, ObjectStorageApi
from runbook.progress import size

KVM = (".qcow2",)
VMWARE = (".vmdk", ".ovf", ".mf")


class FilesMissing(RunbookError):
    """The container does not hold a complete exported file set for the image."""


@dataclass(frozen=True)
class FileSet:
    """The exported files, each with its HEAD (size, ETag, manifest) and, for a DLO, its segments."""

    kind: str  # "KVM (qcow2)" or "VMware (vmdk + ovf + mf)"
    files: tuple[ObjectInfo, ...]
    segments: dict[str, list[ObjectInfo]]

    @property
    def total(self) -> int:
        """Bytes of all files."""
        return sum(f.size for f in self.files)

    def lines(self) -> list[str]:
        """One line per file: name, size, ETag, how it is stored."""
        out = []
        for info in self.files:
            how = ""
            if info.manifest is not None:
                parts = self.segments.get(info.name, [])
                how = f", segmented: {len(parts)} segments in {info.manifest} (never delete them)"
            elif info.static_large:
                how = ", a static large object"
            out.append(f"{info.name}: {size(info.size)} ({info.size} bytes), ETag {info.etag}{how}")
        return out


def find_files(api: ObjectStorageApi, container: str, image_name: str) -> FileSet:
    """The image's exported files in ``container``, read with HEAD (and the segment listing)."""
    names = {o.name for o in api.list_container(container, prefix=image_name)}
    kvm = [image_name + ext for ext in KVM]
    vmware = [image_name + ext for ext in VMWARE]
    has_kvm = all(n in names for n in kvm)
    has_vmware = all(n in names for n in vmware)
    if has_kvm == has_vmware:
        listed = ", ".join(sorted(names)) or "nothing"
        problem = "both a qcow2 and a vmdk set" if has_kvm else "no complete set"
        raise FilesMissing(
            f"the container {container} holds {problem} for the image {image_name} (it has: {listed}); "
            f"expected {kvm[0]}, or {', '.join(vmware)} [P5]",
            hint="check that the export succeeded (エクスポート状況の確認, --page 4) and that "
            "CONTAINER and the image name are this export's",
        )
    wanted = kvm if has_kvm else vmware
    files = tuple(api.head_object(container, name) for name in wanted)
    segments = {f.name: segments_of(api, f) for f in files if f.manifest is not None}
    kind = "KVM (qcow2)" if has_kvm else "VMware (vmdk + ovf + mf)"
    return FileSet(kind, files, segments)
