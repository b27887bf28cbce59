"""Public base URLs of the emulated services, as clients must see them in catalogs and links."""

from __future__ import annotations

from typing import Literal

from flask import request

from emulator.current import current_state

Service = Literal["identity", "compute"]


def fjcloud_host_base(service: Service, region: str) -> str:
    """The real FJcloud-O host of a service: ``https://compute.jp-east-1.cloud.global.fujitsu.com``."""
    return f"https://{service}.{region}.cloud.global.fujitsu.com"


def service_base(service: Service) -> str:
    """Base URL of ``service`` for the current request, with no trailing slash.

    Prefix style (one host, DevStack-like): ``http://127.0.0.1:8774/compute``; that is the seed
    document's ``COMPUTE``. FJcloud host style (the in-process mock): the real hostnames.
    """
    config = current_state().config
    if config.endpoint_style == "fjcloud-hosts":
        return fjcloud_host_base(service, config.region)
    return f"{request.host_url.rstrip('/')}/{service}"
