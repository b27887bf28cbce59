"""Token values and audit ids: 32 and 16 random bytes in URL-safe base64, never handed out twice."""

from __future__ import annotations

import base64
import os

import pytest

from emulator.identity import token_values
from emulator.identity.token_values import new_token_and_audit_id, new_token_value
from tests.emulator.forked import next_in_child_and_parent


def _decoded(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_values_have_secrets_token_urlsafe_form_and_never_repeat() -> None:
    # More than one block of random bytes, so a refill is crossed.
    pairs = [new_token_and_audit_id() for _ in range(3 * token_values.BLOCK // 48)]
    tokens = [token for token, _ in pairs] + [new_token_value() for _ in range(100)]
    audits = [audit for _, audit in pairs]
    assert len(set(tokens)) == len(tokens)
    assert len(set(audits)) == len(audits)
    for token in tokens:
        assert len(token) == 43  # secrets.token_urlsafe(32)
        assert len(_decoded(token)) == 32
    for audit in audits:
        assert len(audit) == 22  # Keystone's audit ids
        assert len(_decoded(audit)) == 16


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_does_not_hand_out_its_parents_next_values() -> None:
    new_token_value()  # a block is read, with bytes left that the child inherits
    child, parent = next_in_child_and_parent(new_token_value)
    assert len(child) == 43
    assert child != parent
