"""Fixtures for the control plane's route tests: a fresh app per test and its test client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from emulator import create_app
from emulator.state import STATE_KEY, EmulatorState
from tests.emulator.demo import demo_auth

DEMO_AUTH: dict[str, Any] = demo_auth()


@pytest.fixture
def app() -> Iterator[Flask]:
    """A new emulator app (default seed, fast timing, control plane on)."""
    return create_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The app's Flask test client."""
    return app.test_client()


@pytest.fixture
def state(app: Flask) -> EmulatorState:
    """The app's state (to look behind the HTTP answers)."""
    emulator_state: EmulatorState = app.extensions[STATE_KEY]
    return emulator_state
