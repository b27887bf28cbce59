"""Header-level garbage over a real socket: the emulator's thread server (waitress) on 127.0.0.1.

    python -m tests.reliability.socket_fuzz --examples 1000 [--seed 1]

What the Flask test client cannot send: broken request lines, header lines without a colon,
bytes outside latin-1, NULs, header sections over waitress's limit, many headers, conflicting or
negative Content-Length, chunked bodies with garbage chunks, unknown transfer codings, bare LF.
An answer comes either from waitress (before the app: 400/413/431, or 501 for a transfer coding
it does not implement, as RFC 9112 §6.1 prescribes) or from the app (judged by
``harness.problems_with``). Afterwards the server must answer normally and have recorded no
exception.
"""

from __future__ import annotations

import argparse
import re
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TypeVar

import requests
from flask import got_request_exception
from hypothesis import given
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from emulator.server import EmulatorServer
from tests.reliability.fuzz import fuzz_settings
from tests.reliability.harness import PROJECT_ID, SERVER_ID, problems_with, reliability_seed

T = TypeVar("T")
STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3}) ", re.MULTILINE)
VALID_PATHS = [
    f"/compute/v2/{PROJECT_ID}/servers/{SERVER_ID}",
    f"/compute/v2.1/{PROJECT_ID}/servers/{SERVER_ID}/action",
    "/identity/v3/auth/tokens",
    "/_emulator/health",
    "/compute/",
]


@dataclass(frozen=True)
class RawRequest:
    """A request as bytes on the wire, and the path it targets (for judging the answer)."""

    data: bytes
    path: str
    method: str
    unknown_transfer_coding: bool


def _line_items() -> st.SearchStrategy[bytes]:
    token = b"@@token@@"
    return st.one_of(
        st.sampled_from(
            [
                b"Host: 127.0.0.1",
                b"X-Auth-Token: " + token,
                b"Content-Type: application/json",
                b"Content-Type: \xff\xfe",
                b"X-Auth-Token: \xe3\x81\x82" + token,
                b"X-Auth-Token: " + token + b"\x00",
                b"NoColonHere",
                b": empty-name",
                b" folded-continuation",
                b"Content-Length: -1",
                b"Content-Length: abc",
                b"Content-Length: 99999999999999999999",
                b"Content-Length: 5",
                b"Content-Length: 0",
                b"Transfer-Encoding: chunked",
                b"Transfer-Encoding: gzip",
                b"Transfer-Encoding: chunked, chunked",
                b"Expect: 100-continue",
                b"OpenStack-API-Version: compute \xff",
                b"X-OpenStack-Nova-API-Version: 2.\x00",
                b"Connection: close",
                b"X-Big: " + b"z" * 70000,
                b"X-Huge: " + b"z" * 300000,
            ]
        ),
        st.binary(max_size=60).filter(lambda b: b"\n" not in b and b"\r" not in b),
    )


def often(good: list[T], bad: list[T], one_in: int = 6) -> st.SearchStrategy[T]:
    """One of ``good``, or once in ``one_in`` one of ``bad``."""
    return st.integers(0, one_in - 1).flatmap(lambda n: st.sampled_from(bad if n == 0 else good))


@st.composite
def raw_requests(draw: st.DrawFn) -> RawRequest:
    """A request line, header lines and a body, each possibly broken."""
    # Mostly a well-formed request line, so most requests reach the app with bad headers.
    method = draw(
        often(
            ["GET", "POST", "HEAD", "DELETE", "PUT"],
            ["get", "G E T", "", "POST\t", "\x00", "X" * 300],
        )
    )
    path = draw(
        often(
            VALID_PATHS,
            [
                "*",
                "http://example.invalid/compute/",
                "/compute/\udcff",
                " /",
                "/%",
                "/c/" + "a" * 70000,
            ],
        )
    )
    version = draw(often(["HTTP/1.1", "HTTP/1.0"], ["HTTP/2.0", "HTTP/9.9", "", "HTTX"]))
    eol = draw(often([b"\r\n"], [b"\n"]))
    lines = draw(st.lists(_line_items(), max_size=6))
    if draw(st.integers(0, 9)) == 0:
        lines += [b"X-Many-%d: v" % n for n in range(draw(st.sampled_from([100, 2000])))]
    body = draw(
        st.one_of(
            st.just(b""),
            st.just(b'{"os-stop": null}'),
            st.just(b"5\r\nhello\r\n0\r\n\r\n"),
            st.just(b"zz\r\nnot-hex\r\n"),
            st.binary(max_size=100),
        )
    )
    request_line = f"{method} {path} {version}".encode("utf-8", "surrogateescape")
    data = eol.join([request_line, *lines]) + eol + eol + body
    unknown_coding = any(
        line.lower().startswith(b"transfer-encoding:")
        and line.lower().strip() != b"transfer-encoding: chunked"
        for line in lines
    )
    return RawRequest(data, path, method, unknown_coding)


