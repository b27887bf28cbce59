"""Causes of unmet targets, found by profiling; shown in the report only while a target is unmet.

Keys are ``Check.key`` values from ``bench/report.py``. Each text names the cause in our code
and what would fix it, with the numbers that showed it (and the run they came from).
"""

from __future__ import annotations

FINDINGS: dict[str, str] = {}
