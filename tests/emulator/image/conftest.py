"""Fixtures: see tests/emulator/chain.py."""

from tests.emulator.chain import chain, manual_chain

__all__ = ["chain", "manual_chain"]