@dataclass
class SocketRun:
    """A thread server and what came back from it."""

    server: EmulatorServer = field(
        default_factory=lambda: EmulatorServer(seed=reliability_seed(), timing="immediate")
    )
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[tuple[bytes, list[str]]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    token: str = ""

    def __enter__(self) -> SocketRun:
        self.server.start()
        self.server.state.control.sleep = lambda seconds: None
        got_request_exception.connect(self._on_exception, self.server.app, weak=False)
        self.token = issue_token(self.server.auth_url)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.stop()

    def _on_exception(self, sender: object, exception: BaseException, **extra: object) -> None:
        self.errors.append(exception)

    def exercise(self, request: RawRequest) -> list[str]:
        """Send the bytes, read until the server closes, judge every answer."""
        data = request.data.replace(b"@@token@@", self.token.encode())
        raw = exchange(self.server.port, data)
        statuses = [int(m.group(1)) for m in STATUS_LINE.finditer(raw)]
        problems: list[str] = []
        if not statuses:
            self.outcomes["closed without an answer"] += 1
        for status in statuses:
            self.outcomes[str(status)] += 1
            if status == 501 and request.unknown_transfer_coding:
                self.outcomes["501 from waitress: unknown transfer coding (RFC 9112 6.1)"] += 1
            elif status >= 500:
                problems.append(f"status {status}")
        if statuses and b"x-openstack-request-id" in raw.lower():
            problems += judge_app_answer(request, raw)
        elif statuses:
            self.outcomes["answered by waitress before the app"] += 1
        unrecorded = self.server.state.take_unhandled() + self.errors
        self.errors = []
        problems += [f"unhandled {type(e).__name__}: {e!s:.100}" for e in unrecorded]
        if problems:
            self.problems.append((data[:300], problems))
        return problems


def exchange(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send ``data`` on a new connection, half-close, and read until the server closes."""
    chunks: list[bytes] = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        try:
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may close early (e.g. headers too large); read what it said
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks)


def judge_app_answer(request: RawRequest, raw: bytes) -> list[str]:
    """Parse the first answer's head and body and apply the fuzzer's oracle to it."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers.setdefault(name.strip(), value.strip())
    lowered = _CaseInsensitive(headers)
    length = int(lowered.get("Content-Length", "0") or 0)
    return problems_with(request.method, request.path, status, lowered, body[:length])


class _CaseInsensitive(dict[str, str]):
    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        for name, value in self.items():
            if name.lower() == key.lower():
                return value
        return default


def issue_token(auth_url: str) -> str:
    """A project-scoped token of the demo user, over HTTP."""
    from tests.reliability.harness import password_auth

    response = requests.post(f"{auth_url}/auth/tokens", json=password_auth(), timeout=10)
    response.raise_for_status()
    return response.headers["X-Subject-Token"]


def answers_normally(run: SocketRun) -> list[str]:
    """Health, a fresh token and a server read still work over the socket."""
    base, problems = run.server.url, []
    if requests.get(f"{base}/_emulator/health", timeout=10).status_code != 200:
        problems.append("health")
    token = issue_token(run.server.auth_url)
    url = f"{run.server.compute_url}/v2/{PROJECT_ID}/servers/{SERVER_ID}"
    if requests.get(url, headers={"X-Auth-Token": token}, timeout=10).status_code != 200:
        problems.append("GET server")
    return problems


def run(examples: int, seed: int | None) -> tuple[SocketRun, list[str], int]:
    """Send ``examples`` raw requests; returns the run, the after-check and the count sent."""
    sent = 0
    with SocketRun() as outcome:

        @fuzz_settings(examples, derandomize=False)
        @given(raw_requests())
        def one(request: RawRequest) -> None:
            nonlocal sent
            sent += 1
            outcome.exercise(request)

        if seed is not None:
            one = hypothesis_seed(seed)(one)
        one()
        after = answers_normally(outcome)
    return outcome, after, sent


def main(argv: list[str] | None = None) -> int:
    """Print the figures for docs/RELIABILITY.md."""
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.socket_fuzz")
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    started = time.monotonic()
    outcome, after, sent = run(args.examples, args.seed)
    print(f"raw requests sent       {sent}")
    for name, count in sorted(outcome.outcomes.items()):
        print(f"  {name:<60} {count}")
    print(f"requests with problems  {len(outcome.problems)}")
    print(f"answers normally after  {after or 'yes'}")
    print(f"elapsed                 {time.monotonic() - started:.1f} s")
    for data, problems in outcome.problems[:20]:
        print(f"  PROBLEM {data!r:.300}\n          {problems}")
    return 1 if outcome.problems or after else 0


if __name__ == "__main__":
    sys.exit(main())
