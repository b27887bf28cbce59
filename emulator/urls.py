"""Public base URLs of the emulated services, as clients must see them in catalogs and links."""

from __future__ import annotations

import re
from typing import Any, Literal

from flask import request

from emulator.current import current_state

Service = Literal["identity", "compute"]
_BASE_KEY = "emulator.host_base"
# A Host header that werkzeug's ``request.host_url`` would return unchanged: lower-case ASCII
# labels and a port that is not the scheme's default. Anything else (IPv6, punycode, upper case,
# odd characters, no Host header) takes werkzeug's own path, which validates and normalises it.
_PLAIN_HOST = re.compile(r"(?:[a-z0-9-]+\.)*[a-z0-9-]+(?::([1-9][0-9]{0,4}))?", re.ASCII)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


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
    return f"{_host_base(request.environ)}/{service}"


def _host_base(environ: dict[str, Any]) -> str:
    """``scheme://host[:port]`` of the current request, computed once per request."""
    base: str | None = environ.get(_BASE_KEY)
    if base is None:
        base = _plain_host_base(environ) or request.host_url.rstrip("/")
        environ[_BASE_KEY] = base
    return base


def _plain_host_base(environ: dict[str, Any]) -> str | None:
    # werkzeug's host_url runs get_host + get_current_url + uri_to_iri (a urlsplit and several
    # unquotes) on every call; for the usual "127.0.0.1:8774" it returns scheme://host as sent.
    scheme, host = environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST")
    if scheme not in _DEFAULT_PORTS or not host or "xn--" in host:
        return None
    match = _PLAIN_HOST.fullmatch(host)
    if match is None:
        return None
    port = match.group(1)
    if port is not None and (port == _DEFAULT_PORTS[scheme] or int(port) > 65535):
        return None
    return f"{scheme}://{host}"
