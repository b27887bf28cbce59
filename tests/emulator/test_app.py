"""App-wide behaviour: request ids and reason phrases on every service."""

import os
import uuid

import pytest

from emulator import create_app
from emulator.requestid import new_request_id
from tests.emulator.forked import next_in_child_and_parent


@pytest.mark.parametrize("path", ["/identity/v3", "/compute/v2/", "/compute/nowhere"])
def test_every_response_carries_a_request_id(path: str) -> None:
    """oslo.middleware request_id: ``x-openstack-request-id: req-<uuid>`` on every response."""
    response = create_app().test_client().get(path)
    assert response.headers["x-openstack-request-id"].startswith("req-")


def test_request_ids_are_distinct_version_4_uuids() -> None:
    """oslo.middleware's ``'req-' + str(uuid.uuid4())``: the same form, never repeated."""
    ids = [new_request_id() for _ in range(1000)]
    assert len(set(ids)) == len(ids)
    for request_id in ids:
        prefix, _, text = request_id.partition("-")
        parsed = uuid.UUID(text)
        assert (prefix, str(parsed), parsed.version, parsed.variant) == (
            "req",
            text,
            4,
            uuid.RFC_4122,
        )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_does_not_repeat_its_parents_request_ids() -> None:
    """The ids come from a generator of the process's own, re-seeded in a forked child."""
    child, parent = next_in_child_and_parent(new_request_id)
    assert child.startswith("req-")
    assert child != parent


def test_reason_phrase_is_webobs_not_werkzeugs() -> None:
    """Nova/Keystone run on webob, which sends "404 Not Found"; werkzeug would send "NOT FOUND"."""
    response = create_app().test_client().get("/compute/v2/x/servers/y")
    assert response.status == "401 Unauthorized"
