"""Issue 12, problems 8 and 9: the mock keeps the client's read timeout like a socket does; a fault
rule that could not be sent is refused when injected; an error inside the emulator is reported.

Before: a 1 s delay with ``timeout=0.2`` answered 200 after 1 s in the mock (over a socket it is
a ``ReadTimeout``); ``inject_fault(status=503, body={"ids": {"a"}})`` was accepted and, when it
fired, the thread server sent a bare 500 never reported to the test, the mock raised a raw
``TypeError`` out of ``requests.get``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

import emulator
from emulator import ControlError, EmulatorServer
from emulator.handle import ControlMethods
from emulator.mock import CloudMock


@pytest.fixture(params=["mock", "socket"])
def cloud(request: pytest.FixtureRequest) -> Iterator[ControlMethods]:
    made: ControlMethods = emulator.mock() if request.param == "mock" else EmulatorServer()
    with made:
        yield made


def identity_root(cloud: ControlMethods) -> str:
    return cloud.auth_url


@pytest.mark.parametrize("timeout", [0.2, (5, 0.2)])
def test_a_delay_past_the_read_timeout_is_a_read_timeout(
    cloud: ControlMethods, timeout: float | tuple[float, float]
) -> None:
    cloud.inject_fault(method="GET", path="/identity/v3", action="delay", delay_seconds=2)
    with pytest.raises(requests.exceptions.ReadTimeout, match=r"read timeout=0\.2"):
        requests.get(identity_root(cloud), timeout=timeout)


def test_a_delay_within_the_read_timeout_answers(cloud: ControlMethods) -> None:
    cloud.inject_fault(method="GET", path="/identity/v3", action="delay", delay_seconds=0.05)
    assert requests.get(identity_root(cloud), timeout=30).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": {"a"}}, "fault.body.ids: a set cannot be sent as JSON"),
        ({"list": [1, {"deep": object()}]}, r"fault.body.list\[1\].deep: a object"),
        ({1: "x"}, "fault.body: keys must be strings"),
        ([float("nan")], r"fault.body\[0\]: nan cannot be sent as JSON"),
    ],
)
def test_a_body_that_cannot_be_sent_is_refused_naming_the_field(
    cloud: ControlMethods, body: object, field: str
) -> None:
    with pytest.raises(ControlError, match=field):
        cloud.inject_fault(method="GET", path="*", status=503, body=body)
    assert cloud.faults() == []
    assert requests.get(identity_root(cloud), timeout=5).status_code == 200


def test_an_error_outside_every_route_is_a_500_and_reported(
    cloud: ControlMethods, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.inject_fault(method="GET", path="/nowhere", status=503)  # the layer now looks at rules

    def broken(*args: object) -> None:
        raise RuntimeError("exploded in the fault layer")

    monkeypatch.setattr(cloud.state.control.faults, "take", broken)
    assert requests.get(identity_root(cloud), timeout=5).status_code == 500
    with pytest.raises(RuntimeError, match="exploded in the fault layer"):
        cloud.check_errors()


def test_the_mock_without_a_timeout_waits_for_the_delay() -> None:
    with emulator.mock() as mock:
        assert isinstance(mock, CloudMock)
        mock.inject_fault(method="GET", path="/identity/v3", action="delay", delay_seconds=0.05)
        assert requests.get(mock.auth_url).status_code == 200  # noqa: S113 - no timeout on purpose
