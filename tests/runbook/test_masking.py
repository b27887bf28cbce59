"""Masking by value hides a secret where it stands alone, never inside another word of the data."""

from __future__ import annotations

from runbook.secrets import SecretRegistry


def test_a_dictionary_word_password_leaves_longer_words_of_the_data_readable() -> None:
    # Found from outside: with the password "password", the evidence showed Keystone's
    # "password_expires_at" as "***_expires_at" — nothing leaked, but an auditor read garbled data.
    secrets = SecretRegistry(["password"])

    masked = secrets.mask({"user": {"password_expires_at": "password_expires_at: never"}})

    assert masked == {"user": {"password_expires_at": "password_expires_at: never"}}


def test_the_secret_itself_is_masked_wherever_it_stands_alone() -> None:
    secrets = SecretRegistry(["password", "tok-EN_1"])

    assert secrets.mask_text('pw=password&x {"p": "password"} password') == (
        'pw=***&x {"p": "***"} ***'
    )
    assert secrets.mask_text("X-Auth-Token: tok-EN_1\r\n") == "X-Auth-Token: ***\r\n"
