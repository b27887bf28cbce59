"""The default seed's demo login, once: its names and the ``POST /v3/auth/tokens`` body.

The thread server and the mock have ``ControlMethods.auth_body()``; tests that drive the Flask
app directly (``create_app().test_client()``) or a URL use ``demo_auth()``.
"""

from __future__ import annotations

from typing import Any

PROJECT_ID = "790f1c092038413a8dd6771a033b17f5"
PROJECT_NAME = "demo-project"
DOMAIN_ID = "5a1c6f4ed1e24ea6a1d0c9a1e5c0d001"
DOMAIN_NAME = "demo0001"
USER_ID = "d476b7a6a9a74d00b78bc87a3e87de7b"
USER_NAME = "demo-user"
PASSWORD = "demo-password"
TOKENS = "/identity/v3/auth/tokens"


def demo_auth(
    *,
    user: dict[str, Any] | None = None,
    password: str = PASSWORD,
    scope: dict[str, Any] | str | None = "project-id",
) -> dict[str, Any]:
    """An auth body: the demo user by name + domain name, scoped to the demo project by id.

    ``user`` replaces the user reference (the password is added to it); ``scope`` is a scope
    object, None for an unscoped token, or the default ``"project-id"``.
    """
    user_ref = dict(user or {"name": USER_NAME, "domain": {"name": DOMAIN_NAME}})
    user_ref["password"] = password
    auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {"user": user_ref}}}
    if scope == "project-id":
        auth["scope"] = {"project": {"id": PROJECT_ID}}
    elif scope is not None:
        auth["scope"] = scope
    return {"auth": auth}
