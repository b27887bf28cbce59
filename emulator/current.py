"""The emulator state of the app handling the current request.

Kept apart from ``emulator.state`` on purpose: routes need ``current_state`` while
``emulator.state`` imports every service's backend, so importing it from a route module would be
circular.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from emulator.state import EmulatorState

STATE_KEY = "fjcloud_emulator"


def current_state() -> EmulatorState:
    """The state of the app handling the current request."""
    state: EmulatorState = current_app.extensions[STATE_KEY]
    return state
