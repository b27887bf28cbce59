"""The control plane of the emulator (``/_emulator/…``): faults, request log, timing, seeding.

The package imports nothing: ``emulator.app`` imports the routes where it builds the app.
"""
