"""IdentityBackend.authenticate: live tokens pass; missing, unknown, expired or header-injected ones do not."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator.identity.errors import Unauthorized
from tests.emulator.identity.conftest import issue, state_of


def test_live_token_then_expired_one_is_refused_and_dropped(
    app: Flask, client: FlaskClient
) -> None:
    token = issue(client)
    identity = state_of(app).identity
    assert identity.authenticate(token).id == token
    state_of(app).clock.advance(3 * 3600)
    with pytest.raises(Unauthorized):
        identity.authenticate(token)
    assert identity.snapshot()["active_tokens"] == 0  # the locked path deleted it


@pytest.mark.parametrize("bad", [None, "", "no-such-token", "x\r\ny"])
def test_missing_unknown_or_header_injected_tokens_are_refused(app: Flask, bad: str | None) -> None:
    with pytest.raises(Unauthorized):
        state_of(app).identity.authenticate(bad)


def test_a_live_token_with_a_line_break_appended_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    token = issue(client)
    with pytest.raises(Unauthorized):
        state_of(app).identity.authenticate(token + "\n")
