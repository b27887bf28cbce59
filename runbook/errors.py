"""Why a step stopped: exception classes carrying the data, rendered by the plugin as one message."""

from __future__ import annotations

from http import HTTPStatus

from runbook.roles import FORBIDDEN_HINT


class RunbookError(Exception):
    """A step cannot go on. ``message`` says what happened, ``hint`` what the operator can do."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        """The text shown in the report: the message, then the hint on its own line."""
        return self.message if not self.hint else f"{self.message}\n→ {self.hint}"


class VariableError(RunbookError):
    """A variable is missing or invalid; the message names it and where it can come from."""

    def __init__(self, variable: str, problem: str, *, sources: str) -> None:
        super().__init__(f"{variable}: {problem}", hint=f"set it with {sources}")
        self.variable = variable
        self.problem = problem
        self.sources = sources


class DomainScopeRefused(RunbookError):
    """The credentials ask for a domain-scoped token, which FJcloud-O does not issue."""


class ApiError(RunbookError):
    """The API answered with an error status; ``fault`` is the service's own message."""

    def __init__(
        self,
        method: str,
        url: str,
        status: int,
        reason: str,
        fault: str | None,
        *,
        hint: str | None = None,
    ) -> None:
        detail = f": {fault}" if fault else ""
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = reason
        if hint is None and status == 403:  # every 403 says which roles are needed
            hint = FORBIDDEN_HINT
        super().__init__(f"{method} {url} → {status} {phrase}{detail}", hint=hint)
        self.method = method
        self.url = url
        self.status = status
        self.reason = reason
        self.fault = fault


class UncertainRequest(RunbookError):
    """The request may or may not have reached the server (connection dropped, read timeout)."""

    def __init__(self, method: str, url: str, cause: str) -> None:
        super().__init__(f"{method} {url}: no answer ({cause}); it may or may not have arrived")
        self.method = method
        self.url = url
        self.cause = cause


class RequestFailed(RunbookError):
    """The request certainly did not arrive (cannot connect, TLS failure) or GET retries ran out."""


class NotConfirmed(RunbookError):
    """The operator did not confirm (declined, or there is no terminal to ask on)."""


class StateFileError(RunbookError):
    """The state file kept between invocations cannot be read or written safely."""


class WaitFailed(RunbookError):
    """Step 5 stopped waiting: ERROR, the server vanished, or the timeout passed."""
