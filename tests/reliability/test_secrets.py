"""Secrets and exposure: no secret in any output, 0600 state file, loopback bind, TLS verified.

The fault matrix (test_runbook_faults.py) scans stdout/stderr, evidence, state file and the
thread server's log of all 12 scenarios. Here: a whole procedure against the *standalone*
emulator, whose own stdout/stderr are captured and scanned, the state file's mode and content,
where the emulators listen, and TLS verification.
"""

from __future__ import annotations

import json
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emulator.server import EmulatorServer
from tests.reliability.secrets_scan import (
    ADMIN_PASS,
    DEMO_PASSWORD,
    TokenRecorder,
    after_banner,
    find_secrets,
)
from tests.reliability.servers import REPO, Standalone, standalone
from tests.reliability.tls_proxy import TLSFront, tls_front
from tests.runbook.conftest import FAST, base_env, live_env, requests_to, run_runbook

CONFIRMED = ["--yes", "--confirm-manual"]
PROJECT_ID = "790f1c092038413a8dd6771a033b17f5"
SERVER_ID = "dbf93607-f105-4e86-842c-02ae504efe36"


def standalone_env(process: Standalone, home: Path) -> dict[str, str]:
    """The ``OS_*`` variables the standalone server's banner tells an operator to export."""
    return {
        **base_env(home),
        "OS_AUTH_URL": f"{process.url}/identity/v3",
        "OS_USERNAME": "demo-user",
        "OS_PASSWORD": DEMO_PASSWORD,
        "OS_USER_DOMAIN_NAME": "demo0001",
        "OS_PROJECT_ID": PROJECT_ID,
        "OS_REGION_NAME": "jp-east-1",
        "SERVER_ID": SERVER_ID,
    }


def test_a_whole_procedure_against_the_standalone_emulator_leaks_nothing(tmp_path: Path) -> None:
    logs, state = tmp_path / "emulator", tmp_path / "state.json"
    args = [
        "--target", "live", "--state-file", str(state), "--evidence", str(tmp_path / "evidence"),
        *FAST,
    ]  # fmt: skip
    with standalone(logs, "--timing", "0.2") as process:
        env = standalone_env(process, tmp_path)
        first = run_runbook([*args, "--confirm-manual", "--to-step", "3"], env)
        assert first.returncode == 0, first.output
        # The resume-state file: created 0600, holds the token (issue 5) but no password.
        assert stat.S_IMODE(state.stat().st_mode) == 0o600
        state_text = state.read_text(encoding="utf-8")
        token = json.loads(state_text)["token"]
        assert (
            find_secrets({"state file": state_text}, {token}, state_token_allowed="state file")
            == []
        )
        first_evidence = (tmp_path / "evidence" / "runbook.json").read_text(encoding="utf-8")
        # Steps 4–5, then pages 2–5 (image, export, download, server start): the whole export.
        rest = ["--page", "1-5", "--confirm-manual", "--download-dir", str(tmp_path / "files")]
        second = run_runbook([*args, "--yes", "--from-step", "4", *rest], env)
        assert second.returncode == 0, second.output
        assert not state.exists()  # complete: the token is not left lying around
        request_log = requests.get(f"{process.url}/_emulator/requests", timeout=10).text
    stdout = process.stdout.read_text(encoding="utf-8")
    stderr = process.stderr.read_text(encoding="utf-8")
    assert "listening on http://127.0.0.1:" in stdout
    texts = {
        "runbook output (steps 1-3)": first.output,
        "runbook output (steps 4-5)": second.output,
        "evidence of steps 1-3": first_evidence,
        "evidence of steps 4-5": (tmp_path / "evidence" / "runbook.json").read_text(
            encoding="utf-8"
        ),
        "evidence summary": (tmp_path / "evidence" / "runbook.md").read_text(encoding="utf-8"),
        "emulator stdout after the banner": after_banner(stdout),
        "emulator stderr": stderr,
        "emulator request log": request_log,
    }
    assert find_secrets(texts, {token}) == []
    entries = json.loads(request_log)["requests"]
    assert {e["request_headers"].get("X-Auth-Token") for e in entries} == {None, "***"}


