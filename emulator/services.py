"""The table of emulated cloud services: the one place that lists them.

Everything that needs to know which services exist reads ``SERVICES``: the app (URL prefix,
blueprint, fault renderer), the in-process mock (the real hostnames it answers), the token
catalog (type, name, endpoint path), ``service_base`` (the base URL of links) and the fault
rules and request log (which service a path belongs to). Adding a service is one ``Service``
entry here plus its own subpackage (see docs/ARCHITECTURE.md, "Adding a service").

This module imports nothing of Flask or of the services themselves: the blueprint and the fault
renderer are named as ``"module:attribute"`` strings that ``create_app`` imports (with
werkzeug's ``import_string``) where the app is built, so every layer may read the table
without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emulator.config import EmulatorConfig

FJCLOUD_DOMAIN = "cloud.global.fujitsu.com"


@dataclass(frozen=True)
class CatalogEntry:
    """What the token's service catalog lists for a service (one endpoint per interface)."""

    type: str  # the catalog "type", e.g. "compute"
    name: str  # the catalog "name", e.g. "nova"
    # The endpoint URL after the service's base URL, for a region's config and a project id:
    # "/v2/<project_id>" for compute in jp-east-1.
    path: Callable[[EmulatorConfig, str], str]


@dataclass(frozen=True)
class Service:
    """One emulated API service."""

    name: str  # "compute": the URL prefix /compute, the fault rules' and request log's "service"
    blueprint: str  # "emulator.compute.routes:bp", registered under ``prefix``
    # "module:function" rendering a werkzeug HTTPException (unknown path, 405, 413…) under
    # ``prefix`` in the service's own error format.
    fault_renderer: str
    # Host labels the in-process mock answers: https://<label>.<region>.cloud.global.fujitsu.com
    # is dispatched to ``prefix``. The first is the one catalogs and links carry.
    host_labels: tuple[str, ...]
    catalog: CatalogEntry | None  # None: not in the token's catalog
    # Headers that carry the request id besides x-openstack-request-id (which every response
    # has): Nova's older x-compute-request-id (nova/api/compute_req_id.py).
    request_id_headers: tuple[str, ...] = ()

    @property
    def prefix(self) -> str:
        """The URL prefix of the service on the emulator's one port: ``/compute``."""
        return f"/{self.name}"

    def owns(self, path: str) -> bool:
        """Whether ``path`` (a WSGI ``PATH_INFO``) is under this service's prefix."""
        return path == self.prefix or path.startswith(self.prefix + "/")

    def fjcloud_host(self, region: str) -> str:
        """``compute.jp-east-1.cloud.global.fujitsu.com``: the real host catalogs carry."""
        return f"{self.host_labels[0]}.{region}.{FJCLOUD_DOMAIN}"


SERVICES: tuple[Service, ...] = (
    Service(
        name="identity",
        blueprint="emulator.identity.routes:bp",
        fault_renderer="emulator.identity.render:render_http_exception",
        host_labels=("identity",),
        catalog=CatalogEntry("identity", "keystone", lambda config, project_id: "/v3"),
    ),
    Service(
        name="compute",
        blueprint="emulator.compute.routes:bp",
        fault_renderer="emulator.compute.render:render_http_exception",
        host_labels=("compute",),
        # Region 3 serves /v2.1 with microversions, the others /v2 (emulator.config.REGIONS).
        catalog=CatalogEntry(
            "compute", "nova", lambda config, project_id: f"/{config.compute_version}/{project_id}"
        ),
        request_id_headers=("x-compute-request-id",),
    ),
    # The export chain (issue 15; shared/reference/export-chain.md). Hostnames are FJcloud-O's
    # (fjcloud-o.md "Host pattern"); the catalog types and names are OpenStack's, because no
    # FJcloud-O catalog listing them was found (inference).
    Service(
        name="blockstorage",
        blueprint="emulator.blockstorage.routes:bp",
        fault_renderer="emulator.blockstorage.render:render_http_exception",
        host_labels=("blockstorage",),
        # K5lib posts uploads to blockstorage.<region>…/v2/<project>/volumes/… [G2].
        catalog=CatalogEntry(
            "volumev2", "cinderv2", lambda config, project_id: f"/v2/{project_id}"
        ),
    ),
    Service(
        name="image",
        blueprint="emulator.image.routes:bp",
        fault_renderer="emulator.image.render:render_http_exception",
        host_labels=("image",),
        # Glance's catalog URL is unversioned: clients add /v2/images (FJcloud-O [A21]).
        catalog=CatalogEntry("image", "glance", lambda config, project_id: ""),
    ),
    Service(
        name="objectstorage",
        blueprint="emulator.objectstorage.routes:bp",
        fault_renderer="emulator.objectstorage.render:render_http_exception",
        host_labels=("objectstorage",),
        # The account: /v1/AUTH_<project>, /v2/AUTH_<project> in regions 3 [P2][P4].
        catalog=CatalogEntry(
            "object-store",
            "swift",
            lambda config, project_id: (
                f"/{'v2' if config.region.endswith('-3') else 'v1'}/AUTH_{project_id}"
            ),
        ),
    ),
    Service(
        name="import-export",
        blueprint="emulator.importexport.routes:bp",
        fault_renderer="emulator.importexport.render:render_http_exception",
        # K5lib POSTs exports to import-export.<region> and polls status on vmimport.<region>
        # [G2]: the mock answers both.
        host_labels=("import-export", "vmimport"),
        catalog=CatalogEntry("import-export", "import-export", lambda config, project_id: ""),
    ),
)

# The control plane (/_emulator/…): the emulator's own API, not a cloud service (no host in the
# mock, no catalog entry, never faulted or logged).
CONTROL_PREFIX = "/_emulator"

# A path under no service's prefix (a typo such as /servers) is answered in this service's
# error format: Nova's, the API the runbook talks to most.
DEFAULT_SERVICE = "compute"

_BY_NAME = {service.name: service for service in SERVICES}
SERVICE_NAMES: tuple[str, ...] = tuple(_BY_NAME)


def service(name: str) -> Service:
    """The entry named ``name``; KeyError for a name that is not in ``SERVICES``."""
    return _BY_NAME[name]


# (prefix, prefix + "/", service): what ``service_of`` compares, worked out once rather than
# twice per service on every request (the request log and the request id headers ask).
_PREFIXES = tuple((entry.prefix, entry.prefix + "/", entry) for entry in SERVICES)


def service_of(path: str) -> Service | None:
    """The service whose prefix ``path`` is under (``Service.owns``), None for any other path."""
    for prefix, under, entry in _PREFIXES:
        if path == prefix or path.startswith(under):
            return entry
    return None


def is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def request_id_headers(path: str) -> tuple[str, ...]:
    """The service's own request id headers for a response to ``path`` (see ``Service``).

    A path under no service gets the default service's, as it gets that service's error body.
    """
    if is_control_path(path):
        return ()
    owner = service_of(path) or service(DEFAULT_SERVICE)
    return owner.request_id_headers
