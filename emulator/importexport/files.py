"""The files a finished export writes into the container: small, deterministic, self-consistent.

FJcloud-O [P5]: for a KVM target the export is ``<イメージ名>.qcow2``; for VMware it is
``<イメージ名>.vmdk``, uploaded in segments kept in the container ``<container>_segments``, with
``<イメージ名>.ovf`` and ``<イメージ名>.mf`` beside it. The emulator writes a few KiB that start
with each format's magic bytes (qcow2 ``QFI\\xfb``, VMDK sparse ``KDMV``), never gigabytes. The
segments are named like python-swiftclient's (``<object>/<mtime>/<size>/<segment_size>/<index>``,
whose ``_segments`` container convention FJcloud-O's layout matches) and the ``.vmdk`` manifest
is a DLO pointing at them; the ``.mf`` lists the SHA256 of the ``.vmdk`` and ``.ovf`` bytes
served, in the OVF manifest form ``SHA256(<file>)= <hex>``.

Which format an export produces is not documented (export-chain.md §1.7, §5 item 9). The
emulator follows the region as the reference infers — regions 3 (KVM import only there, and their
Swift store takes no segmented uploads [P11][P16]) give qcow2, the others vmdk — unless the control
plane sets the format.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

FORMATS = ("auto", "qcow2", "vmdk")
SEGMENT_SIZE = 1024
_BODY_BYTES = 2560  # 2.5 segments, so a download crosses segment boundaries


@dataclass(frozen=True)
class ExportObject:
    container: str
    name: str
    data: bytes
    content_type: str = "application/octet-stream"
    manifest: str | None = None


def format_for(region: str, setting: str) -> str:
    """``qcow2`` or ``vmdk``: the setting, or for ``auto`` the region's (an inference)."""
    if setting != "auto":
        return setting
    return "qcow2" if region.endswith("-3") else "vmdk"


def export_objects(
    container: str, image_name: str, image_id: str, fmt: str, stamp: float
) -> list[ExportObject]:
    """The objects of one finished export, segments first (a manifest must find them)."""
    if fmt == "qcow2":
        data = b"QFI\xfb\x00\x00\x00\x03" + _filler(image_id, _BODY_BYTES - 8)
        return [ExportObject(container, f"{image_name}.qcow2", data)]
    vmdk_name = f"{image_name}.vmdk"
    data = b"KDMV\x01\x00\x00\x00" + _filler(image_id, _BODY_BYTES - 8)
    prefix = f"{vmdk_name}/{stamp:.6f}/{len(data)}/{SEGMENT_SIZE}/"
    segments_container = f"{container}_segments"
    objects = [
        ExportObject(segments_container, f"{prefix}{index:08d}", data[start : start + SEGMENT_SIZE])
        for index, start in enumerate(range(0, len(data), SEGMENT_SIZE))
    ]
    objects.append(
        ExportObject(container, vmdk_name, b"", manifest=f"{segments_container}/{prefix}")
    )
    ovf = _ovf(image_name, vmdk_name, len(data)).encode()
    objects.append(ExportObject(container, f"{image_name}.ovf", ovf, "text/xml"))
    mf = (
        f"SHA256({vmdk_name})= {hashlib.sha256(data).hexdigest()}\n"
        f"SHA256({image_name}.ovf)= {hashlib.sha256(ovf).hexdigest()}\n"
    ).encode()
    objects.append(ExportObject(container, f"{image_name}.mf", mf, "text/plain"))
    return objects


def file_names(image_name: str) -> tuple[str, ...]:
    """Names an export of this image may write into the container."""
    return tuple(f"{image_name}.{ext}" for ext in ("qcow2", "vmdk", "ovf", "mf"))


def _filler(image_id: str, size: int) -> bytes:
    """``size`` deterministic bytes derived from the image id (a SHA-256 chain)."""
    out = bytearray()
    block = image_id.encode()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


def _ovf(image_name: str, vmdk_name: str, size: int) -> str:
    # A minimal OVF 1.0 envelope naming the disk file (DMTF DSP0243); enough for a reader that
    # checks the file reference and the .mf digests.
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" '
        'xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">\n'
        f'  <References><File ovf:href="{vmdk_name}" ovf:id="file1" ovf:size="{size}"/>'
        "</References>\n"
        '  <DiskSection><Info>Virtual disk information</Info><Disk ovf:diskId="vmdisk1" '
        'ovf:fileRef="file1" ovf:capacity="80" ovf:capacityAllocationUnits="byte * 2^30" '
        'ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>'
        "</DiskSection>\n"
        f'  <VirtualSystem ovf:id="{image_name}"><Info>{image_name}</Info></VirtualSystem>\n'
        "</Envelope>\n"
    )
