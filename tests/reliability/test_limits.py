"""Bodies over the 1 MiB limit, to each service's POST route: 413 in the service's own format.

The fuzzer generates such bodies rarely (each costs a megabyte) and most land on paths that answer
404 first; this pins the limit on the routes that read a body.
"""

from __future__ import annotations

import pytest

from tests.reliability.fuzz_values import MAX_BODY_BYTES, huge_body
from tests.reliability.harness import PROJECT_ID, SERVER_ID, FuzzTarget, problems_with

ACTION = f"/compute/v2.1/{PROJECT_ID}/servers/{SERVER_ID}/action"


@pytest.fixture(scope="module")
def target() -> FuzzTarget:
    return FuzzTarget()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # keystone/exception.py RequestTooLarge: 413 "Request is too large."
        (
            "/identity/v3/auth/tokens",
            {
                "error": {
                    "code": 413,
                    "title": "Request Entity Too Large",
                    "message": "Request is too large.",
                }
            },
        ),
        # oslo.middleware sizelimit through Nova's Fault: overLimit
        (ACTION, {"overLimit": {"code": 413, "message": "Request is too large."}}),
    ],
)
@pytest.mark.parametrize("kind", ["padding", "string"])
def test_a_body_over_the_limit_is_413_in_the_services_format(
    target: FuzzTarget, path: str, expected: dict[str, object], kind: str
) -> None:
    body = huge_body(MAX_BODY_BYTES + 1, kind)
    headers = {"X-Auth-Token": target.tokens["valid"], "Content-Type": "application/json"}
    response = target.client.post(path, data=body, headers=headers)
    assert response.status_code == 413
    assert response.get_json() == expected
    assert problems_with("POST", path, 413, response.headers, response.get_data()) == []
    assert target.take_errors() == []


def test_a_body_at_the_limit_is_read() -> None:
    """Exactly 1 MiB of valid JSON (padded) is an ordinary request: the stop is accepted."""
    target = FuzzTarget()
    assert len(huge_body(MAX_BODY_BYTES, "string")) == MAX_BODY_BYTES
    headers = {"X-Auth-Token": target.tokens["valid"], "Content-Type": "application/json"}
    response = target.client.post(
        ACTION, data=huge_body(MAX_BODY_BYTES, "padding"), headers=headers
    )
    assert response.status_code == 202
    assert target.take_errors() == []
