"""A fleet's list as the operator gives it: ``--servers FILE`` (lines or YAML), ``--server-id``.

Read at pytest's configure time, before anything is asked or sent: an entry that can be neither a
server id (a UUID) nor a Nova server name is a usage error naming the file and the line.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml


@dataclass(frozen=True)
class Selector:
    """One server as the operator named it: a UUID (lower-cased) or a name, and where it was given."""

    text: str
    origin: str

    @property
    def is_id(self) -> bool:
        """A UUID (Nova's server ids); anything else is a name, resolved in step 3."""
        return as_uuid(self.text) is not None


def as_uuid(text: str) -> str | None:
    """``text`` as Nova's canonical id (a lower-case UUID with dashes), or None."""
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        return None
    return str(parsed) if str(parsed) == text.lower() else None


def read_servers_file(path: Path) -> list[Selector]:
    """One UUID or name per line (``#`` starts a comment), or YAML: a list, or ``servers:`` a list.

    YAML entries are strings or mappings with ``id`` or ``name``. A file that is neither, or an
    entry that can be no server's id or name, is refused with the line or entry that is wrong.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM (Notepad, Excel) is not a name
    except (OSError, UnicodeDecodeError) as exc:
        raise pytest.UsageError(f"runbook: --servers {path}: cannot read it: {exc}") from exc
    if _is_yaml(path, text):
        return _yaml_selectors(path, text)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if entry:
            found.append(
                parse_selector(entry, f"{path} line {number}", f"--servers {path} line {number}")
            )
    return found


def _is_yaml(path: Path, text: str) -> bool:
    """YAML by its name, or by its first line that is not blank or a comment (a list or a key)."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return True
    significant = (line.strip() for line in text.splitlines())
    first = next((line for line in significant if line and not line.startswith("#")), "")
    return first == "-" or first.startswith(("- ", "---", "servers:", "["))


def _yaml_selectors(path: Path, text: str) -> list[Selector]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise pytest.UsageError(f"runbook: --servers {path}: not valid YAML: {exc}") from exc
    entries = data.get("servers") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise pytest.UsageError(
            f"runbook: --servers {path}: expected a list of servers (or `servers:` with a list)"
        )
    found = []
    for index, entry in enumerate(entries):
        is_id = isinstance(entry, dict) and "id" in entry
        value = (
            (entry.get("id") if is_id else entry.get("name")) if isinstance(entry, dict) else entry
        )
        # YAML reads `yes` as a boolean and `1.5` as a number: neither is what was meant.
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
            raise pytest.UsageError(
                f"runbook: --servers {path}: entry {index + 1} ({entry!r}) is neither a UUID nor a "
                "name (give a string, or a mapping with `id` or `name`)"
            )
        origin = f"{path} entry {index + 1}"
        name_instead = "a name is given as `name:`" if is_id else None
        found.append(
            parse_selector(str(value), origin, f"--servers {origin}", ids_only=name_instead)
        )
    return found


NAMES_IN_A_FILE = "names go in a --servers file, one per line"
# Nova's server names (nova/api/validation/parameter_types.py, ``name``: 1–255 characters, each
# "printable": no control or format character (Unicode category C*), no separator but a space).
_NAME_MAX = 255
# Hex digits and dashes only, in the shape of a server id: a UUID cut short or mistyped.
_ID_LIKE = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]*)+|[0-9a-f]{32}")


def parse_selector(text: str, origin: str, where: str, *, ids_only: str | None = None) -> Selector:
    """``text`` as a server id or name; refused (a usage error) when it can be neither.

    ``ids_only``: only an id is meant here; the text says where a name would go instead.
    """
    entry = text.strip()
    as_id = as_uuid(entry)
    if as_id is not None:
        return Selector(as_id, origin)
    problem = (
        "is not a server id (a UUID such as dbf93607-f105-4e86-842c-02ae504efe36); " + ids_only
        if ids_only
        else _not_a_name(entry)
    )
    if problem is not None:
        shown = entry if len(entry) <= 60 else entry[:60] + "…"
        raise pytest.UsageError(
            f"runbook: {where}: {shown!r} {problem}. Nothing was asked or sent."
        )
    return Selector(entry, origin)


def _not_a_name(entry: str) -> str | None:
    """Why ``entry`` (not a UUID) cannot be a server's name either, or None."""
    if _ID_LIKE.fullmatch(entry.lower()):
        return (
            "looks like a server id but is not a whole UUID (cut short or mistyped?): give the id "
            "as `openstack server list` shows it, or the server's name"
        )
    if len(entry) > _NAME_MAX:
        return f"is {len(entry)} characters long: a Nova server name has at most {_NAME_MAX}"
    bad = next((char for char in entry if not _printable(char)), None)
    if bad is not None:
        return (
            f"contains U+{ord(bad):04X} ({unicodedata.name(bad, 'a control character')}), which "
            "no Nova server name has"
        )
    return None


def _printable(char: str) -> bool:
    category = unicodedata.category(char)
    return not category.startswith("C") and (not category.startswith("Z") or category == "Zs")
