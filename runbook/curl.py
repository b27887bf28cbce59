"""The dry run's copy-pasteable curl commands, one per step, as in the seed document.

Differences from the document, on purpose: ``-X`` (the document prints an en dash ``–X`` that
curl does not read as an option), URLs in double quotes so the shell expands ``${…}`` but never
splits them, and the token only ever as ``${TOKEN}``. Values are quoted for a POSIX shell with
``shlex.quote``; the password is read from ``$OS_PASSWORD`` and never printed.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from runbook.identity import PasswordAuth


def _tls_flags(verify: bool | str) -> str:
    if verify is False:
        return " -k"
    if isinstance(verify, str):
        return f" --cacert {shlex.quote(verify)}"
    return ""


def export_lines(values: dict[str, str | None]) -> list[str]:
    """``export NAME=value`` lines (shell-quoted); missing values stay as placeholders."""
    lines = []
    for name, value in values.items():
        shown = shlex.quote(value) if value else f"<{name}>"
        lines.append(f"export {name}={shown}")
    return lines


def token_command(auth: PasswordAuth, verify: bool | str = True) -> str:
    """Step 2: get a token into ``$TOKEN`` (CR/LF stripped), the password from ``$OS_PASSWORD``."""
    body = auth.body()
    placeholder = "@@OS_PASSWORD@@"
    body["auth"]["identity"]["password"]["user"]["password"] = placeholder
    # Close the single quotes around "$OS_PASSWORD" so the shell substitutes it, unsplit.
    data = shlex.quote(json.dumps(body, ensure_ascii=False)).replace(
        placeholder, "'\"$OS_PASSWORD\"'"
    )
    return (
        f'TOKEN=$(curl -si{_tls_flags(verify)} -X POST -H "Content-Type: application/json" '
        f"{shlex.quote(auth.tokens_url)} -d {data} "
        "| awk 'tolower($1) == \"x-subject-token:\" {print $2}' | tr -d '\\r\\n')"
    )


def stop_command(version: str, verify: bool | str = True) -> str:
    """Step 4, the document's command with ``-X``."""
    return (
        f'curl -i{_tls_flags(verify)} -X POST -H "X-Auth-Token: ${{TOKEN}}" '
        '-H "Content-Type: application/json" '
        f'"${{COMPUTE}}/{version}/${{PROJECT_ID}}/servers/${{SERVER_ID}}/action" '
        "-d '{\"os-stop\": null}'"
    )


def show_command(version: str, verify: bool | str = True) -> str:
    """Step 5, the document's command."""
    return (
        f'curl{_tls_flags(verify)} -X GET -H "X-Auth-Token: ${{TOKEN}}" '
        f'"${{COMPUTE}}/{version}/${{PROJECT_ID}}/servers/${{SERVER_ID}}"'
    )


def json_preview(data: Any) -> str:
    """Compact JSON for a one-line note."""
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


def as_transcript(command: str) -> list[str]:
    """A command as a shell transcript: ``$ `` before each command, ``> `` (the shell's PS2)
    before the lines of a here-document up to its terminator, exports and comments as they are.
    """
    lines: list[str] = []
    heredoc: str | None = None
    for line in command.splitlines():
        if heredoc is not None:
            lines.append(f"> {line}")
            heredoc = None if line.strip() == heredoc else heredoc
        elif line.startswith(("export ", "#")):
            lines.append(line)
        else:
            lines.append(f"$ {line}")
            match = re.search(r"<<-?\s*['\"]?(\w+)['\"]?\s*$", line)
            heredoc = match.group(1) if match else None
    return lines
