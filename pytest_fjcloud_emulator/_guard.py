"""The guard: while it is on, nothing in the test process may reach the real FJcloud-O.

Name resolution of ``*.cloud.global.fujitsu.com`` (``socket.getaddrinfo``, ``gethostbyname``…)
fails with ``RealCloudBlocked``, a ``socket.gaierror``: what code built on sockets (``requests``,
urllib3, ``http.client``, keystoneauth1, openstacksdk) sees when a name does not resolve, with a
message that says why. A CONNECT through an HTTP proxy (``set_tunnel``, where the proxy resolves the
name) is refused the same way. Every attempt is recorded, so that the plugin can fail the test
even when the code under test catches the error and carries on.

Not covered: other processes (a ``curl`` the test starts), and clients that resolve names without
the ``socket`` module. The in-process mock (``fjcloud_mock``) answers before any socket is
opened, so it works with the guard on.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

REAL_CLOUD_DOMAIN = "cloud.global.fujitsu.com"
HOW_TO = (
    "use the fjcloud_mock or fjcloud_emulator fixture; the guard is on because of "
    "--fjcloud-guard or the ini option fjcloud_guard"
)


class RealCloudBlocked(socket.gaierror):
    """A test tried to reach ``*.cloud.global.fujitsu.com`` while the guard is on."""

    def __init__(self, host: str) -> None:
        super().__init__(
            socket.EAI_NONAME,
            f"fjcloud guard: {host} is the real FJcloud-O and tests may not reach it; {HOW_TO}",
        )
        self.host = host


def is_real_cloud(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.rstrip(".").lower()
    return name == REAL_CLOUD_DOMAIN or name.endswith("." + REAL_CLOUD_DOMAIN)


class Guard:
    """Patches the resolver functions of ``socket`` (and ``http.client``'s tunnel) while on."""

    _RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex")

    def __init__(self) -> None:
        self._originals: dict[str, Callable[..., Any]] = {}
        self._tunnel: Callable[..., Any] | None = None
        self._lock = threading.Lock()
        self._blocked: list[str] = []

    @property
    def on(self) -> bool:
        return bool(self._originals)

    def install(self) -> None:
        import http.client  # only when the guard is on: registering the plugin stays cheap

        if self.on:
            return
        for name in self._RESOLVERS:
            original = getattr(socket, name)
            self._originals[name] = original
            setattr(socket, name, self._checked(original))
        tunnel = http.client.HTTPConnection.set_tunnel
        self._tunnel = tunnel
        block = self._block

        def set_tunnel(connection: Any, host: str, *args: Any, **kwargs: Any) -> Any:
            if is_real_cloud(host.rsplit(":", 1)[0] if host.count(":") == 1 else host):
                raise block(host)
            return tunnel(connection, host, *args, **kwargs)

        http.client.HTTPConnection.set_tunnel = set_tunnel  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        import http.client

        for name, original in self._originals.items():
            setattr(socket, name, original)
        self._originals.clear()
        if self._tunnel is not None:
            http.client.HTTPConnection.set_tunnel = self._tunnel  # type: ignore[method-assign]
            self._tunnel = None

    def take_blocked(self) -> list[str]:
        """The hosts blocked since the last call, in order."""
        with self._lock:
            blocked, self._blocked = self._blocked, []
        return blocked

    def _block(self, host: str) -> RealCloudBlocked:
        with self._lock:
            self._blocked.append(host)
        return RealCloudBlocked(host)

    def _checked(self, resolve: Callable[..., Any]) -> Callable[..., Any]:
        block = self._block

        def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
            if is_real_cloud(host):
                raise block(host if isinstance(host, str) else repr(host))
            return resolve(host, *args, **kwargs)

        guarded.__wrapped__ = resolve  # type: ignore[attr-defined]
        return guarded
