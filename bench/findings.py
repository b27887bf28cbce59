"""Causes of unmet targets, found by profiling; shown in the report only while a target is unmet.

Keys are ``Check.key`` values from ``bench/report.py``. Each text names the cause in our code and
what would fix it. The numbers quoted come from the profiling session named in the text; the
tables of the report (and the cProfile summaries appended when a target is unmet) show this run's.
"""

from __future__ import annotations

_APP_COST = (
    "Cause: CPU per request inside the app (table *CPU per request inside the WSGI app* below). "
    "The first runs on 2026-11-27 measured ~270 µs per GET in the app and ratios of 0.45–0.54; "
    "the owners then made the request log lazy (a15a900), skipped the fault layer when no rule "
    "is set (45d38cf), built the base URL from the environ (a0a8603), removed hooks and proxies "
    "(c461f8f), dropped a per-request `os.urandom` (31bf42a), cached timestamps (eb73894), "
    "folded the control plane into one WSGI middleware (346609b), cached the rendered server "
    "body (ff3310a, 3af2659) and the token catalog (a6986c1). What is left over the minimal "
    "Flask route (cProfile of 3,000 GETs against the baseline, 14:50): werkzeug URL matching "
    "over the emulator's ~30 rules instead of 3 (~12 µs), ~16 more LocalProxy lookups of "
    "`request`/`g`/`current_app` (~18 µs), and our own code spread over "
    "`control/layer.py::_cloud_request`, `compute/routes.py::_pipeline`, `show_server`, "
    "`_context` and `requestid.py` (~30 µs together). The server process also spends more CPU "
    "per request than the in-app gap (server CPU column), ~20 µs of it cyclic GC over its "
    "larger heap (a `gc.disable()` trial). Fix (owners: compute, control, app): read "
    "`request`/`g` once per request into locals (`request._get_current_object()`), match the "
    "hot cloud routes before the generic URL map, and keep long-lived objects out of the GC's "
    "way (`gc.freeze()` after start-up)."
)

_WARM = (
    "Cause: the warm call runs a whole Flask request per `requests` call, while a static "
    "`responses` mock only builds a response object. The diagnostic rows of the warm table show "
    "the floor: a *minimal* Flask route returning the same bytes behind a `responses` callback "
    "(werkzeug `EnvironBuilder` + `run_wsgi_app`) measured 1.4–1.65× the static mock in our runs. "
    "Since the first runs (~2.0×) the mock builds the WSGI environ itself (85c87a8) and the "
    "request log is lazy (a15a900); what is left is the app's own per-request cost, the same as "
    "for the standalone server (section 1's finding)."
)

_COLD_FLOOR = (
    "Cause: importing our package and building the app. Measured 2026-11-27 in CPU time "
    "(`time.process_time`, bytecode caches present, median of 7 fresh processes), before "
    "6c4f5b6: the floor's imports ~165 ms; `import emulator.mock` +~25 ms, of which ~14 ms is "
    "creating our ~26 `@dataclass` classes (~0.5 ms each: `dataclasses` generates and compiles "
    "`__init__`, `__eq__`, `__hash__`, `__repr__` per class) and ~4.5 ms waitress; "
    "`emulator.mock()` +~13 ms: werkzeug compiling ~30 URL rules (~9 ms) and the default seed's "
    "YAML (~3.9 ms with the pure-Python loader). 6c4f5b6 moved seed parsing to libyaml and "
    "waitress off the mock's import path (~−7 ms). Further fix (owners: seed, control, mock): "
    "fewer dataclass definitions on the import path (plain classes with `__slots__` for "
    "internal records, or import the fault and request-log types lazily)."
)

_REHEARSAL = (
    "Cause: mostly waiting, not work — compare the CPU-time ratio next to the wall ratio. "
    "Measured 2026-11-27 with `/usr/bin/time` (4 pairs, bytecode caches present): the trivial "
    "run already costs ~0.57 s CPU because the `pytest11` entry point loads "
    "`emulator.pytest_plugin` (flask, requests, 33 emulator modules) in every pytest run; "
    "`pytest runbook` adds ~0.1 s CPU (starting the thread server, five steps over HTTP) and "
    'at least 0.2 s of wall time in step 5, which waits for the emulated stop: `FAST_TIMING = Timing("seconds", '
    "0.2)` in `emulator/config.py` (the rehearsal's transition) polled every 0.1 s "
    "(`EMULATOR_POLL` in `runbook/options.py`). On a busy 2-core machine the wall ratio of two "
    "~1 s runs swings by ±0.3×. Fix (owners: config and runbook): a rehearsal transition of "
    "0.05 s polled every 0.02 s still shows the powering-off state in the log and saves "
    "~0.15 s (about 1.25× on a quiet machine); 1f3fcc2 did that at 15:07."
)

FINDINGS: dict[str, str] = {
    "rehearsal": _REHEARSAL,
    "throughput-flask-get": _APP_COST,
    "throughput-flask-post": "Same kind of cause as the GET ratio above. For the token POST "
    "our part is mostly `identity/routes.py::_token_response` (~40 % of our time, the catalog "
    "now cached by a6986c1), `backend.issue` (~25 %) and "
    "`_json_body` + `parse_auth_request` (~25 %) (cProfile of 1,000 POSTs, 14:50). Since then "
    "c8c78f2 indexed domains, users and projects by name and reused the JSON encoder "
    "(in-app ~158 → ~146 µs per POST). Left to do: build the token body from a template "
    "cached per (user, project) with only the times and ids filled in (~138 µs is needed).",
    "throughput-moto-get": "Same cause and fix as the ratio to Flask above: the emulator's rate "
    "is bounded by its CPU per request; at ≥ 0.8 of Flask it would be well above 10× moto.",
    "throughput-moto-post": "Same cause and fix as the POST ratio to Flask above.",
    "warm-static": _WARM,
    "warm-moto": "Same cause as the ratio to the static mock (below): the Flask request per "
    "call; see the diagnostic rows of the warm table.",
    "cold-floor": _COLD_FLOOR,
    "cold-moto": _COLD_FLOOR,
}

# Observations on figures that have no target (always shown when the figure was measured).
NOTES: dict[str, str] = {
    "server-start": "Where it goes (2026-11-27 14:45, median of 15 in one process): ~10 ms in "
    "`EmulatorServer()` (`create_app`, mostly werkzeug compiling ~30 URL rules, plus the "
    "default seed) and ~12 ms from `start()` to the first answer (werkzeug builds its URL "
    "matcher on the first request). A pytest fixture that starts one "
    "server per test pays this per test; one per session pays it once.",
    "scale-get": "Measured on a warmed working set of 100 ids at every size, because the "
    "emulator caches each server's rendered body (ff3310a). Picking among *all* ids instead "
    "(the method before 15:00 on 2026-11-27) gave 1.19–1.26×: at 10,000 servers most picks "
    "were first renders, at 10 all were cache hits — the cost of a cache miss, not of the "
    "lookup.",
    "scale-detail": "(2026-11-27, one process, 10,000 servers) The first runs spent half of "
    "this in the request log, which parsed and masked the 13 MB response on every request "
    "(440,000 `mask_json` calls); the lazy log (a15a900) removed that (~900 → ~300 ms), and "
    "e306048 caps each logged body at 64 KiB (before it, 1,000 log entries of 13 MB could grow "
    "the emulator by gigabytes). Like Nova, a page now holds at most `[api] max_limit` = 1000 "
    "servers (openstack/nova `nova/conf/api.py`) and ends with a `servers_links` next link, so "
    "this figure is one full page of 1,000 (linear in the page size), not the whole list.",
}
