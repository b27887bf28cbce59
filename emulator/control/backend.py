"""Control-plane state (placeholder until the control plane is built)."""


class ControlBackend:
    pass
