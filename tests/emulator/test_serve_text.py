"""What ``python -m emulator serve`` says it serves: every service of the one table.

Found by acceptance: after block storage, image, object storage and import-export were added, the
banner still said "(Keystone v3 + Nova)" and ``serve --help`` "Serve identity (/identity),
compute (/compute) and the control plane", so an operator could not tell the export chain's
services were there.
"""

from __future__ import annotations

import io
import subprocess
import sys

from emulator.__main__ import banner
from emulator.server import EmulatorServer
from emulator.services import SERVICES


def test_help_names_every_service_and_its_prefix() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    text = " ".join(done.stdout.split())
    for service in SERVICES:
        assert f"{service.name} ({service.prefix})" in text


def test_banner_headline_names_every_service() -> None:
    with EmulatorServer(timing="manual") as server:
        headline = io.StringIO(banner(server)).readline()
    assert "listening on http://127.0.0.1:" in headline
    for service in SERVICES:
        assert service.name in headline.split(" listening on ")[0]
