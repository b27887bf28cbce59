"""``make bench``: the figures users feel, each a ratio against a baseline measured in the same run.

``FIGURES`` names one module per figure (or small group of figures); each has a docstring saying
how it measures (copied into ``docs/BENCHMARKS.md``) and ``measure(quick, log) -> list[Row]``. A
new figure is one new module and one name here.
"""

FIGURES = (
    "cold_start",
    "warm_get",
    "throughput",
    "scale",
    "rehearsal",
    "plugin_cost",
    "fixture_overhead",
    "fleet",
)
