"""The dry run's curl commands, run by a real POSIX shell with ``curl`` replaced by an argument dump."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from runbook.curl import export_lines, show_command, stop_command, token_command
from runbook.identity import PasswordAuth

# A curl that writes each argument on its own line (NUL-separated) to fd 3 and answers like
# Keystone, so the token pipeline (awk + tr) can be checked too.
FAKE_CURL = r"""
curl() {
  for arg in "$@"; do printf '%s\0' "$arg" >&3; done
  printf 'HTTP/1.1 201 Created\r\nX-Subject-Token: tok-123\r\nContent-Type: application/json\r\n\r\n{}'
}
"""


def _shell(command: str, tmp_path: Path, **env: str) -> tuple[list[str], str]:
    dump = tmp_path / "args"
    script = f'{FAKE_CURL}\nexec 3>{dump}\n{command}\nprintf %s "${{TOKEN-}}"'
    done = subprocess.run(
        ["sh", "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        check=True,
    )
    return dump.read_text().split("\0")[:-1], done.stdout


def test_token_command_sends_the_password_from_the_shell_and_strips_cr_lf(tmp_path: Path) -> None:
    auth = PasswordAuth(
        auth_url="https://identity.jp-east-1.cloud.global.fujitsu.com/v3",
        password="never-printed",
        username="o'neil",  # a quote in a value must survive the shell quoting
        user_domain_name="ab12345678",
        project_id="790f1c092038413a8dd6771a033b17f5",
    )
    command = token_command(auth)
    password = "it's a $pass word!"

    args, token = _shell(command, tmp_path, OS_PASSWORD=password)

    assert "never-printed" not in command
    assert args[:4] == ["-si", "-X", "POST", "-H"]
    assert args[5] == "https://identity.jp-east-1.cloud.global.fujitsu.com/v3/auth/tokens"
    body = json.loads(args[args.index("-d") + 1])
    user = body["auth"]["identity"]["password"]["user"]
    assert user == {"name": "o'neil", "domain": {"name": "ab12345678"}, "password": password}
    assert body["auth"]["scope"] == {"project": {"id": "790f1c092038413a8dd6771a033b17f5"}}
    assert token == "tok-123"  # X-Subject-Token, CR/LF removed


def test_stop_and_show_commands_are_the_documents_with_dash_x(tmp_path: Path) -> None:
    env = {
        "TOKEN": "tok",
        "COMPUTE": "https://compute.jp-east-3.cloud.global.fujitsu.com",
        "PROJECT_ID": "p1",
        "SERVER_ID": "s1",
    }

    stop_args, _ = _shell(stop_command("v2.1"), tmp_path, **env)
    assert stop_args == [
        "-i", "-X", "POST", "-H", "X-Auth-Token: tok", "-H", "Content-Type: application/json",
        "https://compute.jp-east-3.cloud.global.fujitsu.com/v2.1/p1/servers/s1/action", "-d", '{"os-stop": null}',
    ]  # fmt: skip
    show_args, _ = _shell(show_command("v2"), tmp_path, **env)
    assert show_args == [
        "-X",
        "GET",
        "-H",
        "X-Auth-Token: tok",
        "https://compute.jp-east-3.cloud.global.fujitsu.com/v2/p1/servers/s1",
    ]


def test_tls_flags_follow_the_settings() -> None:
    assert stop_command("v2", "/etc/ssl/my ca.pem").startswith(
        "curl -i --cacert '/etc/ssl/my ca.pem' -X POST"
    )
    assert show_command("v2", False).startswith("curl -k -X GET")


def test_export_lines_quote_values_and_keep_placeholders(tmp_path: Path) -> None:
    lines = export_lines({"COMPUTE": "https://x.example/a b", "SERVER_ID": None})

    assert lines == ["export COMPUTE='https://x.example/a b'", "export SERVER_ID=<SERVER_ID>"]
    _, out = _shell(lines[0] + '\nTOKEN="$COMPUTE"', tmp_path)
    assert out == "https://x.example/a b"
