"""What a forked child makes next, beside what its parent makes next (fork-safety tests)."""

from __future__ import annotations

import os
from collections.abc import Callable


def next_in_child_and_parent(make: Callable[[], str]) -> tuple[str, str]:
    """``make()`` in a forked child (sent back over a pipe), then in this process."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send its value, and leave without running pytest's teardown
        os.write(write_end, make().encode())
        os._exit(0)
    os.close(write_end)
    parent = make()
    with os.fdopen(read_end, "rb") as pipe:
        child = pipe.read().decode()
    os.waitpid(pid, 0)
    return child, parent
