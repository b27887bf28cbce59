"""Fault injection: rules that make matching cloud requests fail, slow down or lose the connection.

A rule matches on the HTTP method, the path (a glob in ``path`` or a regular expression in
``path_regex``), optionally the service and a substring of the request body. Its action is one of

- ``respond``: answer ``status`` with ``body`` (JSON, or text when a string) and ``headers``;
  the cloud route never runs.
- ``delay``: wait ``delay_seconds``, then serve the request normally.
- ``drop_before``: close the connection without a response; the route never runs (the request
  is lost on its way in).
- ``drop_after``: run the route (its effect takes place), then close the connection without a
  response (the answer is lost on its way out).

``delay_seconds`` may be combined with every action. A rule fires ``times`` times (None: every
time) and each time with ``probability`` (seeded by ``seed`` for repeatable runs).
"""

from __future__ import annotations

import fnmatch
import math
import random
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from emulator.control.errors import InvalidRequest, NotFound
from emulator.services import SERVICE_NAMES, service_of

FAULT_ACTIONS = ("respond", "delay", "drop_before", "drop_after")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
_METHODS = ("*", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_FIELDS = {
    "method", "path", "path_regex", "service", "body_contains", "action", "status", "body",
    "headers", "delay_seconds", "times", "probability", "seed",
}  # fmt: skip


@dataclass
class Fault:
    """One fault rule and how often it has fired."""

    action: str
    method: str = "*"
    path: str | None = None
    path_regex: str | None = None
    service: str | None = None
    body_contains: str | None = None
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    times: int | None = None
    probability: float = 1.0
    seed: int | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    hits: int = 0

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path_regex) if self.path_regex is not None else None
        self._random = random.Random(self.seed)  # noqa: S311 - chaos testing, not cryptography

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, path: str, body: bytes) -> bool:
        """Whether this rule applies to the request (before the probability roll)."""
        if self.method not in ("*", method.upper()):
            return False
        if self.service is not None:
            owner = service_of(path)
            if owner is None or owner.name != self.service:
                return False
        if self.path is not None and not fnmatch.fnmatchcase(path, self.path):
            return False
        if self._regex is not None and not self._regex.search(path):
            return False
        return self.body_contains is None or self.body_contains.encode() in body

    def roll(self) -> bool:
        """The probability draw; a rule with probability 1 always fires."""
        return self.probability >= 1.0 or self._random.random() < self.probability

    def as_dict(self) -> dict[str, Any]:
        """The rule as ``GET /_emulator/faults`` shows it."""
        return {
            "id": self.id,
            "action": self.action,
            "method": self.method,
            "path": self.path,
            "path_regex": self.path_regex,
            "service": self.service,
            "body_contains": self.body_contains,
            "status": self.status,
            "body": self.body,
            "headers": dict(self.headers),
            "delay_seconds": self.delay_seconds,
            "times": self.times,
            "probability": self.probability,
            "seed": self.seed,
            "hits": self.hits,
            "remaining": None if self.times is None else max(self.times - self.hits, 0),
        }


