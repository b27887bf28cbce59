"""Request parsing the way nova/api/openstack/wsgi.py does it: content type, action body, filters."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from emulator.compute.errors import BadRequest, ItemNotFound, UnsupportedMediaType

# nova/api/openstack/wsgi.py _SUPPORTED_CONTENT_TYPES
SUPPORTED_CONTENT_TYPES = ("application/json", "application/vnd.openstack.compute+json")
REBOOT_TYPES = ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]


def check_content_type() -> None:
    """415 ``Unsupported Content-Type`` unless the body is JSON (wsgi.Request.get_content_type).

    Like Nova, a missing Content-Type or ``text/plain`` is read as JSON.
    """
    if "Content-Type" not in request.headers:
        return
    mimetype = request.mimetype
    if mimetype and mimetype != "text/plain" and mimetype not in SUPPORTED_CONTENT_TYPES:
        raise UnsupportedMediaType("Unsupported Content-Type")


def action_from_body(raw: bytes) -> tuple[str, Any]:
    """The single ``{"<action>": value}`` of an action body (wsgi.py ``action_peek``)."""
    try:
        decoded = json.loads(raw)
    except (ValueError, RecursionError):  # ValueError covers invalid UTF-8; deep nesting recurses
        raise BadRequest("Malformed request body") from None
    if not isinstance(decoded, dict):
        # action_peek: len() of a non-dict raises TypeError, .keys() AttributeError; Nova's
        # get_method turns both into a bare 404. A list/str of another length is "too many keys".
        if isinstance(decoded, list | str) and len(decoded) != 1:
            raise BadRequest("Malformed request body")
        raise ItemNotFound("The resource could not be found.")
    if len(decoded) != 1:
        raise BadRequest("Malformed request body")
    key = next(iter(decoded))
    return key, decoded[key]


def reboot_type(value: Any) -> str:
    """``"SOFT"`` or ``"HARD"`` from ``{"reboot": {"type": ...}}`` (schemas/servers.py reboot)."""
    if not isinstance(value, dict):
        raise BadRequest(_invalid("reboot", value, f"{_py(value)} is not of type 'object'"))
    extra = sorted(set(value) - {"type"})
    if extra:
        listed = ", ".join(repr(k) for k in extra)
        verb = "was" if len(extra) == 1 else "were"
        raise BadRequest(
            _invalid(
                "reboot",
                value,
                f"Additional properties are not allowed ({listed} {verb} unexpected)",
            )
        )
    if "type" not in value:
        raise BadRequest(_invalid("reboot", value, "'type' is a required property"))
    kind = value["type"]
    if kind not in REBOOT_TYPES:
        raise BadRequest(_invalid("type", kind, f"{_py(kind)} is not one of {REBOOT_TYPES}"))
    return str(kind).upper()


def _invalid(path: str, value: Any, message: str) -> str:
    # nova/api/validation/validators.py _SchemaValidator.validate
    return f"Invalid input for field/attribute {path}. Value: {_str(value)}. {message}"


def _str(value: Any) -> str:
    return value if isinstance(value, str) else _py(value)


def _py(value: Any) -> str:
    return repr(value)


def name_matcher(pattern: str | None) -> Any:
    """Nova filters ``name`` as a regular expression (``re.search``); a broken one as plain text."""
    if pattern is None:
        return lambda _name: True
    try:
        compiled = re.compile(pattern)
    except re.error:
        compiled = re.compile(re.escape(pattern))
    return lambda name: compiled.search(name) is not None


def limit_and_marker(max_limit: int) -> tuple[int, str | None]:
    """``limit`` (at most ``max_limit``) and ``marker``, as nova/api/openstack/common.py
    get_limit_and_marker: ``min(CONF.api.max_limit, limit)``."""
    limit = max_limit
    text = request.args.get("limit")
    if text is not None:
        try:
            limit = int(text)
        except ValueError:
            raise BadRequest("limit param must be an integer") from None
        if limit < 0:
            raise BadRequest("limit param must be positive")
    return min(limit, max_limit), request.args.get("marker")


def bool_filter(name: str, text: str) -> bool | None:
    """``is_public``: ``none`` means all, otherwise a strict boolean (flavors.py _parse_is_public)."""
    lowered = text.strip().lower()
    if lowered == "none":
        return None
    if lowered in ("1", "t", "true", "on", "y", "yes"):
        return True
    if lowered in ("0", "f", "false", "off", "n", "no"):
        return False
    raise BadRequest(f"Invalid {name} filter [{text}]")


def int_filter(name: str) -> int | None:
    """``minRam`` / ``minDisk`` (flavors.py: ``Invalid <name> filter [<value>]``)."""
    text = request.args.get(name)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise BadRequest(f"Invalid {name} filter [{text}]") from None
    if value < 0:
        raise BadRequest(f"Invalid {name} filter [{text}]")
    return value
