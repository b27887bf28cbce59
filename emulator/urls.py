"""Public base URLs of the emulated services, as clients must see them in catalogs and links."""

from __future__ import annotations

from collections.abc import Callable

from flask import request

from emulator.current import current_state
from emulator.services import service


def fjcloud_host_base(name: str, region: str) -> str:
    """The real FJcloud-O host of a service: ``https://compute.jp-east-1.cloud.global.fujitsu.com``."""
    return f"https://{service(name).fjcloud_host(region)}"


def service_base(name: str) -> str:
    """Base URL of the service ``name`` for the current request, with no trailing slash.

    Prefix style (one host, DevStack-like): ``http://127.0.0.1:8774/compute``; that is the seed
    document's ``COMPUTE``. FJcloud host style (the in-process mock): the real hostnames.
    """
    return service_bases()(name)


def service_bases() -> Callable[[str], str]:
    """``service_base`` for the current request, its host looked up once for many services
    (a token's catalog names six)."""
    config = current_state().config
    if config.endpoint_style == "fjcloud-hosts":
        region = config.region
        return lambda name: fjcloud_host_base(name, region)
    host_url = _host_url()
    return lambda name: f"{host_url}{service(name).prefix}"


def _host_url() -> str:
    try:
        return request.host_url.rstrip("/")
    except ValueError:
        # werkzeug 2.3 (supported) raises for a Host whose port is out of range; werkzeug 3
        # treats such a Host as empty. Do as werkzeug 3 does rather than answer 500.
        return f"{request.scheme}://"
