"""Object storage (Swift): account and container listings, objects, ranges, DLOs, name errors."""

from __future__ import annotations

import pytest

from tests.emulator.chain import ACCOUNT, Chain, md5

NOT_FOUND_PAGE = "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"


def test_container_put_is_201_then_202(chain: Chain) -> None:
    # [A22]: 201 when created, 202 when it existed; swob's default 202 page.
    first = chain.request("PUT", chain.swift("/vmexport"))
    assert first.status_code == 201
    second = chain.request("PUT", chain.swift("/vmexport"))
    assert second.status_code == 202
    assert second.get_data(as_text=True) == (
        "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>"
    )
    assert second.headers["X-Trans-Id"].startswith("tx")


@pytest.mark.parametrize("chain", ["jp-east-3"], indirect=True)
def test_region_3_serves_the_account_under_v2_only(chain: Chain) -> None:
    # export-chain.md §3: region 3's Swift-compatible store is /v2/AUTH_<project> [P2][P4].
    assert chain.request("PUT", f"/objectstorage/v2/{ACCOUNT}/c").status_code == 201
    response = chain.request("PUT", f"/objectstorage/v1/{ACCOUNT}/c")
    assert response.status_code == 404
    assert response.get_data(as_text=True) == NOT_FOUND_PAGE


def test_listings_in_text_and_json(chain: Chain) -> None:
    chain.request("PUT", chain.swift("/c"))
    empty = chain.request("GET", chain.swift("/c"))
    assert empty.status_code == 204  # an empty plain listing
    assert chain.request("GET", chain.swift("/c?format=json")).get_data() == b"[]"
    chain.request(
        "PUT", chain.swift("/c/b.txt"), data=b"bb", headers={"Content-Type": "text/plain"}
    )
    chain.request("PUT", chain.swift("/c/a.bin"), data=b"a")
    text = chain.request("GET", chain.swift("/c"))
    assert text.status_code == 200
    assert text.get_data(as_text=True) == "a.bin\nb.txt\n"
    assert text.headers["X-Container-Object-Count"] == "2"
    assert text.headers["X-Container-Bytes-Used"] == "3"
    entries = chain.request("GET", chain.swift("/c?format=json")).get_json()
    assert [e["name"] for e in entries] == ["a.bin", "b.txt"]
    assert entries[1]["hash"] == md5(b"bb")
    assert entries[1]["bytes"] == 2
    assert entries[1]["content_type"] == "text/plain"
    account = chain.request("GET", chain.swift("?format=json"))
    assert account.get_json() == [
        {
            "name": "c",
            "count": 2,
            "bytes": 3,
            "last_modified": account.get_json()[0]["last_modified"],
        }
    ]
    assert account.headers["X-Account-Container-Count"] == "1"
    assert chain.request("HEAD", chain.swift()).status_code == 204
    prefixed = chain.request("GET", chain.swift("/c?prefix=b")).get_data(as_text=True)
    assert prefixed == "b.txt\n"


def test_object_get_head_etag_and_ranges(chain: Chain) -> None:
    chain.request("PUT", chain.swift("/c"))
    data = bytes(range(256)) * 4
    put = chain.request("PUT", chain.swift("/c/disk.qcow2"), data=data)
    assert put.status_code == 201
    assert put.headers["Etag"] == md5(data)
    got = chain.request("GET", chain.swift("/c/disk.qcow2"))
    assert got.get_data() == data
    assert got.headers["Etag"] == md5(data)
    assert got.headers["Content-Length"] == str(len(data))
    assert got.headers["Accept-Ranges"] == "bytes"
    head = chain.request("HEAD", chain.swift("/c/disk.qcow2"))
    assert head.headers["Content-Length"] == str(len(data))
    part = chain.request("GET", chain.swift("/c/disk.qcow2"), headers={"Range": "bytes=1000-"})
    assert part.status_code == 206
    assert part.get_data() == data[1000:]
    assert part.headers["Content-Range"] == f"bytes 1000-{len(data) - 1}/{len(data)}"
    suffix = chain.request("GET", chain.swift("/c/disk.qcow2"), headers={"Range": "bytes=-10"})
    assert suffix.get_data() == data[-10:]
    beyond = chain.request("GET", chain.swift("/c/disk.qcow2"), headers={"Range": "bytes=5000-"})
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(data)}"
    assert "Requested Range Not Satisfiable" in beyond.get_data(as_text=True)


