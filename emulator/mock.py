"""In-process mock of FJcloud-O's real hostnames, on ``responses`` (no socket, no thread).

    with emulator.mock(region="jp-east-1") as cloud:
        # requests to https://identity.jp-east-1.cloud.global.fujitsu.com/v3/...
        # and https://compute.jp-east-1.cloud.global.fujitsu.com/v2/... are answered by the
        # emulator app; the token's catalog carries those same real hostnames.
        run_my_automation(cloud.credentials)

Every ``requests`` call (keystoneauth1 and openstacksdk sessions included) goes through the
mock while it is active. ``https://identity.R…/<p>`` is dispatched to the app as
``/identity/<p>`` and ``https://compute.R…/<p>`` as ``/compute/<p>`` (every host label of every
service in ``emulator.services.SERVICES``). ``regions=[...]`` (or ``"all"``) makes one mock
answer more regions, each with an emulator of its own (``in_region(name)``). Loopback URLs and
the ``passthrough`` prefixes go to the network; a request to any other host raises
``requests.exceptions.ConnectionError`` naming what is mocked. Mocks nest and compose with
``responses`` mocks of your own (``emulator.interception`` says how; ``add_to(rsps)``).

``emulator.mock`` (the package attribute) is the ``mock()`` function, not this module; import the
class as ``from emulator.mock import CloudMock``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
import threading
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import responses
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from emulator.app import create_app
from emulator.config import REGIONS, EmulatorConfig, Timing, build_config
from emulator.control.errors import ConnectionDropped
from emulator.handle import ControlMethods
from emulator.interception import INTERCEPTION, AnyMethod, netloc_of
from emulator.seed import Seed
from emulator.services import FJCLOUD_DOMAIN, SERVICES
from emulator.state import STATE_KEY, EmulatorState
from emulator.urls import fjcloud_host_base

F = TypeVar("F", bound=Callable[..., Any])
Answer = tuple[int, dict[str, str], bytes]
# Hop-by-hop and length headers are the transport's business (EnvironBuilder sets the length).
_DROPPED_REQUEST_HEADERS = frozenset({"content-length", "connection", "host", "transfer-encoding"})


class CloudMock(ControlMethods):
    """Answers ``requests`` calls to the real FJcloud-O hosts of its region(s) from the emulator."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        seed: Seed | str | Path | None = None,
        region: str = "jp-east-1",
        regions: Iterable[str] | str = (),
        timing: Timing | str | float | None = None,
        passthrough: Iterable[str] = (),
        loopback: bool = True,
        **config_fields: Any,
    ) -> None:
        base = build_config(
            config, seed=seed, region=region, timing=timing, config_fields=config_fields
        )
        # Catalogs and links must carry the real hostnames, whatever the caller's config said.
        self.config = dataclasses.replace(base, endpoint_style="fjcloud-hosts")
        self.app: Flask = create_app(self.config)
        self.passthrough = tuple(passthrough)
        self.loopback = loopback
        # Every label of every service: https://<label>.<region>.cloud.global.fujitsu.com/<p>
        # is dispatched to the app as <service prefix>/<p>.
        self._hosts = _hosts_of(self.config.region)
        wanted = (
            list(REGIONS)
            if regions == "all"
            else [regions]
            if isinstance(regions, str)
            else regions
        )
        unknown = sorted(set(wanted) - set(REGIONS))
        if unknown:
            raise ValueError(
                f"regions: unknown region {unknown[0]!r}; expected {', '.join(REGIONS)} or 'all'"
            )
        # The other regions, each an emulator of its own made on first use (FJcloud-O's regions
        # are separate systems with their own endpoints; whether they share projects or
        # tokens is not documented, so they share nothing here).
        self._other_regions = {name: None for name in wanted if name != self.config.region}
        self._region_mocks: dict[str, CloudMock] = {}
        self._make_region = functools.partial(
            CloudMock, config, seed=seed, timing=timing, loopback=loopback, **config_fields
        )
        self._lock = threading.Lock()

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> CloudMock:
        """Start intercepting ``requests`` (all threads) until ``stop()``."""
        INTERCEPTION.activate(self)
        return self

    def stop(self) -> None:
        """Stop intercepting; the other active mocks, if any, go on answering."""
        INTERCEPTION.deactivate(self)

    @property
    def running(self) -> bool:
        return self in INTERCEPTION.active

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

    def add_to(self, rsps: responses.RequestsMock) -> None:
        """Answer this mock's hosts from inside your own (started) ``responses`` mock."""
        hosts = "|".join(re.escape(prefix) for prefix in self.mocked_prefixes)
        url = re.compile(rf"(?:{hosts})(?::443)?(?:[/?#].*)?", re.IGNORECASE)
        rsps.add(AnyMethod(url, self.serve))

    # -- regions ------------------------------------------------------------------------------
    def in_region(self, region: str) -> CloudMock:
        """The emulator of ``region`` in this mock (itself for its own region)."""
        if region == self.config.region:
            return self
        if region not in self._other_regions:
            raise ValueError(f"this mock does not answer region {region!r}")
        with self._lock:
            made = self._region_mocks.get(region)
            if made is None:
                made = self._region_mocks[region] = self._make_region(region=region)
        return made

    def reset(self) -> None:
        """Back to the seed, in every region of this mock."""
        super().reset()
        for made in list(self._region_mocks.values()):
            made.reset()

    def check_errors(self) -> None:
        """Re-raise the first exception that escaped a route, in any region of this mock."""
        super().check_errors()
        for made in list(self._region_mocks.values()):
            made.check_errors()

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
        regions = [self.config.region, *self._other_regions]
        return [f"https://{host}" for region in regions for host in _hosts_of(region)]

    @property
    def state(self) -> EmulatorState:
        state: EmulatorState = self.app.extensions[STATE_KEY]
        return state

    # -- dispatch -----------------------------------------------------------------------------
    def answers(self, netloc: str) -> bool:
        """Whether ``host[:port]`` (https, lower case) is one of this mock's hosts."""
        return netloc in self._hosts or _region_of(netloc) in self._other_regions

    def serve(self, request: requests.PreparedRequest) -> Answer:
        """The emulator's answer to ``request`` (a ``responses`` callback)."""
        netloc = netloc_of(request.url or "")
        if netloc not in self._hosts:
            region = _region_of(netloc)
            if region in self._other_regions:
                return self.in_region(region).serve(request)
            raise requests.exceptions.ConnectionError(
                f"emulator.mock: {request.url} is not one of {', '.join(self.mocked_prefixes)}",
                request=request,
            )
        timeout = _read_timeout(getattr(request, "req_kwargs", {}).get("timeout"))
        if timeout is None or self.state.control.faults.empty:
            return self._answer(request, netloc)
        return _within(timeout, functools.partial(self._answer, request, netloc), request)

    def _answer(self, request: requests.PreparedRequest, netloc: str) -> Answer:
        parts = urlsplit(request.url or "")
        method = request.method or "GET"
        # requests sends a bytes header value as it is (python-swiftclient encodes its headers);
        # a WSGI server hands it to the app as latin-1 text, so do the same (werkzeug would
        # str() it).
        headers = [
            (name, _header_text(value))
            for name, value in request.headers.items()
            if name.lower() not in _DROPPED_REQUEST_HEADERS
        ]
        environ = EnvironBuilder(
            path=self._hosts[netloc] + (parts.path or "/"),
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
                f"{method} {request.url}: the connection was dropped by emulator fault "
                f"{exc.fault_id} ({exc.when} the request was handled)",
                request=request,
            ) from exc
        except Exception as exc:
            # What a server does with an error outside every route: a bare 500, and (here, as
            # in EmulatorServer) the error kept for check_errors(), so the test reports it.
            self.state.record_unhandled(exc)
            return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"
        merged: dict[str, str] = {}
        for name, value in response_headers.items():
            merged[name] = f"{merged[name]}, {value}" if name in merged else value
        return int(status.split(" ", 1)[0]), merged, b"".join(app_iter)


