"""Thread safety: tokens stay unique and the lockout counts every failure exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from emulator.app import create_app
from emulator.config import LockoutPolicy
from tests.emulator.identity.conftest import TOKENS, USER_ID, password_auth, state_of

THREADS = 8


def test_eight_threads_issue_200_distinct_tokens(app: Flask) -> None:
    def issue_batch(count: int) -> list[str]:
        client = app.test_client()
        tokens = []
        for _ in range(count):
            response = client.post(TOKENS + "?nocatalog", json=password_auth())
            assert response.status_code == 201
            tokens.append(response.headers["X-Subject-Token"])
        return tokens

    with ThreadPoolExecutor(THREADS) as pool:
        batches = list(pool.map(issue_batch, [25] * THREADS))
    tokens = [t for batch in batches for t in batch]
    assert len(tokens) == 200
    assert len(set(tokens)) == 200
    assert state_of(app).identity.snapshot()["active_tokens"] == 200
    for token in tokens[::20]:
        assert state_of(app).identity.authenticate(token).user_id == USER_ID


def test_concurrent_wrong_passwords_are_counted_exactly() -> None:
    # 8 threads x 5 wrong passwords, attempts=40: the 40th failure (and only it) locks.
    app = create_app({"lockout": LockoutPolicy(attempts=40)})

    def fail(count: int) -> list[str]:
        client = app.test_client()
        messages = []
        for _ in range(count):
            response = client.post(TOKENS, json=password_auth(password="wrong"))
            assert response.status_code == 401
            messages.append(response.get_json()["error"]["message"])
        return messages

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(fail, [5] * THREADS))
    messages = [m for batch in results for m in batch]
    locked = [m for m in messages if m.startswith("The account is locked")]
    assert len(locked) == 1
    assert state_of(app).identity.snapshot()["lockouts"][0]["locked"] is True
    right = app.test_client().post(TOKENS, json=password_auth())
    assert right.status_code == 401


def test_concurrent_failures_below_the_threshold_never_lock() -> None:
    app = create_app({"lockout": LockoutPolicy(attempts=41)})

    def fail(count: int) -> None:
        client = app.test_client()
        for _ in range(count):
            assert client.post(TOKENS, json=password_auth(password="wrong")).status_code == 401

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(fail, [5] * THREADS))
    assert state_of(app).identity.snapshot()["lockouts"][0]["recent_failures"] == 40
    assert app.test_client().post(TOKENS, json=password_auth()).status_code == 201
