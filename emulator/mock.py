"""In-process mock of FJcloud-O's real hostnames, on ``responses`` (no socket, no thread).

    with emulator.mock(region="jp-east-1") as cloud:
        # requests to https://identity.jp-east-1.cloud.global.fujitsu.com/v3/...
        # and https://compute.jp-east-1.cloud.global.fujitsu.com/v2/... are answered by the
        # emulator app; the token's catalog carries those same real hostnames.
        run_my_automation(cloud.credentials)

Every ``requests`` call (keystoneauth1 and openstacksdk sessions included) goes through the
mock while it is active. ``https://identity.R…/<p>`` is dispatched to the app as
``/identity/<p>`` and ``https://compute.R…/<p>`` as ``/compute/<p>`` (every host label of every
service in ``emulator.services.SERVICES``). A request to any other host
raises ``requests.exceptions.ConnectionError`` naming what is mocked, unless its URL starts with
one of the ``passthrough`` prefixes.

``emulator.mock`` (the package attribute) is the ``mock()`` function, not this module; import the
class as ``from emulator.mock import CloudMock``.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import requests
import responses
from flask import Flask
from werkzeug.test import EnvironBuilder

from emulator.app import create_app
from emulator.config import EmulatorConfig, Timing, build_config
from emulator.control.errors import ConnectionDropped
from emulator.handle import ControlMethods
from emulator.seed import Seed
from emulator.services import FJCLOUD_DOMAIN, SERVICES
from emulator.state import STATE_KEY, EmulatorState
from emulator.urls import fjcloud_host_base

F = TypeVar("F", bound=Callable[..., Any])
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_ANY_URL = re.compile(r".*")
# Hop-by-hop and length headers are the transport's business, not the app's.
_DROPPED_REQUEST_HEADERS = frozenset({"content-length", "connection", "host", "transfer-encoding"})
# An empty body of these types makes werkzeug's EnvironBuilder encode an (empty) form instead.
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


class CloudMock(ControlMethods):
    """Answers ``requests`` calls to the real FJcloud-O hosts of one region from the emulator app."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        seed: Seed | str | Path | None = None,
        region: str = "jp-east-1",
        timing: Timing | str | float | None = None,
        passthrough: Iterable[str] = (),
        **config_fields: Any,
    ) -> None:
        base = build_config(
            config, seed=seed, region=region, timing=timing, config_fields=config_fields
        )
        # Catalogs and links must carry the real hostnames, whatever the caller's config said.
        self.config = dataclasses.replace(base, endpoint_style="fjcloud-hosts")
        self.app: Flask = create_app(self.config)
        self.passthrough = tuple(passthrough)
        # Every label of every service: https://<label>.<region>.cloud.global.fujitsu.com/<p>
        # is dispatched to the app as <service prefix>/<p>.
        self._hosts = {
            f"{label}.{self.config.region}.{FJCLOUD_DOMAIN}": service.prefix
            for service in SERVICES
            for label in service.host_labels
        }
        self._mock: responses.RequestsMock | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> CloudMock:
        """Start intercepting ``requests`` (all threads) until ``stop()``."""
        if self._mock is not None:
            return self
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in _METHODS:
            mock.add_callback(
                method,
                _ANY_URL,
                callback=self._dispatch,
                content_type=None,
                match=[self._not_passthrough],
            )
        for prefix in self.passthrough:
            mock.add_passthru(prefix)
        mock.start()
        self._mock = mock
        return self

    def stop(self) -> None:
        """Stop intercepting; ``requests`` talks to the network again."""
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None

    @property
    def running(self) -> bool:
        return self._mock is not None

    def __call__(self, func: F) -> F:
        """Use as a decorator: each call runs inside the mock, starting from the seed."""

        @functools.wraps(func)
        def run_mocked(*args: Any, **kwargs: Any) -> Any:
            self.reset()
            with self:
                return func(*args, **kwargs)

        return run_mocked  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"<CloudMock {self.config.region} {'active' if self.running else 'stopped'}>"

    # -- where it is --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The identity host (the mock has no single base URL; see ``mocked_prefixes``)."""
        return fjcloud_host_base("identity", self.config.region)

    @property
    def auth_url(self) -> str:
        """``https://identity.<region>.cloud.global.fujitsu.com/v3``."""
        return f"{fjcloud_host_base('identity', self.config.region)}/v3"

    @property
    def compute_url(self) -> str:
        """``https://compute.<region>.cloud.global.fujitsu.com`` (the document's ``COMPUTE``)."""
        return fjcloud_host_base("compute", self.config.region)

    @property
    def mocked_prefixes(self) -> list[str]:
        return [f"https://{host}" for host in self._hosts]

    @property
    def state(self) -> EmulatorState:
        state: EmulatorState = self.app.extensions[STATE_KEY]
        return state

    # -- dispatch -----------------------------------------------------------------------------
    def _not_passthrough(self, request: requests.PreparedRequest) -> tuple[bool, str]:
        url = request.url or ""
        if any(url.startswith(prefix) for prefix in self.passthrough):
            return False, f"{url} is a passthrough URL"
        return True, ""

    def _dispatch(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = request.url or ""
        parts = urlsplit(url)
        netloc = parts.netloc.removesuffix(":443") if parts.scheme == "https" else None
        prefix = self._hosts.get(netloc or "")
        if prefix is None:
            raise requests.exceptions.ConnectionError(
                self._not_mocked_message(url), request=request
            )
        method = request.method or "GET"
        path = prefix + (parts.path or "/")
        body = _body_bytes(request.body)
        environ = _direct_environ(method, netloc or "", path, parts.query, request.headers, body)
        if environ is None:  # an unusual request: let werkzeug build it exactly as it would
            environ = _builder_environ(method, netloc or "", path, parts.query, request, body)
        try:
            status, response_headers, response_body = _run_app(self.app, environ)
        except ConnectionDropped as exc:
            raise requests.exceptions.ConnectionError(
                f"{method} {url}: the connection was dropped by emulator fault {exc.fault_id} "
                f"({exc.when} the request was handled)",
                request=request,
            ) from exc
        merged: dict[str, str] = {}
        for name, value in response_headers:
            merged[name] = f"{merged[name]}, {value}" if name in merged else value
        return int(status.split(" ", 1)[0]), merged, response_body

    def _not_mocked_message(self, url: str) -> str:
        mocked = ", ".join(self.mocked_prefixes)
        allowed = ", ".join(self.passthrough) or "none; pass passthrough=[...] to allow some"
        return (
            f"emulator.mock: {url} is not mocked and may not reach the network. "
            f"Mocked: {mocked} (region {self.config.region}). Passthrough prefixes: {allowed}."
        )


def _direct_environ(
    method: str, host: str, path: str, query: str, headers: Any, body: bytes
) -> dict[str, Any] | None:
    """The environ werkzeug's ``EnvironBuilder`` would build for this request, built directly.

    ``EnvironBuilder`` + ``get_environ`` cost about a tenth of a warm call. None when the
    request is unusual (a non-str header value; an empty form-typed body, for which werkzeug
    invents a body): ``_builder_environ`` then builds it the werkzeug way.
    """
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        # werkzeug: _wsgi_encoding_dance(unquote(iri_to_uri(path))); the path is already a URI.
        "PATH_INFO": unquote(path).encode().decode("latin1"),
        "QUERY_STRING": query.encode().decode("latin1"),
        "REQUEST_URI": path.encode().decode("latin1"),
        "RAW_URI": path.encode().decode("latin1"),
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers.items():
        if not isinstance(value, str):
            return None
        lowered = name.lower()
        if lowered in _DROPPED_REQUEST_HEADERS:
            continue
        if lowered == "content-type":
            if not body and value.split(";", 1)[0].strip().lower() in _FORM_TYPES:
                return None
            environ["CONTENT_TYPE"] = value
            continue
        key = f"HTTP_{name.upper().replace('-', '_')}"
        environ[key] = f"{environ[key]}, {value}" if key in environ else value
    return environ


def _builder_environ(
    method: str, host: str, path: str, query: str, request: requests.PreparedRequest, body: bytes
) -> dict[str, Any]:
    # requests sends a bytes header value as it is (python-swiftclient encodes its headers);
    # a WSGI server hands it to the app as latin-1 text, so do the same (werkzeug would str() it).
    headers = [
        (name, _header_text(value))
        for name, value in request.headers.items()
        if name.lower() not in _DROPPED_REQUEST_HEADERS
    ]
    environ: dict[str, Any] = EnvironBuilder(
        path=path,
        base_url=f"https://{host}",
        query_string=query,
        method=method,
        headers=headers,
        data=body,
    ).get_environ()
    return environ


def _header_text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _run_app(app: Flask, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Call the WSGI app once: status line, header list, whole body (what run_wsgi_app does)."""
    started: list[Any] = []
    chunks: list[bytes] = []  # write() output, then the iterable's, in order (PEP 3333)

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None:
            raise exc_info[1].with_traceback(exc_info[2])  # as werkzeug's run_wsgi_app does
        started[:] = [status, headers]
        return chunks.append

    app_iter = app(environ, start_response)
    try:
        chunks.extend(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    if not started:
        raise RuntimeError("the emulator app returned without starting a response")
    return started[0], list(started[1]), b"".join(chunks)


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in body)


def mock(
    config: EmulatorConfig | None = None,
    *,
    seed: Seed | str | Path | None = None,
    region: str = "jp-east-1",
    timing: Timing | str | float | None = None,
    passthrough: Iterable[str] = (),
    **config_fields: Any,
) -> CloudMock:
    """An in-process FJcloud-O mock; use it as a context manager or a decorator."""
    return CloudMock(
        config,
        seed=seed,
        region=region,
        timing=timing,
        passthrough=passthrough,
        **config_fields,
    )
