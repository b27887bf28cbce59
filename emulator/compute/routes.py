"""Routes of the compute service (Nova subset) under ``/compute``.

The order of checks follows Nova's WSGI pipeline: body size (oslo sizelimit) → token
(keystonemiddleware, 401) → microversion (400/406) → Content-Type (415) → action body (400) →
URL project id (400) → server lookup (404) → policy (403) → state (409).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from emulator.compute import lifecycle, parsing, views
from emulator.compute.backend import ComputeBackend, ServerRecord
from emulator.compute.errors import BadRequest, ComputeFault, Forbidden, RequestEntityTooLarge
from emulator.compute.microversions import APIVersion, negotiate, response_headers
from emulator.compute.render import render_fault
from emulator.current import current_state
from emulator.identity.backend import TokenInfo
from emulator.seed import FlavorSeed
from emulator.urls import service_base

bp = Blueprint("compute", __name__)  # under /compute (emulator.services)

API = "<any(v2, 'v2.1'):api>"
PROJECT = API + "/<project_id>"
# Roles that may change a server's power state (FJcloud-O: system owner and operator; observers
# only read). Any role on the project may read, like Nova's project_reader default.
ACTION_ROLES = frozenset({"cpf_systemowner", "cpf_operator", "admin"})
_UNAUTHENTICATED = frozenset({"compute.versions", "compute.version"})
# action key in the body -> (policy name, transition or None for reboot, which reads its type)
_ACTIONS: dict[str, tuple[str, str | None]] = {
    "os-stop": ("os_compute_api:servers:stop", "stop"),
    "os-start": ("os_compute_api:servers:start", "start"),
    "reboot": ("os_compute_api:servers:reboot", None),
}


@bp.errorhandler(ComputeFault)
def _render_compute_fault(exc: ComputeFault) -> Response:
    return render_fault(exc)


@bp.before_request
def _pipeline() -> None:
    g.compute_version = None
    state = current_state()
    length = request.content_length
    if length is not None and length > state.config.max_body_bytes:
        raise RequestEntityTooLarge("Request is too large.")
    if request.endpoint not in _UNAUTHENTICATED:
        g.compute_token = state.identity.authenticate(request.headers.get("X-Auth-Token"))
    if (request.view_args or {}).get("api") == "v2.1":
        g.compute_version = negotiate(request.headers)


@bp.after_request
def _headers(response: Response) -> Response:
    version: APIVersion | None = getattr(g, "compute_version", None)
    if version is not None:
        for name, value in response_headers(version).items():
            response.headers[name] = value
    return response


# -- discovery ---------------------------------------------------------------------------------
@bp.get("/", endpoint="versions", strict_slashes=False)
def list_versions() -> Response:
    """``GET /compute/``: the API versions (nova/api/openstack/compute/versions.py index)."""
    return jsonify(views.versions_list(service_base("compute")))


@bp.get(f"/{API}", endpoint="version", strict_slashes=False)
def show_version(api: str) -> Response:
    """``GET /compute/v2.1/``: one version document (unauthenticated, like Nova's urlmap)."""
    return jsonify(views.version_document(service_base("compute"), api))


@bp.get(f"/{PROJECT}", strict_slashes=False)
def show_version_for_project(api: str, project_id: str) -> Response:
    """``GET /compute/v2.1/{project_id}/``: Nova routes ``/`` with the project prefix too."""
    _check_project(project_id)
    return jsonify(views.version_document(service_base("compute"), api))


# -- servers -----------------------------------------------------------------------------------
@bp.get(f"/{PROJECT}/servers")
def list_servers(api: str, project_id: str) -> Response:
    """``GET servers``: id, links and name of each server, filtered like Nova."""
    ctx = _context(api, project_id)
    records, next_link = _filtered_servers(ctx, "servers")
    body: dict[str, Any] = {"servers": [views.server_summary(ctx, r) for r in records]}
    if next_link:
        body["servers_links"] = [{"href": next_link, "rel": "next"}]
    return jsonify(body)


@bp.get(f"/{PROJECT}/servers/detail")
def list_servers_detail(api: str, project_id: str) -> Response:
    """``GET servers/detail``: full bodies, same filters."""
    ctx = _context(api, project_id)
    backend = _backend()
    records, next_link = _filtered_servers(ctx, "servers/detail")
    body: dict[str, Any] = {
        "servers": [views.server_detail(ctx, r, backend.flavor_of(r)) for r in records]
    }
    if next_link:
        body["servers_links"] = [{"href": next_link, "rel": "next"}]
    return jsonify(body)


@bp.get(f"/{PROJECT}/servers/<server_id>")
def show_server(api: str, project_id: str, server_id: str) -> Response:
    """``GET servers/{id}``; a name instead of an id is a 404, as in Nova."""
    ctx = _context(api, project_id)
    backend = _backend()
    record = backend.get_server(project_id, server_id)
    return jsonify({"server": views.server_detail(ctx, record, backend.flavor_of(record))})


@bp.get(f"/{PROJECT}/servers/<server_id>/os-security-groups")
def list_server_security_groups(api: str, project_id: str, server_id: str) -> Response:
    """``GET servers/{id}/os-security-groups`` (nova/api/openstack/compute/security_groups.py
    ServerSecurityGroupController.index; not deprecated with the other proxy APIs at 2.36)."""
    _context(api, project_id)
    record = _backend().get_server(project_id, server_id)
    return jsonify({"security_groups": views.server_security_groups(record.spec)})


@bp.post(f"/{PROJECT}/servers/<server_id>/action")
def server_action(api: str, project_id: str, server_id: str) -> Response:
    """``POST servers/{id}/action`` with ``os-stop``, ``os-start`` or ``reboot``: 202, empty body."""
    parsing.check_content_type()
    raw = _read_body()
    key, value = parsing.action_from_body(raw)
    if key not in _ACTIONS:
        raise BadRequest(f"There is no such action: {key}")
    policy, transition = _ACTIONS[key]
    if transition is None:
        transition = "reboot_soft" if parsing.reboot_type(value) == "SOFT" else "reboot_hard"
    token = _check_project(project_id)
    backend = _backend()
    backend.get_server(project_id, server_id)  # 404 comes before the policy check in Nova
    if not ACTION_ROLES.intersection(token.roles):
        raise Forbidden.policy(policy)
    backend.act(
        project_id,
        server_id,
        transition,
        cause=f"{key} accepted ({token.user_name})",
        is_admin="admin" in token.roles,
    )
    return Response(b"", status=202, content_type="application/json")


# -- flavors -----------------------------------------------------------------------------------
@bp.get(f"/{PROJECT}/flavors")
def list_flavors(api: str, project_id: str) -> Response:
    """``GET flavors``: id, links, name; paged by ``limit``/``marker``."""
    ctx = _context(api, project_id)
    flavors, next_link = _filtered_flavors(ctx, "flavors")
    return jsonify(_flavor_list([views.flavor_summary(ctx, f) for f in flavors], next_link))


@bp.get(f"/{PROJECT}/flavors/detail")
def list_flavors_detail(api: str, project_id: str) -> Response:
    """``GET flavors/detail`` (the CLI sends ``is_public=None`` literally)."""
    ctx = _context(api, project_id)
    flavors, next_link = _filtered_flavors(ctx, "flavors/detail")
    return jsonify(_flavor_list([views.flavor_detail(ctx, f) for f in flavors], next_link))


@bp.get(f"/{PROJECT}/flavors/<flavor_id>")
def show_flavor(api: str, project_id: str, flavor_id: str) -> Response:
    """``GET flavors/{id}``."""
    ctx = _context(api, project_id)
    return jsonify({"flavor": views.flavor_detail(ctx, _backend().get_flavor(flavor_id))})


# -- helpers -----------------------------------------------------------------------------------
def _backend() -> ComputeBackend:
    return current_state().compute


def _check_project(project_id: str) -> TokenInfo:
    """400 when the URL's project differs from the token's (nova/api/openstack/wsgi.py)."""
    token: TokenInfo = g.compute_token
    if project_id != token.project_id:
        raise BadRequest(
            f"Malformed request URL: URL's project_id '{project_id}' doesn't match Context's "
            f"project_id '{token.project_id}'"
        )
    return token


def _context(api: str, project_id: str) -> views.ViewContext:
    _check_project(project_id)
    return views.ViewContext(service_base("compute"), api, project_id, g.compute_version)


def _read_body() -> bytes:
    """The request body, at most ``config.max_body_bytes`` (chunked bodies included)."""
    limit = current_state().config.max_body_bytes
    # One byte past the limit tells "too large" without reading a chunked body whole. (Not
    # request.max_content_length: settable per request only from Flask 3.1; Flask 2.3 is supported.)
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise RequestEntityTooLarge("Request is too large.")
    return raw


def _filtered_servers(
    ctx: views.ViewContext, collection: str
) -> tuple[list[ServerRecord], str | None]:
    """Apply ``name`` (regex), ``status``, ``marker`` and ``limit`` like nova's servers.py."""
    matches = parsing.name_matcher(request.args.get("name"))
    everyone = _backend().list_servers(ctx.project_id)
    records = [r for r in everyone if matches(r.spec.name)]
    statuses = request.args.getlist("status")
    if statuses:
        wanted = lifecycle.status_filter(statuses)
        if wanted is None:
            if ctx.at_least(2, 38):
                raise BadRequest("Invalid status value")
            return [], None  # before 2.38 Nova answers an empty list
        records = [r for r in records if wanted.matches(r.vm_state, r.task_state)]
    limit, marker = parsing.limit_and_marker(current_state().config.max_limit)
    if marker is not None:
        # Nova looks the marker up by uuid whatever the filters (nova/compute/instance_list.py
        # InstanceLister.get_marker_record, else MarkerNotFound) and pages after it in sort
        # order. Its lookup is elevated, so another project's server would do too; here only
        # the project's own servers are markers.
        position = {r.id: i for i, r in enumerate(everyone)}
        if marker not in position:
            raise BadRequest(f"marker [{marker}] not found")
        records = [r for r in records if position[r.id] > position[marker]]
    next_link = None
    if len(records) >= limit:
        records = records[:limit]
        if records:
            next_link = ctx.next_link(collection, _query_params(), records[-1].id)
    return records, next_link


def _filtered_flavors(
    ctx: views.ViewContext, collection: str
) -> tuple[list[FlavorSeed], str | None]:
    """nova/api/openstack/compute/flavors.py ``_get_flavors``: filters, then a page after
    ``marker`` of at most ``limit`` flavors (common.get_limit_and_marker), sorted by flavorid."""
    limit, marker = parsing.limit_and_marker(current_state().config.max_limit)
    private_only = False
    if "admin" in g.compute_token.roles:
        # "Only admin has query access to all flavor types" (_parse_is_public: absent means
        # public, "none" all); anyone else gets filters['is_public'] = True, the parameter unread.
        text = request.args.get("is_public")
        private_only = text is not None and parsing.bool_filter("is_public", text) is False
    min_ram = parsing.int_filter("minRam")
    min_disk = parsing.int_filter("minDisk")
    flavors = _backend().list_flavors()  # sorted by flavorid, Nova's default sort_key
    if marker is not None:
        # Looked up among all flavors, before the filters (nova/objects/flavor.py
        # _flavor_get_all_from_db raises MarkerNotFound -> "marker [%s] not found").
        ids = [f.id for f in flavors]
        if marker not in ids:
            raise BadRequest(f"marker [{marker}] not found")
        flavors = flavors[ids.index(marker) + 1 :]
    flavors = [
        f
        for f in flavors
        if not private_only  # every emulated flavor is public (and enabled)
        and (min_ram is None or f.ram >= min_ram)
        and (min_disk is None or f.disk >= min_disk)
    ][:limit]
    # common.py ViewBuilder._get_collection_links: a "next" link when the page is full.
    next_link = None
    if flavors and len(flavors) == limit:
        next_link = ctx.next_link(collection, _query_params(), flavors[-1].id)
    return flavors, next_link


def _flavor_list(flavors: list[dict[str, Any]], next_link: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"flavors": flavors}
    if next_link:
        body["flavors_links"] = [{"href": next_link, "rel": "next"}]  # views/flavors.py
    return body


def _query_params() -> dict[str, str]:
    # webob's request.params.items() with repeats: the last value of a repeated key wins.
    return dict(request.args.items(multi=True))
