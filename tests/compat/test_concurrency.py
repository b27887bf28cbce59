"""Many openstacksdk clients at once, on the thread server and through the in-process mock.

moto's mock is not thread-safe; ours must be: eight threads, each with its own SDK connection,
stop and start their own server three times while the transitions complete in the background
(``seconds`` timing). No call may fail, and each server's history must be the exact sequence.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from emulator.handle import ControlMethods
from tests.compat.helpers import POLL_INTERVAL, POLL_WAIT, SDK_OWN_WARNINGS, sdk_connect

pytestmark = SDK_OWN_WARNINGS

CLIENTS = 8
CYCLES = 3
ONE_CYCLE = [
    ("ACTIVE", "powering-off"),
    ("SHUTOFF", None),
    ("SHUTOFF", "powering-on"),
    ("ACTIVE", None),
]


def stop_start_cycles(cloud: ControlMethods, server_id: str) -> str:
    """Stop → wait SHUTOFF → start → wait ACTIVE, ``CYCLES`` times, on its own connection."""
    connection = sdk_connect(cloud)
    try:
        for _ in range(CYCLES):
            connection.compute.stop_server(server_id)
            connection.compute.wait_for_server(
                connection.compute.get_server(server_id),
                status="SHUTOFF",
                interval=POLL_INTERVAL,
                wait=POLL_WAIT,
            )
            connection.compute.start_server(server_id)
            connection.compute.wait_for_server(
                connection.compute.get_server(server_id),
                status="ACTIVE",
                interval=POLL_INTERVAL,
                wait=POLL_WAIT,
            )
    finally:
        connection.close()
    return server_id


@pytest.mark.parametrize(
    "cloud", [("server", "jp-east-3"), ("mock", "jp-east-3")], ids=["server", "mock"], indirect=True
)
def test_parallel_sdk_clients_never_lose_a_transition(cloud: ControlMethods) -> None:
    cloud.set_timing(0.05)
    server_ids = [cloud.add_server(name=f"vm-{n}", status="ACTIVE")["id"] for n in range(CLIENTS)]

    with ThreadPoolExecutor(CLIENTS) as pool:
        done = list(pool.map(lambda server_id: stop_start_cycles(cloud, server_id), server_ids))

    assert done == server_ids
    for server_id in server_ids:
        history = [(h["status"], h["task_state"]) for h in cloud.server_history(server_id)]
        assert history == [("ACTIVE", None), *ONE_CYCLE * CYCLES], server_id
    statuses = {entry["status"] for entry in cloud.requests_log()}
    assert statuses <= {200, 201, 202}, statuses
