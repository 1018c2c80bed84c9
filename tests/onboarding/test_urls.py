"""URL checks before anything is sent to a server."""

import pytest

from core.onboarding.urls import InvalidUrlError, check_url, is_loopback_host


def test_https_url_is_kept_without_warnings():
    checked = check_url("  https://odoo.example.com/  ")
    assert checked.url == "https://odoo.example.com"
    assert checked.host == "odoo.example.com"
    assert checked.warnings == []


def test_http_to_remote_host_warns_about_cleartext():
    checked = check_url("http://odoo.example.com:8069")
    assert checked.url == "http://odoo.example.com:8069"
    assert len(checked.warnings) == 1
    assert "unencrypted" in checked.warnings[0]
    assert "odoo.example.com" in checked.warnings[0]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8069", "http://localhost:8069", "http://[::1]:8069", "http://127.5.0.1"])
def test_http_to_loopback_has_no_warning(url):
    assert check_url(url).warnings == []


def test_web_client_path_is_dropped_with_warning():
    checked = check_url("https://odoo.example.com/odoo/action-123")
    assert checked.url == "https://odoo.example.com"
    assert "/odoo/action-123" in checked.warnings[0]


def test_proxy_prefix_path_is_kept():
    assert check_url("https://example.com/erp/").url == "https://example.com/erp"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "missing URL"),
        ("odoo.example.com", "write https://odoo.example.com"),
        ("ftp://odoo.example.com", "scheme 'ftp'"),
        ("https://", "missing host"),
        ("https://odoo.example.com:http", "port"),
        ("https://odoo.example.com/?db=x", "after ? or #"),
    ],
)
def test_invalid_urls_name_value_and_fix(text, expected):
    with pytest.raises(InvalidUrlError) as caught:
        check_url(text)
    assert expected in str(caught.value)


def test_loopback_host_names():
    assert is_loopback_host("localhost")
    assert is_loopback_host("[::1]")
    assert not is_loopback_host("10.0.0.1")
    assert not is_loopback_host("odoo.example.com")
