"""``python -m emulator serve`` as a real subprocess on ``--port 0``: banner, curl, Ctrl-C, errors."""

from __future__ import annotations

import errno
import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import waitress

from emulator.__main__ import ServeOptions, UserError, is_loopback, main, serve

DOC_PROJECT = "790f1c092038413a8dd6771a033b17f5"
DOC_SERVER = "dbf93607-f105-4e86-842c-02ae504efe36"
START_TIMEOUT_SECONDS = 20
# The seed document's two commands, with its typographic "–X" written as the "-X" it means.
STOP_COMMAND = (
    'curl -i -X POST -H "X-Auth-Token: ${TOKEN}" -H "Content-Type: application/json" '
    "${COMPUTE}/v2/${PROJECT_ID}/servers/${SERVER_ID}/action -d '{\"os-stop\": null}'"
)
SHOW_COMMAND = (
    'curl -X GET -H "X-Auth-Token: ${TOKEN}" ${COMPUTE}/v2/${PROJECT_ID}/servers/${SERVER_ID}'
)


@dataclass
class Standalone:
    process: subprocess.Popen[str]
    banner: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start(*args: str) -> Standalone:
    """Start the standalone emulator and read its banner up to the ``export TOKEN`` line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    # A reader thread, because a blocking readline() cannot time out.
    threading.Thread(target=_read_lines, args=(process, lines), daemon=True).start()
    banner: list[str] = []
    try:
        while not (banner and banner[-1].startswith("export TOKEN=")):
            banner.append(lines.get(timeout=START_TIMEOUT_SECONDS).rstrip("\n"))
    except queue.Empty:
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"no banner; stdout {banner!r}, stderr {err!r}") from None
    text = "\n".join(banner)
    match = re.search(r"listening on http://127\.0\.0\.1:(\d+) ", text)
    assert match, text
    return Standalone(process, text, int(match.group(1)))


def _read_lines(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in iter(process.stdout.readline, ""):
        lines.put(line)
        if line.startswith("export TOKEN="):
            return  # leave the rest (nothing) to communicate()


def interrupt(standalone: Standalone) -> tuple[int, str]:
    """Ctrl-C (SIGINT) and wait; returns the exit code and stderr."""
    standalone.process.send_signal(signal.SIGINT)
    _, err = standalone.process.communicate(timeout=10)
    return standalone.process.returncode, err


@pytest.fixture(scope="module")
def immediate() -> Iterator[Standalone]:
    """One standalone emulator with immediate transitions for this module."""
    standalone = start("--timing", "immediate")
    yield standalone
    if standalone.process.poll() is None:
        standalone.process.kill()
        standalone.process.communicate()


def exports_of(banner: str) -> str:
    return "\n".join(line for line in banner.splitlines() if line.startswith("export "))


def test_banner_prints_urls_demo_login_servers_and_exports(immediate: Standalone) -> None:
    banner, url = immediate.banner, immediate.url
    assert f"identity (OS_AUTH_URL)  {url}/identity/v3" in banner
    assert f"COMPUTE                 {url}/compute" in banner
    assert "region                  jp-east-1 (compute API /v2)" in banner
    assert f"project                 {DOC_PROJECT} (demo-project)" in banner
    assert "password                demo-password  (a demo value from the seed" in banner
    assert f"    {DOC_SERVER}  Win2012R2SE  ACTIVE" in banner
    for line in (
        f"export OS_AUTH_URL={url}/identity/v3",
        "export OS_USERNAME=demo-user",
        "export OS_PASSWORD=demo-password",
        "export OS_USER_DOMAIN_NAME=demo0001",
        f"export OS_PROJECT_ID={DOC_PROJECT}",
        "export OS_REGION_NAME=jp-east-1",
        "export OS_IDENTITY_API_VERSION=3",
        "export OS_INTERFACE=public",
        f"export COMPUTE={url}/compute",
        f"export PROJECT_ID={DOC_PROJECT}",
        f"export SERVER_ID={DOC_SERVER}",
    ):
        assert line in banner.splitlines()
    assert "Password0" not in banner  # admin_pass stays out


def test_health_answers(immediate: Standalone) -> None:
    health = requests.get(f"{immediate.url}/_emulator/health", timeout=5)
    assert (health.status_code, health.json()["status"]) == (200, "ok")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_printed_exports_and_the_documents_curl_commands(immediate: Standalone) -> None:
    requests.post(f"{immediate.url}/_emulator/reset", timeout=5)
    script = "\n".join(
        [
            "set -e",
            exports_of(immediate.banner),
            'test -n "$TOKEN"',
            STOP_COMMAND,
            "echo",
            "echo ---",
            SHOW_COMMAND,
        ]
    )
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        timeout=30,
        check=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    stop_output, show_output = done.stdout.decode().split("\n---\n")
    assert stop_output.startswith("HTTP/1.1 202 Accepted\r\n")
    assert json.loads(show_output)["server"]["status"] == "SHUTOFF"


def test_ctrl_c_stops_cleanly_with_exit_code_0() -> None:
    standalone = start("--timing", "manual")
    code, err = interrupt(standalone)
    assert code == 0
    assert err.strip().endswith("emulator stopped")
    assert "Traceback" not in err


def test_sigterm_stops_cleanly_too() -> None:
    standalone = start()
    standalone.process.terminate()
    _, err = standalone.process.communicate(timeout=10)
    assert standalone.process.returncode == 0
    assert "emulator stopped" in err


def test_options_show_in_the_banner(tmp_path: Path) -> None:
    standalone = start("--region", "jp-west-3", "--transition-seconds", "1.5", "--no-control-plane")
    try:
        assert "region                  jp-west-3 (compute API /v2.1)" in standalone.banner
        assert "transitions             1.5 s per stop/start" in standalone.banner
        assert "control plane           off" in standalone.banner
        health = requests.get(f"{standalone.url}/_emulator/health", timeout=5)
        assert health.status_code == 404
    finally:
        assert interrupt(standalone)[0] == 0


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", *args], capture_output=True, text=True, timeout=30
    )


def test_bad_seed_file_exits_1_naming_file_and_field(tmp_path: Path) -> None:
    seed = tmp_path / "bad.yaml"
    seed.write_text("servers:\n  - {name: x, status: RUNNING}\n")
    done = run_cli("serve", "--port", "0", "--seed", str(seed))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"python -m emulator serve: error: {seed}: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_missing_seed_file_exits_1(tmp_path: Path) -> None:
    done = run_cli("serve", "--seed", str(tmp_path / "nope.yaml"))
    assert done.returncode == 1
    assert "cannot read the seed file" in done.stderr


def test_port_in_use_exits_1_and_suggests_port_0(immediate: Standalone) -> None:
    done = run_cli("serve", "--port", str(immediate.port))
    assert done.returncode == 1
    assert f"port {immediate.port} on 127.0.0.1 is already in use" in done.stderr
    assert "--port 0" in done.stderr


def test_bad_token_lifetime_exits_1_and_bad_timing_is_a_usage_error() -> None:
    lifetime = run_cli("serve", "--port", "0", "--token-lifetime", "0")
    assert lifetime.returncode == 1
    assert "token_lifetime_seconds must be > 0" in lifetime.stderr
    timing = run_cli("serve", "--timing", "fast")
    assert timing.returncode == 2
    assert "timing must be 'immediate', 'manual' or a number of seconds" in timing.stderr


def test_help_and_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "serve" in capsys.readouterr().out
    assert main([]) == 2
    assert "usage: python -m emulator" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),  # noqa: S104 - a string under test, nothing binds it
        ("10.0.0.5", False),
    ],
)
def test_non_loopback_hosts_are_recognised_for_the_warning(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_openstacksdk_with_the_printed_exports_stops_and_waits_for_shutoff() -> None:
    """Issue 3: openstacksdk against the standalone server, configured only by its OS_* lines."""
    standalone = start("--timing", "1")  # long enough to see powering-off on a busy machine
    try:
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in standalone.banner.splitlines()
            if line.startswith("export OS_")
        )
        script = (
            "import openstack\n"
            "conn = openstack.connect()\n"  # OS_* from the environment, as a shell user would
            "server = conn.compute.find_server('Win2012R2SE', ignore_missing=False)\n"
            "conn.compute.stop_server(server)\n"
            "print(conn.compute.get_server(server).task_state)\n"
            "server = conn.compute.wait_for_server(server, status='SHUTOFF', interval=0.05, wait=10)\n"
            "print(server.status, server.power_state)\n"
        )
        environment = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        done = subprocess.run(
            [sys.executable, "-c", script],
            env={**environment, **exports},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == ["powering-off", "SHUTOFF 4"]
    finally:
        assert interrupt(standalone)[0] == 0


def test_a_non_loopback_host_warns_before_binding(monkeypatch: pytest.MonkeyPatch) -> None:
    def port_taken(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EADDRINUSE, "Address already in use")

    monkeypatch.setattr(waitress, "create_server", port_taken)  # nothing is really bound
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(UserError, match=r"port 8774 on 10\.1\.2\.3 is already in use"):
        serve(ServeOptions(host="10.1.2.3"), out=out, err=err)
    assert err.getvalue().startswith("warning: binding 10.1.2.3: the emulator accepts requests")
    assert out.getvalue() == ""
