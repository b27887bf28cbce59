"""Fault bodies of the identity service, in Keystone's ``{"error": {code, title, message}}`` form.

Classes and messages follow keystone/exception.py: ``ValidationError`` (400) appends the
"server could not comply" sentence, ``Unauthorized`` (401) hides its details behind one generic
sentence (a ``SecurityError`` with ``insecure_debug`` off), ``TokenNotFound`` (404) says
"Could not find token: <id>.".

Data only: nothing here imports Flask or the app. ``emulator.identity.render`` renders them.
"""

from __future__ import annotations

# keystone/exception.py ValidationError.message_format, after "Expecting to find X in Y."
_NOT_COMPLY = (
    "The server could not comply with the request since it is either malformed or otherwise "
    "incorrect. The client is assumed to be in error."
)
# keystone/exception.py Unauthorized.message_format
UNAUTHORIZED_MESSAGE = "The request you have made requires authentication."

DOMAIN_SCOPE_REFUSED_MESSAGE = (
    "認証トークンのスコープにドメインは指定できません (a token scoped to a domain is not allowed "
    "on FJcloud-O; scope it to a project: auth.scope.project with an id, or a name and a domain)."
)


class IdentityError(Exception):
    """An identity fault: HTTP ``code``, Keystone ``title`` and a ``message`` for the client."""

    code = 500
    title = "Internal Server Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        # More members of the "error" object (keystone adds "identity" to some 401s).
        self.extra: dict[str, object] = {}


class ValidationError(IdentityError):
    """400: the request body or headers are not what Keystone expects."""

    code = 400
    title = "Bad Request"

    @classmethod
    def expecting(cls, attribute: str, target: str) -> ValidationError:
        """keystone ``ValidationError(attribute=..., target=...)``."""
        return cls(f"Expecting to find {attribute} in {target}. {_NOT_COMPLY}")

    @classmethod
    def schema(cls, field: str, problem: str) -> ValidationError:
        """keystone ``SchemaValidationError`` from the auth request JSON schema."""
        return cls(f"Invalid input for field '{field}': {problem}")


class DomainScopeRefused(ValidationError):
    """400: FJcloud-O does not issue domain-scoped tokens (export-preparation.ja.txt, step 2)."""

    def __init__(self) -> None:
        super().__init__(DOMAIN_SCOPE_REFUSED_MESSAGE)


class Unauthorized(IdentityError):
    """401: missing, unknown, revoked or expired token, or bad credentials."""

    code = 401
    title = "Unauthorized"

    def __init__(self, message: str = UNAUTHORIZED_MESSAGE) -> None:
        super().__init__(message)


class AuthMethodNotSupported(Unauthorized):
    """401 for a method other than password/token (keystone/exception.py AuthMethodNotSupported)."""

    def __init__(self, supported: tuple[str, ...]) -> None:
        super().__init__("Attempted to authenticate with an unsupported method.")
        self.extra = {"identity": {"methods": list(supported)}}


class AccountLocked(Unauthorized):
    """401 while the FJcloud-O lockout holds: says why and from when a retry can succeed."""

    def __init__(self, user_id: str, retry_at: str, attempts: int, window_minutes: float) -> None:
        super().__init__(
            f"The account is locked for user: {user_id}. {attempts} wrong passwords within "
            f"{window_minutes:g} minutes lock authentication; retry after {retry_at}."
        )
        self.user_id = user_id
        self.retry_at = retry_at


class NotFound(IdentityError):
    """404."""

    code = 404
    title = "Not Found"


class TokenNotFound(NotFound):
    """404 on validation of an unknown, revoked or expired subject token."""

    def __init__(self, token_id: str | None) -> None:
        # keystone/token/provider.py: "No token in the request" when the header is absent.
        super().__init__(
            f"Could not find token: {token_id}." if token_id else "No token in the request"
        )


class RequestTooLarge(IdentityError):
    """413: body over ``config.max_body_bytes`` (keystone/exception.py RequestTooLarge)."""

    code = 413
    title = "Request Entity Too Large"

    def __init__(self) -> None:
        super().__init__("Request is too large.")
