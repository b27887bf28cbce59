"""Hypothesis strategies for the pieces of a bad request: JSON values, bodies, headers, segments.

Every strategy here is service-agnostic; ``fuzz_requests`` assembles them into requests per route.
"""

from __future__ import annotations

import json
import string
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from tests.reliability.harness import TOKEN_KINDS

MAX_BODY_BYTES = 1024 * 1024  # EmulatorConfig.max_body_bytes default
LATIN1_PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")
# Lone surrogates: valid in a JSON string escape (\ud800), not encodable as UTF-8.
SURROGATES = st.sampled_from(["\ud800", "\udfff", "a\udc80b", "\ud83d"])
WEIRD_TEXT = st.one_of(
    st.text(max_size=40),
    SURROGATES,
    st.sampled_from(["", " ", "\x00", "null", "None", "😀" * 3, "a" * 300, "\u202e", "../.."]),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    WEIRD_TEXT,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(WEIRD_TEXT, children, max_size=4),
    ),
    max_leaves=12,
)


def encode(value: Any, ascii_only: bool) -> bytes:
    """JSON bytes; ``ascii_only=False`` writes raw UTF-8 (lone surrogates become invalid bytes)."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def encoded(draw: st.DrawFn, values: st.SearchStrategy[Any]) -> bytes:
    """A JSON document from ``values``, sometimes truncated anywhere (a cut-off request)."""
    raw = encode(draw(values), draw(st.booleans()))
    if draw(st.integers(0, 4)) == 0 and raw:
        raw = raw[: draw(st.integers(0, len(raw) - 1))]
    return raw


def deep_nesting(depth: int, kind: str) -> bytes:
    """``[[[…]]]`` or ``{"a":{"a":…}}`` nested ``depth`` levels (past json's recursion limit)."""
    if kind == "list":
        return b"[" * depth + b"]" * depth
    if kind == "dict":
        return b'{"a":' * depth + b"1" + b"}" * depth
    return b'{"os-stop":' * depth + b"null" + b"}" * depth


def huge_body(size: int, kind: str) -> bytes:
    """A body of ``size`` bytes: valid JSON padded with whitespace, or one long string."""
    if kind == "padding":
        return b'{"os-stop": null}' + b" " * (size - 17)
    return b'{"os-stop": "' + b"x" * (size - 15) + b'"}'


raw_garbage = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [b"", b"null", b"NaN", b"-1e999", b"\xef\xbb\xbf{}", b"\x00\x01", b"{", b"}", b'"', b"[]"]
    ),
)

deep_bodies = st.builds(
    deep_nesting,
    st.sampled_from([50, 900, 1001, 3000, 20000]),
    st.sampled_from(["list", "dict", "action"]),
)

# Rare: each costs a megabyte. Sizes straddle the 1 MiB limit on both sides.
huge_bodies = st.builds(
    huge_body,
    st.sampled_from([MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, 3 * MAX_BODY_BYTES]),
    st.sampled_from(["padding", "string"]),
)


def any_body(structured: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes | None]:
    """A body: none, a structured JSON value (maybe cut), garbage, deep nesting or (rarely) huge."""
    return st.one_of(
        st.none(),
        encoded(structured),
        encoded(structured),
        encoded(structured),
        encoded(json_values),
        raw_garbage,
        deep_bodies,
        st.integers(0, 19).flatmap(lambda n: huge_bodies if n == 0 else encoded(structured)),
    )


