"""Causes of unmet targets, found by profiling; shown in the report only while a target is unmet.

Keys are ``Check.key`` values from ``bench/report.py``. Each text names the cause in our code and
what would fix it. The numbers quoted come from the profiling session named in the text; the
tables of the report (and the cProfile summaries appended when a target is unmet) show this run's.
"""

from __future__ import annotations

_APP_COST = (
    "Cause: our code's CPU per request, not the server. The table *CPU per request inside the "
    "WSGI app* below isolates it: the emulator spends several times the Flask baseline's CPU "
    "inside the app, and one request's CPU sets the rate on 2 cores shared with the generator. "
    "cProfile of 3,000 GET server calls (default config, 2026-11-27): "
    "(1) the control plane's request log, `emulator/control/layer.py::_log_request`, was ~31 % "
    "of the request then (~40 % after masking by value was added later that day): on *every* "
    "request it JSON-parses and recursively masks the response body "
    "(`control/requestlog.py::mask_json`, 52 calls per GET, 86 per POST token) and the request "
    "body, and builds masked header dicts; this run's share is computed at the end of this item "
    "from the `control_plane=False` column, and the `--no-control-plane` row of the throughput "
    "table shows the effect over HTTP. (2) `emulator/urls.py::service_base` reads `request.host_url`, which runs werkzeug's "
    "`get_current_url` + `uri_to_iri` (~6 %). (3) `control/layer.py::_apply_fault` reads the "
    "request body and takes the fault lock even when no fault is set (~5 %). "
    "Fix (owners: control plane; app/urls): keep the raw body bytes and headers in the log "
    "entry and parse + mask them only when `/_emulator/requests` is read (the mask functions "
    "stay the single place that hides secrets), return from `_apply_fault` before touching the "
    "body when the fault list is empty, and build the base URL from "
    "`environ['wsgi.url_scheme']` and `HTTP_HOST` once per request."
)

_WARM = (
    "Cause: the warm call runs a whole Flask request per `requests` call, while a static "
    "`responses` mock only builds a response object. The diagnostic rows of the warm table show "
    "the floor: a *minimal* Flask route returning the same bytes behind the same kind of "
    "`responses` callback (werkzeug `EnvironBuilder` + `run_wsgi_app`, as `emulator/mock.py` "
    "does) costs 1.5–1.65× the static mock in our runs, at or above the 1.5× target "
    "(this run's figure follows); `control_plane=False` "
    "shows the control plane's share (~0.13–0.16 ms of ~0.77 ms, profiled 2026-11-27: "
    "`control/layer.py::_log_request` masking every body, as for the standalone server). "
    "Building the WSGI environ directly instead of `EnvironBuilder` saved only ~0.045 ms in a "
    "trial. Fix: make the request log lazy (see the throughput finding), then to reach 1.5× the "
    "mock must skip Flask on hot reads (e.g. answer GET server from a response cached per "
    "(path, token) and invalidated on any state change) — a design decision for the mock's "
    "owner; with the lazy log alone the ratio is expected near the minimal-Flask floor."
)

_COLD_FLOOR = (
    "Cause: importing our package and building the app. Measured 2026-11-27 in CPU time "
    "(`time.process_time`, bytecode caches present, median of 7 fresh processes): the floor's "
    "imports take ~165 ms; `import emulator.mock` adds ~25 ms, of which ~14 ms is creating our "
    "26 `@dataclass` classes (~0.5 ms each: `dataclasses` generates and compiles `__init__`, "
    "`__eq__`, `__hash__`, `__repr__` per class) and ~4.5 ms is importing waitress "
    "(`control/layer.py` subclasses waitress's `ClientDisconnected`; `mock.py` imports "
    "`server.py` for `build_config`) although the mock serves no socket; `emulator.mock()` "
    "adds ~13 ms: werkzeug compiling the 32 URL rules (~9 ms) and parsing the default seed with "
    "PyYAML's pure-Python `SafeLoader` (~3.9 ms; libyaml's `yaml.CSafeLoader`, available here, "
    "takes ~0.9 ms); the token and the first GET ~4.4 ms. Sum ~+42 ms, about 1.25× on CPU time, "
    "so the wall-clock median lands at or above 1.3× whenever the machine is busy. Fix (owners: "
    "seed, control plane, mock): parse seeds with `CSafeLoader` when available (−3 ms), keep "
    "waitress off the mock's import path (−4.5 ms), and define fewer dataclasses on the import "
    "path (plain classes with `__slots__` for internal records, or import the fault and "
    "request-log types lazily) (−5 to −10 ms): together about 1.15×."
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
    "~0.15 s (about 1.25× on a quiet machine)."
)

FINDINGS: dict[str, str] = {
    "rehearsal": _REHEARSAL,
    "throughput-flask-get": _APP_COST,
    "throughput-flask-post": "Same cause and fix as the GET ratio above. For the token POST "
    "the request log masks both bodies (the password in the request, the token in the "
    "response: 86 `mask_json` calls per request) and `identity/catalog.py::_stable_id` "
    "computes 8 uuid5 (SHA-1) catalog ids per token (~5 %); caching the catalog per (region, "
    "base URLs) removes the latter.",
    "throughput-moto-get": "Same cause and fix as the ratio to Flask above: the emulator's rate "
    "is bounded by its CPU per request; at ≥ 0.8 of Flask it would be well above 10× moto.",
    "throughput-moto-post": "Same cause and fix as the ratio to Flask above (the token POST "
    "also masks its request and response bodies in the request log).",
    "warm-static": _WARM,
    "warm-moto": "Same cause as the ratio to the static mock (below): the Flask request per call and "
    "the request log's masking; the `control_plane=False` diagnostic row shows what a lazy request log would leave.",
    "cold-floor": _COLD_FLOOR,
    "cold-moto": _COLD_FLOOR,
}

# Observations on figures that have no target (always shown when the figure was measured).
NOTES: dict[str, str] = {
    "server-start": "Where it goes (2026-11-27, median of 15 in one process): ~13 ms in "
    "`EmulatorServer()` (`create_app`: werkzeug compiling 32 URL rules, and the default seed "
    "parsed with PyYAML's pure-Python loader) and ~11 ms from `start()` to the first answer "
    "(werkzeug builds its URL matcher on the first request). A pytest fixture that starts one "
    "server per test pays this per test; one per session pays it once.",
    "scale-detail": "Two things to know (2026-11-27, one process, 10,000 servers): (1) about "
    "half of the `servers/detail` time is the request log, which JSON-parses and masks the "
    "13 MB response (`control/requestlog.py::mask_json`, 440,000 calls), plus cyclic-GC passes "
    "over the big heap (40–80 % more with GC enabled) — the lazy request log proposed above "
    "removes the first; (2) the log keeps the parsed, masked body: ~39 MB per such request, "
    "and it keeps up to 1,000 entries, so a CI job listing 10,000 servers repeatedly can grow "
    "the emulator by gigabytes (store the raw bytes, capped, instead). Real Nova would not "
    "return 10,001 servers in one page: `[api] max_limit` defaults to 1000 "
    "(openstack/nova `nova/conf/api.py`), and a longer list ends with a `servers_links` next "
    "link; the emulator returns all of them.",
}
