"""Pooled CSPRNG token values: secrets.token_urlsafe's format, never the same bytes twice."""

from __future__ import annotations

import os
import re

import pytest

from emulator.identity.randomness import RandomPool, token_urlsafe


def test_token_urlsafe_has_the_secrets_format() -> None:
    # secrets.token_urlsafe(32): 43 URL-safe base64 characters, no padding.
    tokens = {token_urlsafe(32) for _ in range(500)}
    assert len(tokens) == 500
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) for token in tokens)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token_urlsafe(16))


def test_pool_hands_out_each_byte_once_across_blocks() -> None:
    pool = RandomPool(block_bytes=64)
    chunks = [pool.take(24) for _ in range(20)]  # 24 does not divide 64: blocks are refilled
    assert all(len(chunk) == 24 for chunk in chunks)
    assert len(set(chunks)) == 20
    assert len(pool.take(200)) == 200  # larger than a block


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")
def test_a_forked_child_does_not_reuse_the_parents_bytes() -> None:
    token_urlsafe(8)  # the parent now holds a partly used block
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send its next token and leave at once
        os.write(write_end, token_urlsafe(32).encode())
        os._exit(0)
    os.close(write_end)
    child_token = os.read(read_end, 100).decode()
    os.close(read_end)
    os.waitpid(pid, 0)
    assert len(child_token) == 43
    assert child_token != token_urlsafe(32)  # without the at-fork hook both take the same bytes