def parse_fault(data: Any) -> Fault:
    """Validate a fault spec (the body of ``POST /_emulator/faults``); errors name the field."""
    if not isinstance(data, dict):
        raise InvalidRequest("fault: the body must be a JSON object")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise InvalidRequest(
            f"fault.{unknown[0]}: unknown field; expected one of {', '.join(sorted(_FIELDS))}"
        )
    action = data.get("action", "respond" if "status" in data else None)
    if action not in FAULT_ACTIONS:
        raise InvalidRequest(
            f"fault.action: must be one of {', '.join(FAULT_ACTIONS)}, got {action!r}"
        )
    method = data.get("method", "*")
    if not isinstance(method, str) or method.upper() not in _METHODS:
        raise InvalidRequest(f"fault.method: must be one of {', '.join(_METHODS)}, got {method!r}")
    path = _optional_str(data, "path")
    path_regex = _optional_str(data, "path_regex")
    if path_regex is not None:
        try:
            re.compile(path_regex)
        except re.error as exc:
            raise InvalidRequest(
                f"fault.path_regex: not a valid regular expression: {exc}"
            ) from None
    service = data.get("service")
    if service is not None and service not in SERVICE_NAMES:
        raise InvalidRequest(
            f"fault.service: must be one of {', '.join(SERVICE_NAMES)}, got {service!r}"
        )
    status = data.get("status")
    # 1xx are interim answers that cannot end an exchange; a rule must answer for real.
    if action == "respond" and not _is_int(status, 200, 599):
        raise InvalidRequest(f"fault.status: must be an HTTP status 200-599, got {status!r}")
    if action != "respond" and status is not None:
        raise InvalidRequest(
            f"fault.status: only the 'respond' action answers a status, not {action!r}"
        )
    headers = data.get("headers") or {}
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise InvalidRequest("fault.headers: must be an object of string names to string values")
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name) or not _is_header_value(value):
            raise InvalidRequest(
                f"fault.headers: {name!r}: names are HTTP tokens, values Latin-1 text on one line"
            )
        if name.lower() in _FRAMING_HEADERS:
            raise InvalidRequest(
                f"fault.headers: {name!r} is set by the server from the body, not by a rule"
            )
    for key in ("body_contains", "path", "path_regex"):
        _require_utf8(data.get(key), f"fault.{key}")
    if isinstance(data.get("body"), str):
        _require_utf8(data["body"], "fault.body")
    else:  # sent as JSON when the rule fires: refuse now what could not be sent then
        _require_json(data.get("body"), "fault.body")
    delay = data.get("delay_seconds", 0.0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 300:
        raise InvalidRequest(f"fault.delay_seconds: must be a number 0-300, got {delay!r}")
    if action == "delay" and delay == 0:
        raise InvalidRequest("fault.delay_seconds: the 'delay' action needs delay_seconds > 0")
    times = data.get("times")
    if times is not None and not _is_int(times, 1, 10**9):
        raise InvalidRequest(f"fault.times: must be a whole number >= 1 or null, got {times!r}")
    probability = data.get("probability", 1.0)
    if (
        isinstance(probability, bool)
        or not isinstance(probability, int | float)
        or not (0 <= probability <= 1)
    ):
        raise InvalidRequest(f"fault.probability: must be a number 0-1, got {probability!r}")
    seed = data.get("seed")
    if seed is not None and not _is_int(seed, -(2**63), 2**63):
        raise InvalidRequest(f"fault.seed: must be a whole number or null, got {seed!r}")
    return Fault(
        action=action,
        method=method.upper(),
        path=path,
        path_regex=path_regex,
        service=service,
        body_contains=_optional_str(data, "body_contains"),
        status=status,
        body=data.get("body"),
        headers=dict(headers),
        delay_seconds=float(delay),
        times=times,
        probability=float(probability),
        seed=seed,
    )


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise InvalidRequest(f"fault.{key}: must be a non-empty string, got {value!r}")
    return value


def _require_utf8(value: Any, where: str) -> None:
    # A lone surrogate ("\ud800") survives JSON parsing but not encoding: refuse it here rather
    # than fail later on every request the rule looks at.
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidRequest(
                f"{where}: must be valid Unicode text (no lone surrogates)"
            ) from None


def _require_json(value: Any, where: str) -> None:
    # Python values reach a rule through inject_fault(); HTTP bodies are JSON already.
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidRequest(
                    f"{where}: keys must be strings to be sent as JSON, got {key!r}"
                )
            _require_json(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _require_json(item, f"{where}[{index}]")
    elif isinstance(value, float) and not math.isfinite(value):
        raise InvalidRequest(f"{where}: {value!r} cannot be sent as JSON")
    elif isinstance(value, str):
        _require_utf8(value, where)
    elif value is not None and not isinstance(value, bool | int | float):
        raise InvalidRequest(
            f"{where}: a {type(value).__name__} cannot be sent as JSON "
            "(use strings, numbers, true/false, null, lists and objects)"
        )


def _is_header_value(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return "\r" not in value and "\n" not in value


def _is_int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


class FaultSet:
    """The active fault rules, in the order they were added; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.RLock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.as_dict() for fault in self._faults]

    def remove(self, fault_id: str) -> None:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            if len(self._faults) == before:
                raise NotFound(f"no fault with id {fault_id!r}")

    def clear(self) -> None:
        with self._lock:
            self._faults = []

    @property
    def empty(self) -> bool:
        """No rule is set: the request path can skip the body and the lock."""
        # One read of a list reference, no lock: a rule added meanwhile applies from the next
        # request, as it would if this request had taken the lock first.
        return not self._faults

    def take(self, method: str, path: str, body: bytes) -> Fault | None:
        """The first rule that matches and fires; its hit is counted."""
        with self._lock:
            for fault in self._faults:
                if not fault.exhausted and fault.matches(method, path, body) and fault.roll():
                    fault.hits += 1
                    return fault
        return None
