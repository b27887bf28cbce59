"""``serve --port-file FILE``: the real port for scripts that start the emulator on port 0.

The file is written once the socket listens (write-then-rename, so a reader never sees half a
number) and removed when the server stops, unless another server has written it since.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_port_file(path: Path, port: int) -> None:
    """``<port>\\n`` into ``path``, atomically; OSError when it cannot be written."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(f"{port}\n", encoding="ascii")
    os.replace(partial, path)


def remove_port_file(path: Path, port: int) -> None:
    """Remove ``path`` if it still names ``port``."""
    try:
        if path.read_text(encoding="ascii") == f"{port}\n":
            path.unlink()
    except OSError:
        pass  # gone already, or never written
