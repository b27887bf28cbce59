"""App-wide behaviour: request ids and reason phrases on every service."""

import pytest

from emulator import create_app


@pytest.mark.parametrize("path", ["/identity/v3", "/compute/v2/", "/compute/nowhere"])
def test_every_response_carries_a_request_id(path: str) -> None:
    """oslo.middleware request_id: ``x-openstack-request-id: req-<uuid>`` on every response."""
    response = create_app().test_client().get(path)
    assert response.headers["x-openstack-request-id"].startswith("req-")


def test_reason_phrase_is_webobs_not_werkzeugs() -> None:
    """Nova/Keystone run on webob, which sends "404 Not Found"; werkzeug would send "NOT FOUND"."""
    response = create_app().test_client().get("/compute/v2/x/servers/y")
    assert response.status == "401 Unauthorized"
