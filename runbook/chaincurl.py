"""The dry run's curl commands for pages 2–5, in the form of Fujitsu's pages (``${TOKEN}`` etc.).

Fujitsu's own commands are kept where the page has them (the region-3 container PUT [P2], the
cancel [P6]); the others are built like them (``runbook.pages`` says which). The export request
uses a ``param.json`` like the sibling import page [P12]; the heredoc expands ``${IMAGE_ID}``.
"""

from __future__ import annotations

import json
import shlex

from runbook.blockstorage import upload_body
from runbook.curl import _tls_flags

AUTH = '-H "X-Auth-Token: ${TOKEN}"'
JSON = '-H "Content-Type: application/json"'


def _account(version: str) -> str:
    return f"${{OBJECTSTORAGE}}/{version}/AUTH_${{PROJECT_ID}}"


def upload_command(image_name: str, verify: bool | str = True) -> str:
    """2.3: ``os-volume_upload_image`` on the system volume."""
    body = shlex.quote(json.dumps(upload_body(image_name)))
    return (
        f"curl -i{_tls_flags(verify)} -X POST {AUTH} {JSON} "
        f'"${{BLOCKSTORAGE}}/v2/${{PROJECT_ID}}/volumes/${{VOLUME_ID}}/action" -d {body}'
    )


def image_command(verify: bool | str = True) -> str:
    """2.4: read the image (status, sync_status_reason)."""
    return f'curl{_tls_flags(verify)} -X GET {AUTH} "${{IMAGE}}/v2/images/${{IMAGE_ID}}"'


def container_command(account_version: str, verify: bool | str = True) -> str:
    """3.3: [P2]'s container PUT (201 created, 202 already there)."""
    return f'curl -i{_tls_flags(verify)} {AUTH} "{_account(account_version)}/${{CONTAINER}}" -X PUT'


def listing_command(account_version: str, verify: bool | str = True) -> str:
    """3.4 / 5.3: the container's objects, as JSON (name, bytes, hash)."""
    return (
        f'curl{_tls_flags(verify)} {AUTH} "{_account(account_version)}/${{CONTAINER}}?format=json"'
    )


def export_list_command(verify: bool | str = True) -> str:
    """3.4: the project's exports (an export of this image to this container refuses a new one)."""
    return f'curl{_tls_flags(verify)} {AUTH} "${{IMPORT_EXPORT}}/v1/imageexport"'


def export_command(account_version: str, verify: bool | str = True) -> str:
    """3.4: ``POST /v1/imageexport -d @param.json`` (``export_id`` in the answer)."""
    return "\n".join(
        [
            "cat > param.json <<EOF",
            f'{{"image_id": "${{IMAGE_ID}}", "storage_container": "/{account_version}/AUTH_${{PROJECT_ID}}/${{CONTAINER}}"}}',
            "EOF",
            f'curl -i{_tls_flags(verify)} -X POST {AUTH} {JSON} "${{IMPORT_EXPORT}}/v1/imageexport" -d @param.json',
        ]
    )


def cancel_command(verify: bool | str = True) -> str:
    """4.3: [P6]'s command, verbatim but for the quotes."""
    return f'curl -i{_tls_flags(verify)} -X POST {AUTH} "${{IMPORT_EXPORT}}/v1/imageexport/${{EXPORT_ID}}/cancel"'


def status_command(verify: bool | str = True) -> str:
    """4.4: the export's status (the import twin's form [P13])."""
    return (
        f'curl{_tls_flags(verify)} {AUTH} "${{IMPORT_EXPORT}}/v1/imageexport/${{EXPORT_ID}}/status"'
    )


def download_command(account_version: str, name: str, verify: bool | str = True) -> str:
    """5.4: one file; ``-C -`` resumes a broken download with a Range request."""
    quoted = shlex.quote(name)
    return (
        f"curl{_tls_flags(verify)} -f -C - -o {quoted} {AUTH} "
        f'"{_account(account_version)}/${{CONTAINER}}/"{quoted}'
    )


def delete_image_command(verify: bool | str = True) -> str:
    """5.6: delete the image (204)."""
    return f'curl -i{_tls_flags(verify)} -X DELETE {AUTH} "${{IMAGE}}/v2/images/${{IMAGE_ID}}"'


def start_command(version: str, verify: bool | str = True) -> str:
    """5.7: start the server again, like page 1's stop command."""
    return (
        f"curl -i{_tls_flags(verify)} -X POST {AUTH} {JSON} "
        f'"${{COMPUTE}}/{version}/${{PROJECT_ID}}/servers/${{SERVER_ID}}/action" '
        "-d '{\"os-start\": null}'"
    )
