"""The runbook's pytest plugin (placeholder until the runbook is built)."""
