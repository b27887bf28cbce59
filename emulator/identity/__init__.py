"""The identity service of the emulator (Keystone v3 subset): routes, backend, errors, render.

The package imports nothing: ``emulator.app`` imports the routes where it builds the app.
"""
