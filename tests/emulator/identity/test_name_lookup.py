"""Users and projects named within a domain: the backend's name indexes, and the token's JSON."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml
from flask import Flask

from emulator.app import create_app
from emulator.config import EmulatorConfig
from emulator.seed import parse_seed
from tests.emulator.identity.conftest import (
    DOMAIN_NAME,
    PASSWORD,
    PROJECT_NAME,
    TOKENS,
    USER_ID,
    password_auth,
    state_of,
)

OTHER_DOMAIN = "demo0002"
OTHER_USER_ID = "aa00000000000000000000000000beef"
OTHER_PROJECT_ID = "bb00000000000000000000000000beef"


def _two_domain_app() -> Flask:
    """The default seed plus a second domain holding a user and a project of the same names."""
    text = resources.files("emulator").joinpath("default_seed.yaml").read_text()
    document: dict[str, Any] = yaml.safe_load(text)
    document["domains"].append({"id": "cc00000000000000000000000000beef", "name": OTHER_DOMAIN})
    document["projects"].append(
        {"id": OTHER_PROJECT_ID, "name": PROJECT_NAME, "domain": OTHER_DOMAIN}
    )
    document["users"].append(
        {
            "id": OTHER_USER_ID,
            "name": "demo-user",
            "domain": OTHER_DOMAIN,
            "password": "other-password",
            "roles": [{"project": OTHER_PROJECT_ID, "role": "cpf_observer"}],
        }
    )
    return create_app(EmulatorConfig(seed=parse_seed(document)))


def _scope_by_name(domain: str) -> dict[str, Any]:
    return {"project": {"name": PROJECT_NAME, "domain": {"name": domain}}}


def _token(app: Flask, domain: str, password: str) -> Any:
    body = password_auth(
        user={"name": "demo-user", "domain": {"name": domain}},
        password=password,
        scope=_scope_by_name(domain),
    )
    return app.test_client().post(TOKENS, json=body)


def test_same_user_and_project_names_in_two_domains_resolve_within_their_domain() -> None:
    app = _two_domain_app()
    first = _token(app, DOMAIN_NAME, PASSWORD)
    second = _token(app, OTHER_DOMAIN, "other-password")
    assert first.status_code == 201
    assert second.status_code == 201
    assert first.get_json()["token"]["user"]["id"] == USER_ID
    assert second.get_json()["token"]["user"]["id"] == OTHER_USER_ID
    assert second.get_json()["token"]["project"]["id"] == OTHER_PROJECT_ID
    # One domain's password does not open the other domain's user of the same name.
    crossed = _token(app, OTHER_DOMAIN, PASSWORD)
    assert crossed.status_code == 401
    assert crossed.get_json()["error"]["code"] == 401


def test_name_lookups_still_work_after_reset() -> None:
    app = _two_domain_app()
    state_of(app).reset()
    response = _token(app, OTHER_DOMAIN, "other-password")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["token"]["user"]["id"] == OTHER_USER_ID
