"""The seed document's two curl commands, run by a shell against the thread server.

Steps 4 and 5 of "移行前の作業": ``os-stop`` must answer ``202 Accepted`` and the status check
must reach ``"status": "SHUTOFF"``. The token comes from Keystone through curl as well (step 2).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest

import emulator

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")

# Verbatim from the seed document, except its typographic en dash in "–X" (which curl would take
# as a URL) is the ASCII "-X" the command means.
STOP_COMMAND = (
    'curl -i -X POST -H "X-Auth-Token: ${TOKEN}" -H "Content-Type: application/json" '
    "${COMPUTE}/v2/${PROJECT_ID}/servers/${SERVER_ID}/action -d '{\"os-stop\": null}'"
)
SHOW_COMMAND = (
    'curl -X GET -H "X-Auth-Token: ${TOKEN}" ${COMPUTE}/v2/${PROJECT_ID}/servers/${SERVER_ID}'
)
# Step 2: the password goes to curl on stdin, never on its command line.
TOKEN_COMMAND = (
    'curl -si -X POST -H "Content-Type: application/json" ${OS_AUTH_URL}/auth/tokens -d @-'
)
TIMEOUT_SECONDS = 30
POLL_SLEEP_SECONDS = 0.05
POLL_ATTEMPTS = 200  # 10 s of polling at most; the stop completes in 0.2 s


def shell(command: str, env: dict[str, str], stdin: str = "") -> str:
    """Run ``command`` with ``/bin/sh`` (the document's ``#`` prompt) and return its stdout."""
    done = subprocess.run(
        ["/bin/sh", "-c", command],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        input=stdin.encode(),
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=True,
    )
    # Bytes, decoded by hand: text mode would turn the HTTP header lines' CRLF into LF.
    return done.stdout.decode("utf-8")


def issue_token(server: emulator.EmulatorServer) -> tuple[str, str]:
    """Step 2 with curl: Keystone's status line and the token from ``X-Subject-Token``."""
    credentials = server.credentials
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": credentials["OS_USERNAME"],
                        "domain": {"name": credentials["OS_USER_DOMAIN_NAME"]},
                        "password": credentials["OS_PASSWORD"],
                    }
                },
            },
            "scope": {"project": {"id": credentials["OS_PROJECT_ID"]}},
        }
    }
    output = shell(TOKEN_COMMAND, {"OS_AUTH_URL": server.auth_url}, stdin=json.dumps(body))
    status_line, *headers = output.split("\r\n\r\n", 1)[0].split("\r\n")
    # Only the status line goes into assertion messages: the headers carry the token.
    assert status_line.split(" ", 2)[:2] == ["HTTP/1.1", "201"], status_line
    token = next(
        line.split(":", 1)[1].strip()
        for line in headers
        if line.lower().startswith("x-subject-token:")
    )
    return status_line, token


def seed_variables(server: emulator.EmulatorServer, token: str) -> dict[str, str]:
    """Step 3 of the document: COMPUTE, TOKEN, PROJECT_ID and SERVER_ID."""
    return {
        "COMPUTE": server.compute_url,
        "TOKEN": token,
        "PROJECT_ID": server.project_id,
        "SERVER_ID": server.server_ids[0],
    }


def test_seed_document_stop_then_status_reaches_shutoff(
    thread_server: emulator.EmulatorServer,
) -> None:
    thread_server.set_timing(0.2)  # stopping takes a moment, as on the cloud
    variables = seed_variables(thread_server, issue_token(thread_server)[1])

    stop_output = shell(STOP_COMMAND, variables)
    # レスポンスステータスが"202 Accepted"の場合、成功です。(the phrase: the test below)
    status_line, _, rest = stop_output.partition("\r\n")
    assert status_line.split(" ", 2)[:2] == ["HTTP/1.1", "202"], status_line
    assert rest.split("\r\n\r\n", 1)[1] == ""  # Nova's os-stop answers with no body

    statuses = []
    for _ in range(POLL_ATTEMPTS):
        server = json.loads(shell(SHOW_COMMAND, variables))["server"]
        statuses.append(server["status"])
        if server["status"] == "SHUTOFF":
            break
        time.sleep(POLL_SLEEP_SECONDS)
    # レスポンスボディの"status"が"SHUTOFF"になっている場合、仮想サーバは停止しています。
    assert statuses[-1] == "SHUTOFF", statuses
    assert set(statuses[:-1]) <= {"ACTIVE"}
    assert (server["OS-EXT-STS:vm_state"], server["OS-EXT-STS:power_state"]) == ("stopped", 4)
    assert server["OS-EXT-STS:task_state"] is None
    assert server["id"] == variables["SERVER_ID"]


@pytest.mark.parametrize("thread_server", ["jp-east-1"], indirect=True)
def test_status_lines_carry_the_standard_reason_phrases(
    thread_server: emulator.EmulatorServer,
) -> None:
    """The document's success criterion is the literal "202 Accepted" (webob's phrases in Nova)."""
    token_status, token = issue_token(thread_server)
    variables = seed_variables(thread_server, token)
    stop_status = shell(STOP_COMMAND, variables).split("\r\n", 1)[0]
    missing = {**variables, "SERVER_ID": "00000000-0000-4000-8000-000000000000"}
    not_found_status = shell(SHOW_COMMAND.replace("curl ", "curl -i ", 1), missing).split(
        "\r\n", 1
    )[0]

    assert (token_status, stop_status, not_found_status) == (
        "HTTP/1.1 201 Created",
        "HTTP/1.1 202 Accepted",
        "HTTP/1.1 404 Not Found",
    )