def _hosts_of(region: str) -> dict[str, str]:
    return {
        f"{label}.{region}.{FJCLOUD_DOMAIN}": service.prefix
        for service in SERVICES
        for label in service.host_labels
    }


def _header_text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _region_of(netloc: str) -> str:
    """``uk-1`` of ``compute.uk-1.cloud.global.fujitsu.com``; "" for any other host."""
    label, _, rest = netloc.partition(".")
    region, _, domain = rest.partition(".")
    return region if domain == FJCLOUD_DOMAIN and label else ""


def _read_timeout(timeout: Any) -> float | None:
    """The read timeout of what ``requests`` was given: seconds, ``(connect, read)``, a Timeout."""
    if isinstance(timeout, tuple):
        timeout = timeout[1] if len(timeout) > 1 else None
    timeout = getattr(timeout, "read_timeout", timeout)  # urllib3's Timeout
    return float(timeout) if isinstance(timeout, int | float) else None


def _within(
    seconds: float, answer: Callable[[], Answer], request: requests.PreparedRequest
) -> Answer:
    """``answer()`` if it comes within ``seconds``, else the ``ReadTimeout`` a socket would give.

    A fault rule may delay the answer; the request goes on in a daemon thread, as it goes on
    in a server whose client stopped waiting.
    """
    done = threading.Event()
    outcome: list[Any] = []

    def work() -> None:
        try:
            outcome.append((True, answer()))
        except BaseException as exc:
            outcome.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=work, name="fjcloud-mock-request", daemon=True).start()
    if not done.wait(seconds):
        host = urlsplit(request.url or "").hostname
        raise requests.exceptions.ReadTimeout(
            f"HTTPSConnectionPool(host={host!r}, port=443): Read timed out. "
            f"(read timeout={seconds:g})",
            request=request,
        )
    ok, value = outcome[0]
    if not ok:
        raise value
    result: Answer = value
    return result


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
    regions: Iterable[str] | str = (),
    timing: Timing | str | float | None = None,
    passthrough: Iterable[str] = (),
    loopback: bool = True,
    **config_fields: Any,
) -> CloudMock:
    """An in-process FJcloud-O mock; use it as a context manager or a decorator."""
    return CloudMock(
        config,
        seed=seed,
        region=region,
        regions=regions,
        timing=timing,
        passthrough=passthrough,
        loopback=loopback,
        **config_fields,
    )


class _CallableModule(types.ModuleType):
    """This module, callable as ``mock()``: ``emulator.mock`` is the package's ``mock()`` function,
    but when ``emulator.mock`` (this module) is imported before that attribute is first read (the
    package loads its names lazily), the import system binds the package attribute to the module;
    calling it then still makes a mock."""

    def __call__(self, *args: Any, **kwargs: Any) -> CloudMock:
        return mock(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
