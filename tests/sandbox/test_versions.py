"""Versions 16.0 to 19.0: version strings, /web/version and JSON-2 on 19.0."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.wire import parse_xmlrpc, xmlrpc_post

NOT_FOUND_PAGE_TITLE = "<title>404 Not Found</title>"


@pytest.mark.parametrize(
    ("version", "server_version"),
    [("16.0", "16.0-20250210"), ("17.0", "17.0-20250515"), ("18.0", "18.0-20250702"), ("19.0", "19.0-20251020")],
)
def test_common_version_per_series(sandbox_factory, version, server_version):
    server = sandbox_factory(version=version)
    major = int(version.split(".")[0])

    result = parse_xmlrpc(xmlrpc_post(server.url, "/xmlrpc/2/common", "version"))

    assert result == {
        "server_version": server_version,
        "server_version_info": [major, 0, 0, "final", 0, ""],
        "server_serie": version,
        "protocol_version": 1,
    }


def test_unknown_version_rejected():
    from core.sandbox import SandboxServer

    with pytest.raises(ValueError, match="unsupported Odoo version '15.0'"):
        SandboxServer(version="15.0")


def test_web_version_on_19(sandbox_factory):
    server = sandbox_factory(version="19.0")

    response = httpx.get(server.url + "/web/version")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}


@pytest.mark.parametrize("version", ["16.0", "18.0"])
def test_web_version_absent_before_19(sandbox_factory, version):
    server = sandbox_factory(version=version)

    response = httpx.get(server.url + "/web/version")

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert NOT_FOUND_PAGE_TITLE in response.text


@pytest.mark.parametrize("version", ["16.0", "17.0"])
def test_json2_redirects_before_18(sandbox_factory, version):
    server = sandbox_factory(version=version)

    response = httpx.post(server.url + "/json/2/res.partner/search", json={"domain": []})

    assert response.status_code == 303
    assert response.headers["location"] == "/web/login?redirect=%2Fjson%2F2%2Fres.partner%2Fsearch%3F"
