"""One interception of ``requests`` for every active in-process mock, whatever their number.

``CloudMock.start()`` registers the mock here, ``stop()`` unregisters it. While at least one is
registered, ``requests.adapters.HTTPAdapter.send`` is patched once; the last ``stop()`` restores
what was there before. So mocks may be nested and stopped in any order: a request goes to the
most recently started mock that answers its host, and no patch outlives the mocks.

What a request meets, in order:

1. a loopback URL (``127.0.0.0/8``, ``localhost``, ``::1``; unless every active mock says
   ``loopback=False``) or a ``passthrough`` prefix of any active mock: sent on as if no mock
   were active (to the network, or to a ``responses`` mock started before ours);
2. a host an active mock answers: served by that mock, in-process;
3. any other host: handed to a ``responses`` mock started before ours, if there is one; else a
   ``requests.exceptions.ConnectionError`` naming what is mocked.

A ``responses`` mock started *after* ours sees every request first (``responses`` sends its own
passthrough straight to the network); give it the emulator with ``CloudMock.add_to(rsps)``.

``responses`` builds the ``requests`` responses: it is started with its patch target set to
``_Responses.send`` below (its documented ``target`` parameter), not to ``requests`` itself, and
the one patch of ``HTTPAdapter.send`` calls it for the requests a mock answers.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
import responses
from requests.adapters import HTTPAdapter

ANY_URL = re.compile(r".*")
_NETWORK_SEND = HTTPAdapter.send  # what requests does when nothing is patched
_ADAPTER: Any = HTTPAdapter  # whose send is patched (typed Any: it is replaced at run time)
Send = Callable[..., requests.Response]


class Mocked(Protocol):
    """What the interception needs of a mock (``CloudMock`` is one)."""

    passthrough: tuple[str, ...]
    loopback: bool

    def answers(self, netloc: str) -> bool: ...

    def serve(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]: ...

    @property
    def mocked_prefixes(self) -> list[str]: ...


class AnyMethod(responses.CallbackResponse):
    """One ``responses`` entry for every HTTP method of the URLs its pattern matches."""

    def __init__(self, url: re.Pattern[str], callback: Callable[..., Any]) -> None:
        super().__init__("GET", url, callback, content_type=None)
        self.pattern = url

    def matches(self, request: requests.PreparedRequest) -> tuple[bool, str]:
        if self.pattern.fullmatch(request.url or ""):
            return True, ""
        return False, "not a host of this emulator mock"


class _Responses:
    """The patch target of our ``responses`` mock (it patches this, not ``requests``)."""

    send: Send = staticmethod(_NETWORK_SEND)


def is_loopback(url: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``::1``."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def netloc_of(url: str) -> str:
    """``host[:port]`` of an https URL, without the default port; "" for any other scheme."""
    parts = urlsplit(url)
    return parts.netloc.lower().removesuffix(":443") if parts.scheme == "https" else ""


class Interception:
    """The active mocks and the one patch of ``HTTPAdapter.send`` that serves them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: tuple[Mocked, ...] = ()
        self._below: Send | None = None  # HTTPAdapter.send before ours

        def send(adapter: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any) -> Any:
            return self._send_through(adapter, request, **kwargs)

        self._send = send  # a plain function, so that it binds to the adapter as a method
        self._responses = responses.RequestsMock(
            assert_all_requests_are_fired=False, target=f"{__name__}._Responses.send"
        )
        self._responses.add(AnyMethod(ANY_URL, self._serve))

    @property
    def active(self) -> tuple[Mocked, ...]:
        return self._active

    def activate(self, mock: Mocked) -> None:
        with self._lock:
            if mock in self._active:
                return
            if not self._active:
                self._responses.start()
                if self._below is None:  # else ours is still in a chain (see _step_out): reuse it
                    self._below = _ADAPTER.send
                    _ADAPTER.send = self._send
            self._active = (*self._active, mock)

    def deactivate(self, mock: Mocked) -> None:
        with self._lock:
            if mock not in self._active:
                return
            self._active = tuple(m for m in self._active if m is not mock)
            if not self._active:
                self._responses.stop(allow_assert=False)
                self._step_out()

    def _step_out(self) -> None:
        # Restore what was there, unless a patch started after ours is still on top (its own stop
        # will put ours back): then ours passes everything on and steps out on its next call.
        if _ADAPTER.send is self._send and self._below is not None:
            _ADAPTER.send = self._below
            self._below = None

    def _send_through(
        self, adapter: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        active, below = self._active, self._below or _NETWORK_SEND
        if not active:
            with self._lock:
                if not self._active:
                    self._step_out()
            return below(adapter, request, **kwargs)
        url = request.url or ""
        if _passes(url, active):
            return below(adapter, request, **kwargs)
        netloc = netloc_of(url)
        if below is not _NETWORK_SEND and not any(m.answers(netloc) for m in active):
            return below(adapter, request, **kwargs)  # another mock library's, started first
        return _Responses.send(adapter, request, **kwargs)

    def _serve(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        netloc = netloc_of(request.url or "")
        for mock in reversed(self._active):
            if mock.answers(netloc):
                return mock.serve(request)
        raise requests.exceptions.ConnectionError(
            not_mocked_message(request.url or "", self._active), request=request
        )


def _passes(url: str, active: tuple[Mocked, ...]) -> bool:
    if any(m.loopback for m in active) and is_loopback(url):
        return True
    return any(url.startswith(prefix) for m in active for prefix in m.passthrough)


def not_mocked_message(url: str, active: tuple[Mocked, ...]) -> str:
    mocked = ", ".join(prefix for m in active for prefix in m.mocked_prefixes)
    allowed = ", ".join(p for m in active for p in m.passthrough) or "none"
    loopback = "loopback and " if any(m.loopback for m in active) else ""
    return (
        f"emulator.mock: {url} is not mocked and may not reach the network. Mocked: {mocked}. "
        f"Passing through: {loopback}the passthrough prefixes ({allowed}); "
        "pass passthrough=[...] to the mock to allow more."
    )


INTERCEPTION = Interception()
