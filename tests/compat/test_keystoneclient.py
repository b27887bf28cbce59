"""python-keystoneclient's token API: validate (GET), check (HEAD), revoke (DELETE).

Assertion messages never include a token value: a failing comparison is reported by name only.
"""

from __future__ import annotations

import json

import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneclient.v3 import client as keystone_client  # type: ignore[import-untyped]

from emulator.handle import ControlMethods
from tests.compat.helpers import compute_endpoint, keystone_session

TOKENS_PATH = "/identity/v3/auth/tokens"


def test_validate_check_and_revoke_another_token(cloud: ControlMethods) -> None:
    keystone = keystone_client.Client(session=keystone_session(cloud))
    subject = keystone_session(cloud).get_token()
    assert subject is not None

    access = keystone.tokens.validate(subject)
    assert access.project_id == cloud.project_id
    assert access.user_id is not None
    assert access.has_service_catalog()
    compute_url = access.service_catalog.url_for(service_type="compute", endpoint_type="public")
    assert compute_url == compute_endpoint(cloud)
    # ?nocatalog drops the catalog (keystone/api/auth.py AuthTokenResource.get).
    assert not keystone.tokens.validate(subject, include_catalog=False).has_service_catalog()

    keystone.tokens.revoke_token(subject)
    with pytest.raises(ks_exceptions.NotFound) as caught:
        keystone.tokens.validate(subject)
    # keystone/exception.py TokenNotFound: "Could not find token: %(token_id)s."
    names_the_token = f"Could not find token: {subject}." in str(caught.value)
    assert names_the_token, "the 404 message does not name the subject token like Keystone"

    calls = [
        (e["method"], e["query"], e["status"])
        for e in cloud.requests_log()
        if e["path"] == TOKENS_PATH and e["method"] != "POST"
    ]
    assert calls == [
        ("GET", "", 200),
        ("GET", "nocatalog", 200),
        ("DELETE", "", 204),
        ("GET", "", 404),
    ]


def test_request_log_never_holds_a_token_value(cloud: ControlMethods) -> None:
    """Keystone's 404 names the token; the request log must still hold only ``***``."""
    keystone = keystone_client.Client(session=keystone_session(cloud))
    subject = keystone_session(cloud).get_token()
    assert subject is not None
    keystone.tokens.validate(subject)
    keystone.tokens.revoke_token(subject)
    with pytest.raises(ks_exceptions.NotFound):
        keystone.tokens.validate(subject)

    tokens = [subject, keystone.session.get_token()]
    leaking = [
        entry["seq"]
        for entry in cloud.requests_log()
        if any(token is not None and token in json.dumps(entry) for token in tokens)
    ]
    assert leaking == [], "request-log entries holding a token value (by seq)"
