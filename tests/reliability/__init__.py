"""Reliability and security, measured (issue 6): fuzzing, concurrency, runbook faults, secrets.

The CI-sized parts run with ``make test``; the long runs are modules of this package, e.g.
``python -m tests.reliability.fuzz --examples 10000`` (see docs/RELIABILITY.md).
"""