def test_dlo_manifest_serves_joined_segments_with_swifts_dlo_etag(chain: Chain) -> None:
    # swift/common/middleware/dlo.py: Content-Length is the segments' total, ETag the quoted MD5
    # of their ETags concatenated; a GET joins them in name order.
    chain.request("PUT", chain.swift("/c"))
    chain.request("PUT", chain.swift("/c_segments"))
    parts = [b"a" * 1024, b"b" * 1024, b"c" * 512]
    for n, part in enumerate(parts):
        chain.request("PUT", chain.swift(f"/c_segments/img.vmdk/1/2560/1024/{n:08d}"), data=part)
    manifest = chain.request(
        "PUT",
        chain.swift("/c/img.vmdk"),
        data=b"",
        headers={"X-Object-Manifest": "c_segments/img.vmdk/1/2560/1024/"},
    )
    assert manifest.status_code == 201
    got = chain.request("GET", chain.swift("/c/img.vmdk"))
    joined = b"".join(parts)
    assert got.get_data() == joined
    assert got.headers["Content-Length"] == str(len(joined))
    etags = "".join(md5(p) for p in parts)
    assert got.headers["Etag"] == f'"{md5(etags.encode())}"'
    assert got.headers["X-Object-Manifest"] == "c_segments/img.vmdk/1/2560/1024/"
    middle = chain.request("GET", chain.swift("/c/img.vmdk"), headers={"Range": "bytes=1020-1030"})
    assert middle.status_code == 206
    assert middle.get_data() == joined[1020:1031]


def test_bad_manifest_header_is_refused(chain: Chain) -> None:
    chain.request("PUT", chain.swift("/c"))
    response = chain.request(
        "PUT", chain.swift("/c/x"), data=b"", headers={"X-Object-Manifest": "no-prefix"}
    )
    assert response.status_code == 400
    assert (
        response.get_data(as_text=True)
        == "X-Object-Manifest must be in the format container/prefix"
    )


def test_etag_mismatch_is_422_and_nothing_is_stored(chain: Chain) -> None:
    chain.request("PUT", chain.swift("/c"))
    response = chain.request("PUT", chain.swift("/c/o"), data=b"x", headers={"Etag": "0" * 32})
    assert response.status_code == 422
    assert chain.request("GET", chain.swift("/c/o")).status_code == 404


def test_names_the_store_refuses_get_swifts_errors(chain: Chain) -> None:
    long_container = "c" * 257
    response = chain.request("PUT", chain.swift(f"/{long_container}"))
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "Container name length of 257 longer than 256"
    chain.request("PUT", chain.swift("/c"))
    response = chain.request("PUT", chain.swift("/c/" + "o" * 1025), data=b"")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "Object name length of 1025 longer than 1024"
    response = chain.request("PUT", chain.swift("/c%00x"))
    assert response.status_code == 412
    assert response.get_data(as_text=True) == "Invalid UTF8 or contains NULL"
    # A byte that is not UTF-8, as a WSGI server passes it (PATH_INFO is latin-1 per PEP 3333).
    response = chain.request(
        "PUT", chain.swift("/cx"), environ_overrides={"PATH_INFO": chain.swift("/c\xffx")}
    )
    assert response.status_code == 412


def test_missing_things_are_404_and_a_full_container_cannot_be_deleted(chain: Chain) -> None:
    missing = chain.request("GET", chain.swift("/nope"))
    assert missing.status_code == 404
    assert missing.get_data(as_text=True) == NOT_FOUND_PAGE
    assert chain.request("PUT", chain.swift("/nope/o"), data=b"x").status_code == 404
    chain.request("PUT", chain.swift("/c"))
    chain.request("PUT", chain.swift("/c/o"), data=b"x")
    assert chain.request("DELETE", chain.swift("/c")).status_code == 409
    assert chain.request("DELETE", chain.swift("/c/o")).status_code == 204
    assert chain.request("DELETE", chain.swift("/c/o")).status_code == 404
    assert chain.request("DELETE", chain.swift("/c")).status_code == 204


def test_other_accounts_are_forbidden_and_no_token_is_swobs_401(chain: Chain) -> None:
    other = chain.request("GET", "/objectstorage/v1/AUTH_someoneelse")
    assert other.status_code == 403
    assert other.get_data(as_text=True) == (
        "<html><h1>Forbidden</h1><p>Access was denied to this resource.</p></html>"
    )
    anonymous = chain.client.get(chain.swift())
    assert anonymous.status_code == 401
    assert anonymous.headers["Www-Authenticate"] == f'Swift realm="{ACCOUNT}"'


def test_observer_reads_but_cannot_write(chain: Chain) -> None:
    chain.request("PUT", chain.swift("/c"))
    observer = Chain(chain.app, "demo-observer")
    assert observer.request("GET", observer.swift("/c")).status_code == 204
    assert observer.request("PUT", observer.swift("/d")).status_code == 403
