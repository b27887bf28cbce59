"""``service_base``: the base URL a request's links and catalog carry, as werkzeug would build it."""

from __future__ import annotations

import pytest
from flask import request

from emulator.app import create_app
from emulator.urls import service_base


@pytest.mark.parametrize(
    ("scheme", "host"),
    [
        ("http", "127.0.0.1:8774"),
        ("http", "localhost"),
        ("https", "emulator.example.test:8443"),
        ("http", "127.0.0.1:80"),  # default port: werkzeug drops it
        ("https", "cloud.example.test:443"),
        ("http", "LocalHost:8774"),  # upper case: werkzeug lower-cases the host
        ("http", "[::1]:8774"),  # IPv6
        ("http", "xn--n3h.example:8774"),  # punycode: werkzeug decodes it
        ("http", "bad host"),  # invalid characters: werkzeug treats the host as empty
        ("http", "127.0.0.1:99999"),  # port out of range: invalid too
        ("http", None),  # no Host header (HTTP/1.0): SERVER_NAME:SERVER_PORT
    ],
)
def test_service_base_matches_werkzeugs_host_url(scheme: str, host: str | None) -> None:
    app = create_app()
    environ = {"wsgi.url_scheme": scheme, "SERVER_NAME": "10.0.0.5", "SERVER_PORT": "8774"}
    if host is not None:
        environ["HTTP_HOST"] = host
    with app.test_request_context("/compute/v2.1", environ_overrides=environ):
        if host is None:
            request.environ.pop("HTTP_HOST", None)
        try:
            expected = request.host_url.rstrip("/")
        except ValueError:  # werkzeug 2.3 (supported) raises for an out-of-range port
            expected = f"{scheme}://"  # werkzeug 3 treats that Host as empty; so does the emulator
        assert service_base("compute") == f"{expected}/compute"
        assert service_base("identity") == f"{expected}/identity"


def test_service_base_is_per_request() -> None:
    app = create_app()
    for host in ("127.0.0.1:1000", "127.0.0.1:2000"):
        with app.test_request_context("/compute/", headers={"Host": host}):
            assert service_base("compute") == f"http://{host}/compute"
