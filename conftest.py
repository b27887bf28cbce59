"""Root conftest: registers the runbook's pytest plugin (options, step ordering, report).

Both ``pytest runbook`` (the procedure) and ``pytest`` (the test suite) load it; the plugin only
acts on the runbook's own steps. The emulator's fixtures come from the ``pytest11`` entry point.
"""

pytest_plugins = ["runbook.plugin"]
