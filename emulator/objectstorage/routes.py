"""Routes of the object-storage service (Swift subset) under ``/objectstorage``.

Account ``/v1/AUTH_<project>`` — ``/v2/AUTH_<project>`` in regions 3 (jp-east-3, jp-west-3),
where FJcloud-O's Swift-compatible store answers under ``/v2`` (export-chain.md §3 [P2][P4]);
the other version is a 404 there. Account GET/HEAD, container PUT (201 created / 202 existing
[A22]) / POST / GET / HEAD / DELETE, object PUT / GET (``Range``: 206, 416) / HEAD / DELETE,
DLO manifests (``X-Object-Manifest``). Checks in Swift's order: UTF-8 of the path (412) → token
(401) → account (403) → name lengths (400) → lookup (404).
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.http import parse_range_header

from emulator import access
from emulator.current import current_state
from emulator.identity.errors import IdentityError
from emulator.objectstorage import render, views
from emulator.objectstorage.backend import (
    ListingQuery,
    ObjectStorageBackend,
    account_version,
    listing,
)
from emulator.objectstorage.errors import (
    CONTAINER_LISTING_LIMIT,
    MAX_CONTAINER_NAME_LENGTH,
    MAX_OBJECT_NAME_LENGTH,
    BadRequest,
    Forbidden,
    NotFound,
    PreconditionFailed,
    RangeNotSatisfiable,
    RequestEntityTooLarge,
    SwiftError,
    Unauthorized,
)

bp = Blueprint("objectstorage", __name__)
ACCOUNT = "/<version>/<account>"
_WRITES = frozenset({"PUT", "POST", "DELETE"})
_META_PREFIXES = ("x-container-meta-", "x-object-meta-")
_CONTAINER_ACL = ("x-container-read", "x-container-write", "x-versions-location")


@bp.errorhandler(SwiftError)
def _render_swift_error(exc: SwiftError) -> Response:
    return render.render_error(exc)


@bp.errorhandler(IdentityError)
def _render_unauthorized(exc: IdentityError) -> Response:
    # swift/common/middleware/keystoneauth.py denied_response: swob's 401 with its
    # WWW-Authenticate (swob Response.www_authenticate: the account as realm).
    account = (request.view_args or {}).get("account", "unknown")
    return render.render_error(Unauthorized(None, {"Www-Authenticate": f'Swift realm="{account}"'}))


@bp.before_request
def _checks() -> None:
    raw = request.environ.get("PATH_INFO", "")
    try:
        path = raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        path = None
    if path is None or "\x00" in path:
        raise PreconditionFailed("Invalid UTF8 or contains NULL")  # constraints.check_utf8
    args = request.view_args or {}
    if args.get("version") != account_version(current_state().config.region):
        raise NotFound()
    info = access.authenticate()
    if args.get("account") != f"AUTH_{info.project_id}":
        raise Forbidden()  # keystoneauth: the token's project does not own this account
    if request.method in _WRITES and not access.may_write(info):
        raise Forbidden()
    container = args.get("container")
    if container is not None and len(container) > MAX_CONTAINER_NAME_LENGTH:
        raise BadRequest.container_name_length(len(container))
    name = args.get("name")
    if name is not None and len(name) > MAX_OBJECT_NAME_LENGTH:
        raise BadRequest.object_name_length(len(name))


# -- account -------------------------------------------------------------------------------
@bp.route(ACCOUNT, methods=["GET", "HEAD"])
@bp.route(f"{ACCOUNT}/", methods=["GET", "HEAD"])  # swift split_path: "/v1/AUTH_x/" is the account
def account_listing(version: str, account: str) -> Response:
    info = _backend().account(account)
    names = listing([c.name for c in info.containers], _listing_query())
    return views.account_listing(info, names)


# -- containers ----------------------------------------------------------------------------
@bp.put(f"{ACCOUNT}/<container>")
def put_container(version: str, account: str, container: str) -> Response:
    """201 when created, 202 when it already existed (FJcloud-O [A22]; swob's 202 page)."""
    created = _backend().put_container(account, container, _metadata())
    return render.swob(201, b"") if created else render.swob(202)


@bp.post(f"{ACCOUNT}/<container>")
def post_container(version: str, account: str, container: str) -> Response:
    _backend().post_container(account, container, _metadata())
    return render.swob(204, b"")


@bp.route(f"{ACCOUNT}/<container>", methods=["GET", "HEAD"])
@bp.route(f"{ACCOUNT}/<container>/", methods=["GET", "HEAD"])
def container_listing(version: str, account: str, container: str) -> Response:
    found = _backend().get_container(account, container)
    names = listing(sorted(found.objects), _listing_query())
    return views.container_listing(found, names)


@bp.delete(f"{ACCOUNT}/<container>")
def delete_container(version: str, account: str, container: str) -> Response:
    _backend().delete_container(account, container)
    return render.swob(204, b"")


# -- objects -------------------------------------------------------------------------------
@bp.put(f"{ACCOUNT}/<container>/<path:name>")
def put_object(version: str, account: str, container: str, name: str) -> Response:
    obj = _backend().put_object(
        account,
        container,
        name,
        _body(),
        content_type=request.headers.get("Content-Type"),
        manifest=request.headers.get("X-Object-Manifest"),
        metadata=_metadata(),
        expected_etag=request.headers.get("Etag"),
    )
    return views.created_object(obj)


@bp.route(f"{ACCOUNT}/<container>/<path:name>", methods=["GET", "HEAD"])
def get_object(version: str, account: str, container: str, name: str) -> Response:
    content = _backend().get_object(account, container, name)
    return views.object_response(content, _byte_range(len(content.data)))


@bp.delete(f"{ACCOUNT}/<container>/<path:name>")
def delete_object(version: str, account: str, container: str, name: str) -> Response:
    _backend().delete_object(account, container, name)
    return render.swob(204, b"")


# -- helpers -------------------------------------------------------------------------------
def _backend() -> ObjectStorageBackend:
    return current_state().objectstorage


def _listing_query() -> ListingQuery:
    """``prefix``, ``delimiter``, ``marker``, ``end_marker``, ``limit`` (at most 10,000)."""
    text = request.args.get("limit")
    limit = CONTAINER_LISTING_LIMIT
    if text is not None:
        try:
            limit = int(text)
        except ValueError:
            raise PreconditionFailed(f"Value of limit must be a positive integer: {text}") from None
        if limit < 0:
            raise PreconditionFailed(f"Value of limit must be a positive integer: {text}")
        if limit > CONTAINER_LISTING_LIMIT:
            # swift/common/request_helpers.py get_listing_limit
            raise PreconditionFailed(f"Maximum limit is {CONTAINER_LISTING_LIMIT}")
    return ListingQuery(
        prefix=request.args.get("prefix", ""),
        delimiter=request.args.get("delimiter", ""),
        marker=request.args.get("marker", ""),
        end_marker=request.args.get("end_marker", ""),
        limit=limit,
    )


def _metadata() -> dict[str, str]:
    """The metadata headers a PUT/POST sets, in Swift's title case."""
    found: dict[str, str] = {}
    for header, value in request.headers.items():
        lowered = header.lower()
        if lowered.startswith(_META_PREFIXES) or lowered in _CONTAINER_ACL:
            found["-".join(part.capitalize() for part in lowered.split("-"))] = value
    return found


def _body() -> bytes:
    limit = current_state().config.max_body_bytes
    # One byte past the limit tells "too large" without reading a chunked body whole (not
    # request.max_content_length: settable per request only from Flask 3.1; Flask 2.3 is supported).
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise RequestEntityTooLarge()
    return data


def _byte_range(length: int) -> tuple[int, int] | None:
    """One satisfiable range → (start, stop); a multi-range or malformed header is ignored.

    Swift answers several ranges with multipart/byteranges; the emulator serves the whole
    object instead, which RFC 9110 §14.2 allows a server to do. An unsatisfiable single range
    is a 416 with ``Content-Range: bytes */<length>`` (swob).
    """
    header = request.headers.get("Range")
    if not header:
        return None
    parsed = parse_range_header(header)
    if parsed is None or len(parsed.ranges) != 1:
        return None
    found = parsed.range_for_length(length)
    if found is None:
        raise RangeNotSatisfiable(length)
    return found
