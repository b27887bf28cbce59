"""Readers for the fields of a seed document: each names the field and the problem on error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar


class SeedError(ValueError):
    """A seed document that cannot be used; the message names the file and the field."""


class _Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


_Entry = TypeVar("_Entry", bound=_Named)


class FieldReader:
    """Type-checked reads of a parsed YAML/JSON document from ``source`` (a file name)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> SeedError:
        return SeedError(f"{self.source}: {where}: {problem}")

    # -- generic field readers -------------------------------------------------------------
    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be a mapping, got {type(value).__name__}")
        return value

    def items(self, document: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = document.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list, got {type(value).__name__}")
        return [self.mapping(item, f"{key}[{i}]") for i, item in enumerate(value)]

    def text(self, data: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{where}.{key}", "is required")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(f"{where}.{key}", f"must be a string, got {type(value).__name__}")
        value = str(value)
        if not value.strip():
            raise self.fail(f"{where}.{key}", "must not be empty")
        return value

    def optional_text(self, data: dict[str, Any], key: str, where: str) -> str | None:
        return None if data.get(key) is None else self.text(data, key, where)

    def number(self, data: dict[str, Any], key: str, where: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{where}.{key}", f"must be a whole number >= 0, got {value!r}")
        return value

    def strings(
        self, data: dict[str, Any], key: str, where: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        value = data.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", "must be a list of strings")
        return tuple(value)

    def lookup(self, entries: Sequence[_Entry], ref: str, where: str, kind: str) -> _Entry:
        """The entry of ``kind`` ("project", …) whose id or name is ``ref``, else a SeedError."""
        found = next((entry for entry in entries if ref in (entry.id, entry.name)), None)
        if found is None:
            raise self.fail(where, f"no {kind} with id or name {ref!r} in '{kind}s'")
        return found

    def unique(self, entries: list[Any], kind: str) -> None:
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if entry.id in seen:
                raise self.fail(f"{kind}[{i}].id", f"duplicate id {entry.id!r}")
            seen.add(entry.id)
