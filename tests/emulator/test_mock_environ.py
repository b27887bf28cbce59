"""emulator.mock builds each WSGI environ itself: exactly what werkzeug's EnvironBuilder builds."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from emulator.mock import _body_bytes, _builder_environ, _direct_environ

HOST = "compute.jp-east-1.cloud.global.fujitsu.com"
# File objects differ by identity; their content is compared separately.
_STREAMS = ("wsgi.input", "wsgi.errors")


def _prepared(method: str, path: str, **kwargs: Any) -> requests.PreparedRequest:
    return requests.Request(method, f"https://{HOST}{path}", **kwargs).prepare()


def _comparable(environ: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    body = environ["wsgi.input"].read()
    return {k: v for k, v in environ.items() if k not in _STREAMS}, body


@pytest.mark.parametrize(
    "request_",
    [
        _prepared("GET", "/v2/p/servers/s", headers={"X-Auth-Token": "t", "Accept": "*/*"}),
        _prepared("GET", "/v2/p/servers/detail?name=web%2A&status=ACTIVE&limit=2"),
        _prepared("GET", "/v2/p/servers/%E3%83%86%E3%82%B9%E3%83%88"),  # percent-encoded UTF-8
        _prepared("GET", "/v2/p/servers/%ZZ%2"),  # a stray percent sign stays as sent
        _prepared("GET", "//v2//p"),
        _prepared("POST", "/v2/p/servers/s/action", json={"os-stop": None}),
        _prepared("POST", "/v2/p/servers/s/action", data=b"{}", headers={"Content-Type": "x/y"}),
        _prepared("POST", "/v2/p/servers/s/action"),  # no body: Content-Length: 0 dropped
        _prepared("DELETE", "/v2/p", headers={"X-Foo": "a", "X_Foo": "b"}),  # one WSGI key
        _prepared("PUT", "/v2/p", data="text body", headers={"OpenStack-API-Version": "2.1"}),
    ],
)
def test_direct_environ_equals_werkzeugs(request_: requests.PreparedRequest) -> None:
    parts = urlsplit(request_.url)
    path = "/compute" + (parts.path or "/")
    body = _body_bytes(request_.body)
    args = (request_.method or "GET", HOST, path, parts.query)
    direct = _direct_environ(*args, request_.headers, body)
    assert direct is not None
    assert _comparable(direct) == _comparable(_builder_environ(*args, request_, body))


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/x-www-form-urlencoded"},  # werkzeug encodes an empty form
        {"Content-Type": "multipart/form-data"},
        {"X-Raw": b"bytes value"},
    ],
)
def test_unusual_requests_are_left_to_werkzeug(headers: dict[str, Any]) -> None:
    request_ = _prepared("POST", "/v2/p", headers=headers)
    assert _direct_environ("POST", HOST, "/compute/v2/p", "", request_.headers, b"") is None
