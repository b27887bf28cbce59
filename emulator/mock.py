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
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import responses
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

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
# Hop-by-hop and length headers are the transport's business (EnvironBuilder sets the length).
_DROPPED_REQUEST_HEADERS = frozenset({"content-length", "connection", "host", "transfer-encoding"})


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
        headers = [
            (name, _header_text(value))
            for name, value in request.headers.items()
            if name.lower() not in _DROPPED_REQUEST_HEADERS
        ]
        environ = EnvironBuilder(
            path=prefix + (parts.path or "/"),
            base_url=f"https://{netloc}",
            query_string=parts.query,
            method=method,
            headers=headers,
            data=_body_bytes(request.body),
        ).get_environ()
        try:
            app_iter, status, response_headers = run_wsgi_app(self.app, environ, buffered=True)
        except ConnectionDropped as exc:
            raise requests.exceptions.ConnectionError(
                f"{method} {url}: the connection was dropped by emulator fault {exc.fault_id} "
                f"({exc.when} the request was handled)",
                request=request,
            ) from exc
        merged: dict[str, str] = {}
        for name, value in response_headers.items():
            merged[name] = f"{merged[name]}, {value}" if name in merged else value
        return int(status.split(" ", 1)[0]), merged, b"".join(app_iter)

    def _not_mocked_message(self, url: str) -> str:
        mocked = ", ".join(self.mocked_prefixes)
        allowed = ", ".join(self.passthrough) or "none; pass passthrough=[...] to allow some"
        return (
            f"emulator.mock: {url} is not mocked and may not reach the network. "
            f"Mocked: {mocked} (region {self.config.region}). Passthrough prefixes: {allowed}."
        )


def _header_text(value: str | bytes) -> str:
    # requests sends a bytes header value as it is (python-swiftclient encodes its headers);
    # a WSGI server hands it to the app as latin-1 text, so do the same (werkzeug would str() it).
    return value.decode("latin-1") if isinstance(value, bytes) else value


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
