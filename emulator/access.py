"""Who may do what on the services behind the export pages: the token and its roles.

Every cloud API authenticates ``X-Auth-Token`` first (keystonemiddleware's job in OpenStack).
Roles: FJcloud-O's system owner and operator change things, the observer only reads (the compute
service applies the same split to server actions); which role each FJcloud-O API requires for
block storage, image, object storage and import-export is not documented (inference).
"""

from __future__ import annotations

from flask import g, request

from emulator.current import current_state
from emulator.identity.backend import TokenInfo

WRITE_ROLES = frozenset({"cpf_systemowner", "cpf_operator", "admin"})
_G_ATTRIBUTE = "service_token_info"


def authenticate() -> TokenInfo:
    """The request's token (raises the identity service's ``Unauthorized``); kept on ``g``."""
    token = current_state().identity.authenticate(request.headers.get("X-Auth-Token"))
    setattr(g, _G_ATTRIBUTE, token)
    return token


def token() -> TokenInfo:
    """The token ``authenticate`` accepted for this request."""
    info: TokenInfo = getattr(g, _G_ATTRIBUTE)
    return info


def may_write(info: TokenInfo) -> bool:
    return bool(WRITE_ROLES.intersection(info.roles))
