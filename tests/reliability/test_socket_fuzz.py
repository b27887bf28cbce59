"""CI-sized raw-socket slice of the fuzzing (long run: ``python -m tests.reliability.socket_fuzz``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given

from tests.reliability.fuzz import fuzz_settings
from tests.reliability.socket_fuzz import (
    RawRequest,
    SocketRun,
    answers_normally,
    exchange,
    raw_requests,
)


@pytest.fixture(scope="module")
def socket_run() -> Iterator[SocketRun]:
    with SocketRun() as run:
        yield run


def test_header_level_garbage_never_gives_5xx_or_a_crash(socket_run: SocketRun) -> None:
    @fuzz_settings(120, derandomize=True)
    @given(raw_requests())
    def one(request: RawRequest) -> None:
        problems = socket_run.exercise(request)
        assert not problems, (request.data[:300], problems)

    one()
    assert answers_normally(socket_run) == []
    # The slice reached both layers: waitress's own 4xx and the app's fault bodies.
    assert socket_run.outcomes["answered by waitress before the app"] > 0
    assert any(k.startswith("4") and socket_run.outcomes[k] for k in ("401", "404", "405"))


def test_oversized_header_section_is_waitress_431(socket_run: SocketRun) -> None:
    """Headers over waitress's max_request_header_size (256 KiB): 431, the server lives on."""
    data = b"GET /compute/ HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"z" * 300000 + b"\r\n\r\n"
    answer = exchange(socket_run.server.port, data)
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.0 431 Request Header Fields Too Large"
    assert answers_normally(socket_run) == []
