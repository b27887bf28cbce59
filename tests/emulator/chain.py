"""Shared fixtures of the export-chain service tests: an app, a client and the demo user's token.

Each service's ``conftest.py`` imports these. ``Chain`` wraps the Flask test client with the
token and the seed's ids, so a test reads like the runbook's requests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from emulator.app import create_app
from emulator.state import STATE_KEY, EmulatorState
from tests.emulator.compute.conftest import PROJECT_ID, SERVER_ID, issue_token

VOLUME_ID = "fdf9df9a-894d-48fe-b091-d1b13dd4309a"  # the seed server's system volume
ACCOUNT = f"AUTH_{PROJECT_ID}"
UPLOAD = {
    "os-volume_upload_image": {
        "container_format": "bare",
        "force": "True",
        "disk_format": "raw",
        "image_name": "my_image",
    }
}

__all__ = ["ACCOUNT", "PROJECT_ID", "SERVER_ID", "UPLOAD", "VOLUME_ID", "Chain", "md5"]


def md5(data: bytes) -> str:
    """The MD5 hex digest Swift uses as an ETag (not for security)."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


class Chain:
    """A test client of one emulator app, with the demo user's token on every request."""

    def __init__(self, app: Flask, user: str = "demo-user") -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.token = issue_token(self.client, user)
        self.state: EmulatorState = app.extensions[STATE_KEY]
        self.region = self.state.config.region
        self.swift_version = "v2" if self.region.endswith("-3") else "v1"

    def request(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    # -- the chain's requests ----------------------------------------------------------------
    def volume_url(self, volume_id: str = VOLUME_ID) -> str:
        return f"/blockstorage/v2/{PROJECT_ID}/volumes/{volume_id}"

    def upload(self, image_name: str = "my_image", volume_id: str = VOLUME_ID) -> TestResponse:
        body = {
            "os-volume_upload_image": {**UPLOAD["os-volume_upload_image"], "image_name": image_name}
        }
        return self.request("POST", f"{self.volume_url(volume_id)}/action", json=body)

    def image(self, image_id: str) -> dict[str, Any]:
        response = self.request("GET", f"/image/v2/images/{image_id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        body: dict[str, Any] = response.get_json()
        return body

    def active_image(self, name: str = "my_image") -> str:
        """Upload the system volume to an image and return its id (immediate timing)."""
        response = self.upload(name)
        assert response.status_code == 202, response.get_data(as_text=True)
        image_id: str = response.get_json()["os-volume_upload_image"]["image_id"]
        return image_id

    def swift(self, path: str = "") -> str:
        return f"/objectstorage/{self.swift_version}/{ACCOUNT}{path}"

    def container_path(self, container: str) -> str:
        return f"/{self.swift_version}/{ACCOUNT}/{container}"

    def export(self, image_id: str, container: str = "vmexport") -> TestResponse:
        return self.request(
            "POST",
            "/import-export/v1/imageexport",
            json={"image_id": image_id, "storage_container": self.container_path(container)},
        )

    def export_status(self, export_id: str) -> dict[str, Any]:
        response = self.request("GET", f"/import-export/v1/imageexport/{export_id}/status")
        assert response.status_code == 200, response.get_data(as_text=True)
        body: dict[str, Any] = response.get_json()
        return body


@pytest.fixture
def chain(request: pytest.FixtureRequest) -> Iterator[Chain]:
    """An app in ``immediate`` timing (region from ``@pytest.mark.parametrize('region', …)``)."""
    region = getattr(request, "param", "jp-east-1")
    app = create_app({"region": region, "timing": "immediate"})
    yield Chain(app)
    assert app.extensions[STATE_KEY].take_unhandled() == []


@pytest.fixture
def manual_chain() -> Chain:
    """An app whose uploads and exports move only when the control plane advances them."""
    return Chain(create_app({"timing": "manual"}))
