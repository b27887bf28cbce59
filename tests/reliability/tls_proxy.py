"""An HTTPS front for the emulator on 127.0.0.1 with a throw-away self-signed certificate.

Used to check that the runbook verifies TLS by default (a self-signed endpoint is refused before
any request reaches the emulator), accepts it with its CA bundle, and warns with ``--insecure``.
"""

from __future__ import annotations

import http.client
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass(frozen=True)
class TLSFront:
    url: str  # https://127.0.0.1:<port>
    ca_bundle: Path  # the self-signed certificate (its own CA)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for IP 127.0.0.1 and its key, made with the openssl command."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _handler(backend_port: int) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        """Pass each request to the emulator over plain HTTP and its answer back."""

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            upstream = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            # The front plays an HTTPS cloud: the catalog the emulator builds from the Host header
            # names plain http (it cannot see the TLS), so its own URLs are given their scheme,
            # as a TLS-terminating proxy in front of Keystone is configured to (public_endpoint).
            host = self.headers.get("Host", "")
            data = answer.read().replace(f"http://{host}".encode(), f"https://{host}".encode())
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            upstream.close()

        do_GET = do_POST = do_DELETE = do_HEAD = _forward

        def log_message(self, format: str, *args: object) -> None:
            """Silent: this is test plumbing."""

    return Forward


@contextmanager
def tls_front(backend_port: int, directory: Path) -> Iterator[TLSFront]:
    """Serve HTTPS on 127.0.0.1:<free port> in front of the emulator on ``backend_port``."""
    cert, key = self_signed(directory)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(backend_port))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TLSFront(f"https://127.0.0.1:{server.server_address[1]}", cert)
    finally:
        server.shutdown()
        server.server_close()
