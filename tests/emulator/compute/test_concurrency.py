"""Many concurrent clients: no lost or doubled transition, only 202/409, a consistent history."""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter

from flask import Flask

from emulator.app import create_app
from emulator.seed import load_default_seed, server_seed_from_dict
from tests.emulator.compute.conftest import (
    SERVER_ID,
    Api,
    action_url,
    issue_token,
    server_url,
    state_of,
)

EXTRA_IDS = ["5f0e3c2a-1b4d-4e6f-8a9b-0c1d2e3f4a5b", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"]
THREADS = 8
OPS_PER_THREAD = 40


def make_app() -> Flask:
    seed = load_default_seed()
    extra = [
        server_seed_from_dict({"id": sid, "name": f"s{i}"}, seed) for i, sid in enumerate(EXTRA_IDS)
    ]
    # seconds 0: each transition completes on the next read, so threads race on both halves.
    return create_app({"seed": seed.with_servers(*extra), "timing": 0.0})


def test_eight_threads_hammering_stop_and_start() -> None:
    app = make_app()
    token = issue_token(app.test_client())
    server_ids = [SERVER_ID, *EXTRA_IDS]
    outcomes: Counter[tuple[str, int]] = Counter()
    accepted: Counter[tuple[str, str]] = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        api = Api(app.test_client(), token)
        try:
            for _ in range(OPS_PER_THREAD):
                sid = rng.choice(server_ids)
                action = rng.choice(["os-stop", "os-start", "read"])
                if action == "read":
                    status = api.get(server_url(server_id=sid)).status_code
                else:
                    status = api.post(action_url(server_id=sid), {action: None}).status_code
                with lock:
                    outcomes[(action, status)] += 1
                    if status == 202:
                        accepted[(sid, action)] += 1
        except BaseException as exc:  # re-raised in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert {status for (_, status) in outcomes} <= {200, 202, 409}
    assert sum(outcomes.values()) == THREADS * OPS_PER_THREAD
    assert outcomes[("os-stop", 202)] > 0
    assert outcomes[("os-stop", 409)] + outcomes[("os-start", 409)] > 0
    assert state_of(app).take_unhandled() == []

    backend = state_of(app).compute
    backend.snapshot()  # settles whatever is still pending
    for sid in server_ids:
        history = backend.history(sid)
        # every accepted action is in the history exactly once, and every one completed
        for action, task in (("os-stop", "powering-off"), ("os-start", "powering-on")):
            starts = [h for h in history if h["task_state"] == task]
            assert len(starts) == accepted[(sid, action)], (sid, action)
        # the states alternate: idle -> task -> idle of the opposite kind -> ...
        expected_after = {"powering-off": "SHUTOFF", "powering-on": "ACTIVE"}
        for before, after in itertools.pairwise(history):
            if before["task_state"] is not None:
                assert after["task_state"] is None
                assert after["status"] == expected_after[before["task_state"]]
            else:
                assert after["task_state"] in ("powering-off", "powering-on")
