"""pytest fixtures for the emulator (placeholder until the plugin is built)."""