def test_the_scan_finds_planted_secrets() -> None:
    """The oracle can fail: each kind of secret, planted, is reported with where it was."""
    texts = {"a": f"x {DEMO_PASSWORD} y", "b": "token abc123 here", "c": ADMIN_PASS, "d": "clean"}
    assert find_secrets(texts, {"abc123"}) == [
        "a holds the password",
        "b holds 1 token value(s)",
        "c holds admin_pass",
    ]
    assert find_secrets({"state": "abc123"}, {"abc123"}, state_token_allowed="state") == []


def test_the_thread_server_and_the_standalone_bind_loopback_by_default(tmp_path: Path) -> None:
    with EmulatorServer() as server:
        assert server._server.socket.getsockname()[0] == "127.0.0.1"
    with standalone(tmp_path) as process:
        port = int(process.url.rsplit(":", 1)[1])
        listening = _listening_addresses(port)
        assert listening == {"127.0.0.1"}, listening


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of LISTEN sockets on ``port`` (Linux /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            pytest.skip("needs Linux /proc/net/tcp")
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:
                if len(address) == 8:
                    found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
                else:
                    found.add(f"ipv6:{address}")
    return found


def test_binding_another_address_is_warned_about() -> None:
    """``--host 0.0.0.0`` is allowed, but the emulator says its demo credentials are public."""
    everywhere = "0.0.0.0"  # noqa: S104 - the point of the test; the port only lives a moment
    command = [sys.executable, "-m", "emulator", "serve", "--host", everywhere, "--port", "0"]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()  # the banner's first line: it is up
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "warning: binding 0.0.0.0: the emulator accepts requests from other machines" in err


TLS = tuple[EmulatorServer, TLSFront, TokenRecorder]


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLS]:
    """An HTTPS front (self-signed) for a thread server, plus the tokens it issues."""
    directory = tmp_path_factory.mktemp("tls")
    with (
        TokenRecorder() as recorder,
        EmulatorServer() as server,
        tls_front(server.port, directory) as front,
    ):
        yield server, front, recorder


def _tls_env(server: EmulatorServer, front_url: str, home: Path, **extra: str) -> dict[str, str]:
    env = live_env(server, home, SERVER_ID=server.server_ids[0])
    # The front's catalog names its HTTPS endpoints (tls_proxy): COMPUTE comes from it.
    env.update(OS_AUTH_URL=f"{front_url}/identity/v3", **extra)
    return env


def test_tls_is_verified_by_default_nothing_reaches_a_self_signed_endpoint(
    tls: TLS, tmp_path: Path
) -> None:
    server, front, _ = tls
    server.reset()
    args = ["--target", "live", "--state-file", str(tmp_path / "s.json"), "--no-evidence", *FAST]
    result = run_runbook(
        [*args, "--confirm-manual", "--to-step", "3"], _tls_env(server, front.url, tmp_path)
    )
    assert result.returncode == 1
    assert "TLS verification failed" in result.output
    assert "CERTIFICATE_VERIFY_FAILED" in result.output
    assert "give the CA bundle with --ca-bundle or OS_CACERT" in result.output
    assert server.requests_log() == []  # refused during the handshake: not one request sent
    with_ca = run_runbook(
        [*args, "--confirm-manual", "--to-step", "3"],
        _tls_env(server, front.url, tmp_path, OS_CACERT=str(front.ca_bundle)),
    )
    assert with_ca.returncode == 0, with_ca.output


def test_insecure_is_warned_about_and_still_leaks_nothing(tls: TLS, tmp_path: Path) -> None:
    server, front, recorder = tls
    server.reset()
    args = [
        "--target", "live", "--state-file", str(tmp_path / "s.json"),
        "--evidence", str(tmp_path / "evidence"), *FAST, *CONFIRMED, "--insecure",
    ]  # fmt: skip
    result = run_runbook(args, _tls_env(server, front.url, tmp_path))
    assert result.returncode == 0, result.output
    assert "WARNING: TLS certificates are NOT verified (--insecure)" in result.output
    assert [e["status"] for e in requests_to(server.requests_log(), "POST", "/action")] == [202]
    evidence = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "evidence").iterdir()}
    assert find_secrets({"output": result.output, **evidence}, recorder.tokens) == []
    assert ADMIN_PASS not in result.output
