"""The compute service of the emulator (Nova subset): routes, backend, errors, render.

The package imports nothing: ``emulator.app`` imports the routes where it builds the app.
"""