def segment() -> st.SearchStrategy[str]:
    """A bad path segment: percent-encoded text, raw punctuation, dots, empty, very long."""
    return st.one_of(
        st.text(max_size=30).map(lambda t: quote(t.encode("utf-8", "surrogatepass"), safe="")),
        st.text(alphabet=string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@", max_size=30),
        st.sampled_from(["", ".", "..", "%00", "%ff%fe", "%2F", "a" * 5000, "null", "-1", "0"]),
        st.uuids().map(str),
        st.uuids().map(lambda u: u.hex.upper()),
    )


def query() -> st.SearchStrategy[str]:
    """A query string: known filters with odd values, unknown keys, raw garbage."""
    keys = st.sampled_from(
        ["name", "status", "limit", "marker", "is_public", "minRam", "minDisk", "deleted"]
    ) | st.text(string.ascii_letters, min_size=1, max_size=8)
    pair = st.tuples(keys, WEIRD_TEXT).map(
        lambda kv: f"{quote(kv[0])}={quote(kv[1].encode('utf-8', 'surrogatepass'), safe='')}"
    )
    return st.one_of(
        st.just(""),
        st.lists(pair, min_size=1, max_size=4).map(lambda ps: "?" + "&".join(ps)),
        st.sampled_from(["?%ff%00", "?&&&", "?=", "?limit=99999999999999999999999", "?name=("]),
    )


def token_value() -> st.SearchStrategy[str | None]:
    """An ``X-Auth-Token``: mostly a live valid one, else another kind, nothing, garbage, huge."""
    other_kinds = [f"@@token:{kind}@@" for kind in TOKEN_KINDS if kind != "valid"]
    choices: list[st.SearchStrategy[str | None]] = [
        st.none(),
        st.text(LATIN1_PRINTABLE, max_size=60),
        st.sampled_from(["@@token:valid@@x", " @@token:valid@@", "x" * 10000, "null"]),
        st.sampled_from(other_kinds),
        st.sampled_from(other_kinds),
    ]
    return st.integers(0, 9).flatmap(
        lambda n: choices[n] if n < len(choices) else st.just("@@token:valid@@")
    )


CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/vnd.openstack.compute+json",
    "text/plain",
    "application/xml",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    "",
    ";;;",
    "application/json, text/plain",
    "APPLICATION/JSON",
]
MICROVERSIONS = [
    "compute 2.1",
    "compute 2.60",
    "compute latest",
    "compute 2.61",
    "compute 3.0",
    "compute 2.0",
    "compute 1.1",
    "compute 2",
    "compute 2.a",
    "compute -2.1",
    "volume 3.0",
    "compute 2.1, compute 2.60",
    "COMPUTE 2.10",
    "compute 99999999999999999999.1",
    "",
    "latest",
    "2.1",
    "compute",
    ",,,",
]


@st.composite
def headers(draw: st.DrawFn, token: bool = True) -> dict[str, str]:
    """Request headers: a token, a content type, microversions, and random or oversized ones."""
    result: dict[str, str] = {}
    if token:
        value = draw(token_value())
        if value is not None:
            result["X-Auth-Token"] = value
    if draw(st.booleans()):
        result["Content-Type"] = draw(
            st.sampled_from(CONTENT_TYPES) | st.text(LATIN1_PRINTABLE, max_size=40)
        )
    version_text = st.sampled_from(MICROVERSIONS) | st.text(LATIN1_PRINTABLE, max_size=20)
    if draw(st.integers(0, 2)) == 0:
        result["OpenStack-API-Version"] = draw(version_text)
    if draw(st.integers(0, 3)) == 0:
        result["X-OpenStack-Nova-API-Version"] = draw(version_text).replace("compute ", "")
    extra = draw(
        st.dictionaries(
            st.text(string.ascii_letters + "-_", min_size=1, max_size=20),
            st.text(LATIN1_PRINTABLE, max_size=50),
            max_size=3,
        )
    )
    for name, value in extra.items():
        result.setdefault(name, value)
    if draw(st.integers(0, 15)) == 0:
        result["X-Oversized"] = "y" * draw(st.sampled_from([8192, 65536]))
    if draw(st.integers(0, 7)) == 0:
        result["Accept"] = draw(
            st.sampled_from(["application/xml", "*/*", "text/html", "", "application/json;q=0"])
        )
    return result
