"""Per-test cost of the fixtures: N tests that each authenticate and GET a server, above N empty ones.

Four pytest runs of N = 300 parametrised tests in a temporary directory with this venv: empty
tests; ``fjcloud_emulator`` (``token()`` then ``requests.get`` of the seed's server over loopback);
``fjcloud_mock`` (the same through the in-process mock); and pytest-httpserver's ``httpserver``
serving the emulator's server body as a canned GET (``expect_request`` then ``requests.get``).
The per-test overhead is (run − empty run) / N; each fixture's is compared with
pytest-httpserver's. One untimed round first, then 5 interleaved rounds; the fastest run of each
is used (other load on a shared machine only adds time).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.core import (
    BenchError,
    Log,
    Row,
    at_most,
    fastest,
    installed,
    pytest_args,
    ratio,
    skipped,
    timed,
)

TARGET = 1.0
HEAD = "import pytest\nimport requests\n\nEACH = pytest.mark.parametrize('i', range({n}))\n\n\n"
TESTS = {
    "empty": "@EACH\ndef test_empty(i):\n    pass\n",
    "fjcloud_emulator": (
        "@EACH\ndef test_get(fjcloud_emulator, i):\n"
        "    cloud = fjcloud_emulator\n"
        "    url = f'{cloud.compute_url}/v2/{cloud.project_id}/servers/{cloud.server_ids[0]}'\n"
        "    response = requests.get(url, headers={'X-Auth-Token': cloud.token()}, timeout=30)\n"
        "    assert response.status_code == 200\n"
    ),
    "httpserver": (
        "BODY = open('server.json', 'rb').read()\n\n\n"
        "@EACH\ndef test_get(httpserver, i):\n"
        "    httpserver.expect_request('/v2/p/servers/s').respond_with_data(\n"
        "        BODY, content_type='application/json'\n"
        "    )\n"
        "    response = requests.get(httpserver.url_for('/v2/p/servers/s'), timeout=30)\n"
        "    assert response.status_code == 200\n"
    ),
}
TESTS["fjcloud_mock"] = TESTS["fjcloud_emulator"].replace("fjcloud_emulator", "fjcloud_mock")
FIGURE = "per-test overhead of `{}` (auth + GET) vs pytest-httpserver (canned GET), {} tests"


def _server_body() -> bytes:
    import requests

    import emulator

    with emulator.mock() as cloud:
        url = f"{cloud.compute_url}/v2/{cloud.project_id}/servers/{cloud.server_ids[0]}"
        return requests.get(url, headers={"X-Auth-Token": cloud.token()}, timeout=30).content


def measure(quick: bool, log: Log) -> list[Row]:
    n = 30 if quick else 300
    fixtures = ("fjcloud_emulator", "fjcloud_mock")
    if not installed("pytest_httpserver"):
        reason = "pytest-httpserver is not installed (`make bench` installs it)"
        return [skipped(FIGURE.format(f, n), f"≤ {TARGET:g}×", reason) for f in fixtures]
    walls: dict[str, list[float]] = {name: [] for name in TESTS}
    cpus: dict[str, list[float]] = {name: [] for name in TESTS}
    with tempfile.TemporaryDirectory(prefix="bench-fixtures-") as tmp:
        (Path(tmp) / "server.json").write_bytes(_server_body())
        for name, body in TESTS.items():
            (Path(tmp) / f"test_{name}.py").write_text(HEAD.format(n=n) + body, encoding="utf-8")
        for i in range(-1, 1 if quick else 5):
            for name in TESTS:
                run = timed(pytest_args(f"test_{name}.py"), Path(tmp))
                if run.code != 0:
                    raise BenchError(f"the {name} tests failed (pytest exit code {run.code})")
                if i >= 0:
                    walls[name].append(run.wall)
                    cpus[name].append(run.cpu)
                    log(f"  {i + 1} {name}: {run.wall:.2f} s for {n} tests")
    per_test = {name: (fastest(walls[name]) - fastest(walls["empty"])) / n * 1000 for name in TESTS}
    cpu = {name: (fastest(cpus[name]) - fastest(cpus["empty"])) / n * 1000 for name in TESTS}
    rows = []
    for fixture in fixtures:
        detail = (
            f"{per_test[fixture]:.2f} vs {per_test['httpserver']:.2f} ms per test; CPU time "
            f"{cpu[fixture]:.2f} vs {cpu['httpserver']:.2f} ms"
        )
        value = ratio(per_test[fixture], per_test["httpserver"])
        rows.append(at_most(FIGURE.format(fixture, n), TARGET, value, detail, "×"))
    return rows
