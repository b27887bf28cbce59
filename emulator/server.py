"""``EmulatorServer``: the emulator on a real socket (waitress, in a daemon thread), no pytest needed.

    with EmulatorServer() as cloud:            # 127.0.0.1, a free port
        requests.get(cloud.compute_url + "/")  # COMPUTE of the seed document
        cloud.inject_fault(method="POST", path="*/action", status=503)

waitress is a production-grade threaded WSGI server; the socket is bound in ``start()`` (so the
port is known at once) and ``start()`` returns only when ``/_emulator/health`` answers.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import waitress
from flask import Flask
from waitress.channel import ClientDisconnected

from emulator.app import create_app
from emulator.config import EmulatorConfig, Timing, build_config
from emulator.control.errors import ConnectionDropped
from emulator.handle import ControlMethods
from emulator.requestid import StartResponse, WSGIApp
from emulator.seed import Seed
from emulator.state import STATE_KEY, EmulatorState

READY_TIMEOUT_SECONDS = 10.0


class EmulatorNotStarted(RuntimeError):
    """A URL of the server was asked for before ``start()``."""


def waitress_app(app: Flask) -> WSGIApp:
    """``app`` for waitress: a drop fault's ``ConnectionDropped`` becomes ``ClientDisconnected``.

    waitress answers ``ClientDisconnected`` by closing the socket without writing a byte, which
    is what a drop fault promises the client.
    """

    state: EmulatorState = app.extensions[STATE_KEY]

    def serve(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            return app(environ, start_response)
        except ConnectionDropped as exc:
            raise ClientDisconnected(str(exc)) from exc
        except Exception as exc:
            # An error outside every route (the routes' own are kept by the app): waitress
            # answers a bare 500, and check_errors() must still report it in the test.
            state.record_unhandled(exc)
            raise

    return serve


class EmulatorServer(ControlMethods):
    """The emulator app served by waitress on ``host:port`` (port 0: a free one) in a thread."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        seed: Seed | str | Path | None = None,
        region: str = "jp-east-1",
        timing: Timing | str | float | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = 8,
        **config_fields: Any,
    ) -> None:
        self.config = build_config(
            config, seed=seed, region=region, timing=timing, config_fields=config_fields
        )
        try:
            ipaddress.ip_address(host)
        except ValueError:
            # A name such as "localhost" may resolve to several addresses, and waitress would
            # then open one socket per address; one server, one socket, one URL.
            raise ValueError(
                f"host must be an IP address such as 127.0.0.1, not {host!r}"
            ) from None
        self.app: Flask = create_app(self.config)
        self.host = host
        self.requested_port = port
        self.threads = threads
        self._server: Any = None
        self._socket_map: dict[int, Any] = {}  # waitress's socket map, ours to close (stop())
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> EmulatorServer:
        """Bind, serve in a daemon thread, and return once the emulator answers."""
        with self._lock:
            if self._server is not None:
                return self
            self._socket_map = {}
            server = waitress.create_server(
                waitress_app(self.app),
                map=self._socket_map,
                host=self.host,
                port=self.requested_port,
                threads=self.threads,
                ident="fjcloud-emulator",
                # waitress >= 3's default, explicit so that waitress 2.x does not warn about it.
                clear_untrusted_proxy_headers=True,
            )
            self._server = server
            self._thread = threading.Thread(
                target=server.run, name=f"fjcloud-emulator:{self.port}", daemon=True
            )
            self._thread.start()
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Close every connection and the listening socket, and wait for the threads to end."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server, self._thread = None, None
        if server is None or thread is None:
            return
        # Workers first: a worker that finishes a response pulls the trigger, and once the trigger
        # is closed that write would hit a closed (or reused) file descriptor.
        _shutdown(server, self._socket_map)
        thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._server is not None

    def __repr__(self) -> str:
        where = self.url if self.running else "not started"
        return f"<EmulatorServer {self.config.region} {where}>"

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            try:
                if self._answers():
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the emulator on {self.url} did not answer within 10 s")
            time.sleep(0.005)

    def _answers(self) -> bool:
        if not self.config.control_plane:
            with socket.create_connection((self._connect_host, self.port), timeout=1):
                return True
        connection = http.client.HTTPConnection(self._connect_host, self.port, timeout=2)
        try:
            connection.request("GET", "/_emulator/health")
            return connection.getresponse().status == 200
        finally:
            connection.close()

    def _post_auth(self, body: dict[str, Any]) -> tuple[int, str | None, str]:
        # Straight to our own socket with the standard library, as _answers() does: no proxy
        # applies to this loopback server, so requests' per-call Session and scan of the
        # environment's proxy settings bought nothing but a third of the call's time.
        connection = http.client.HTTPConnection(self._connect_host, self.port, timeout=30)
        try:
            connection.request(
                "POST",
                f"{urlsplit(self.auth_url).path}/auth/tokens",
                body=json.dumps(body).encode("utf-8"),
                headers={"Content-Type": "application/json"},
            )
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            return response.status, response.getheader("X-Subject-Token"), text
        finally:
            connection.close()

    # -- where it is --------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The real port (useful with ``port=0``)."""
        if self._server is None:
            raise EmulatorNotStarted("the emulator is not running; call start() first")
        return int(self._server.effective_port)  # waitress reports it as a string

    @property
    def _connect_host(self) -> str:
        return "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host = self._connect_host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def auth_url(self) -> str:
        """``<url>/identity/v3`` (``OS_AUTH_URL``)."""
        return f"{self.url}/identity/v3"

    @property
    def compute_url(self) -> str:
        """``<url>/compute`` (the seed document's ``COMPUTE``)."""
        return f"{self.url}/compute"

    @property
    def state(self) -> EmulatorState:
        state: EmulatorState = self.app.extensions[STATE_KEY]
        return state


def _shutdown(server: Any, socket_map: dict[int, Any]) -> None:
    """Stop a waitress server that ``run()``s in another thread, open connections included.

    waitress has no public call for this: ``server.close()`` closes only the listening socket
    and its trigger, and the poll loop goes on while a keep-alive connection is open (it runs
    until its socket map is empty). So, with the map we handed to ``create_server(map=...)``:
    stop the workers first (a worker finishing a response pulls the trigger; once the trigger is
    closed that write would hit a closed or reused descriptor), then close every socket of the
    map in the loop's own thread via the trigger (closing them from here would race the poll).
    ``tests/emulator/test_server.py`` checks that stop() ends the thread and frees the port with
    a keep-alive connection open.
    """
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)

    def close_all() -> None:
        for dispatcher in list(socket_map.values()):
            dispatcher.close()

    try:
        server.trigger.pull_trigger(close_all)
    except OSError:
        # The trigger is already gone; the loop still wakes up on its poll timeout.
        close_all()
