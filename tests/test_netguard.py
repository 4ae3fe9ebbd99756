"""Private-network guard: classification of literal addresses (no network), URL checks, resolution."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress

import httpcore
import pytest

from config.errors import BlockedAddressError, FetchError
from config.settings import CrawlerSettings, parse_settings
from watcher.netguard import (
    GuardedBackend,
    check_url,
    classify,
    is_allowlisted,
    parse_ip_host,
    resolve_and_check,
)

STRICT = CrawlerSettings()  # allow_private_networks = false by default


def crawler(**changes) -> CrawlerSettings:
    return dataclasses.replace(STRICT, **changes)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("012.0.0.1", "10.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_parse_ip_host_spellings(host, expected):
    assert parse_ip_host(host) == ipaddress.ip_address(expected)


@pytest.mark.parametrize("host", ["example.org", "localhost", "1.2.3.4.5", "08.0.0.1", "0x7g.0.0.1", "feeds.1", ""])
def test_parse_ip_host_names(host):
    assert parse_ip_host(host) is None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.255.0.9", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("fc00::1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("fe80::1%eth0", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("239.1.2.3", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        ("240.0.0.1", "a reserved address"),
        ("255.255.255.255", "a reserved address"),
        ("2001:db8::1", "a private address"),
        ("::ffff:127.0.0.1", "IPv4-mapped 127.0.0.1, a loopback address"),
        ("::ffff:10.1.2.3", "IPv4-mapped 10.1.2.3, a private address"),
        ("::127.0.0.1", "IPv4-compatible 127.0.0.1, a loopback address"),
        ("::ffff:0:169.254.169.254", "IPv4-translated 169.254.169.254, a link-local address"),
        ("64:ff9b::127.0.0.1", "NAT64 127.0.0.1, a loopback address"),
        ("64:ff9b::10.0.0.1", "NAT64 10.0.0.1, a private address"),
        ("2002:7f00:1::", "6to4 127.0.0.1, a loopback address"),
        ("2002:a9fe:a9fe::1", "6to4 169.254.169.254, a link-local address"),
    ],
)
def test_classify_refused(address, reason):
    assert classify(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "2a00:1450:4007:80a::200e",
        "::ffff:93.184.216.34",
        "64:ff9b::8.8.8.8",
        "2002:808:808::1",
    ],
)
def test_classify_public(address):
    assert classify(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://2130706433/feed",
        "http://0177.0.0.1/feed",
        "http://0x7f000001:8080/feed",
        "http://0x7f.1/feed",
        "http://127.1/feed",
        "http://[::1]/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://[::ffff:a9fe:a9fe]/latest/meta-data",
        "https://10.0.0.1/feed",
        "http://169.254.169.254/latest/meta-data",
        "http://100.100.100.200/",
        "http://0/feed",
        "http://[fe80::1%25eth0]/feed",
    ],
)
def test_check_url_refuses_private_literals(url):
    with pytest.raises(BlockedAddressError) as info:
        check_url(url, STRICT)
    message = str(info.value)
    assert message.startswith("refused: ") and "allow_private_networks = true" in message and "\n" not in message


def test_check_url_message_names_both_spellings():
    with pytest.raises(BlockedAddressError, match=r"^refused: 2130706433 \(127\.0\.0\.1\) is a loopback address"):
        check_url("http://2130706433/", STRICT)


@pytest.mark.parametrize("url", ["https://example.org/feed", "http://93.184.216.34/rss", "http://[2606:4700::1]/"])
def test_check_url_accepts_public(url):
    check_url(url, STRICT)


def test_check_url_accepts_names_without_resolving_them():
    check_url("http://localhost/feed", STRICT)  # names are checked when connecting, on every resolved address


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("ftp://example.org/feed", "unsupported scheme 'ftp'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("example.org/feed", "unsupported scheme '(none)'"),
        ("http://user:secret@example.org/feed", "credentials"),
        ("http://user@example.org/feed", "credentials"),
        ("http:///feed", "no host"),
        ("http://example.org:99999/feed", "invalid URL"),
    ],
)
def test_check_url_refuses_bad_urls(url, fragment):
    with pytest.raises(FetchError) as info:
        check_url(url, STRICT)
    assert fragment in str(info.value)
    assert not isinstance(info.value, BlockedAddressError)


def test_allow_private_networks_lets_everything_through():
    relaxed = crawler(allow_private_networks=True)
    for url in ("http://127.0.0.1/", "http://2130706433/", "http://[::1]/", "http://10.0.0.1/"):
        check_url(url, relaxed)


def test_private_allowlist_entries():
    allow = ("127.0.0.1:8080", "intranet.corp", "[::1]:9000")
    assert is_allowlisted("127.0.0.1", 8080, allow)
    assert is_allowlisted("2130706433", 8080, allow)  # the same address, spelled otherwise
    assert not is_allowlisted("127.0.0.1", 8081, allow)
    assert is_allowlisted("INTRANET.corp.", 443, allow)
    assert is_allowlisted("::1", 9000, allow) and not is_allowlisted("::1", 9001, allow)
    assert not is_allowlisted("localhost", 8080, allow)


def test_check_url_honours_the_allowlist():
    settings = crawler(private_allowlist=("10.0.0.5:8080",))
    check_url("http://10.0.0.5:8080/feed", settings)
    with pytest.raises(BlockedAddressError):
        check_url("http://10.0.0.5:8081/feed", settings)
    with pytest.raises(BlockedAddressError):
        check_url("http://10.0.0.6:8080/feed", settings)


def test_private_allowlist_is_a_config_key(tmp_path):
    settings = parse_settings({"crawler": {"private_allowlist": ["intranet.corp", "10.0.0.5:8080"]}})
    assert settings.crawler.private_allowlist == ("intranet.corp", "10.0.0.5:8080")
    assert CrawlerSettings().private_allowlist == ()


# --- resolution (fake DNS answers stand in for the public internet; localhost uses the real resolver) ---


def _resolver(*answers: str):
    async def resolve(host: str, port: int) -> list[str]:
        return list(answers)

    return resolve


def test_every_resolved_address_is_checked():
    with pytest.raises(BlockedAddressError, match="feeds.example resolves to 10.1.1.1, a private address"):
        asyncio.run(resolve_and_check("feeds.example", 443, STRICT, _resolver("93.184.216.34", "10.1.1.1")))


def test_public_answers_pass():
    addresses = asyncio.run(resolve_and_check("feeds.example", 443, STRICT, _resolver("93.184.216.34", "2606::1")))
    assert addresses == ["93.184.216.34", "2606::1"]


def test_literal_odd_spelling_is_normalised_without_lookup():
    assert asyncio.run(resolve_and_check("0x7f.1", 80, crawler(allow_private_networks=True))) == ["127.0.0.1"]


def test_localhost_is_refused_with_the_real_resolver():
    with pytest.raises(BlockedAddressError, match=r"^refused: localhost resolves to .*a loopback address"):
        asyncio.run(resolve_and_check("localhost", 80, STRICT))


def test_unresolvable_name_is_a_fetch_error():
    async def fail(host, port):
        import socket

        raise socket.gaierror(-2, "Name or service not known")

    with pytest.raises(FetchError, match=r"^cannot resolve nowhere\.invalid \(Name or service not known\)$"):
        asyncio.run(resolve_and_check("nowhere.invalid", 80, STRICT, fail))


def test_guarded_backend_refuses_before_connecting(feed_server):
    backend = GuardedBackend(STRICT)
    with pytest.raises(BlockedAddressError):
        asyncio.run(backend.connect_tcp("localhost", feed_server.port, timeout=2))
    assert feed_server.all_requests == []


def test_guarded_backend_connects_to_the_checked_address(feed_server):
    feed_server.add("/x", "ok", content_type="text/plain")
    settings = crawler(private_allowlist=(f"pinned.invalid:{feed_server.port}",))
    backend = GuardedBackend(settings, resolver=_resolver("127.0.0.1"))

    async def go() -> bytes:
        stream = await backend.connect_tcp("pinned.invalid", feed_server.port, timeout=2)
        try:
            await stream.write(b"GET /x HTTP/1.1\r\nHost: pinned.invalid\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := await stream.read(4096, timeout=2):
                data += chunk
            return data
        finally:
            await stream.aclose()

    reply = asyncio.run(go())
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"ok")
    assert isinstance(backend.inner, httpcore.AsyncNetworkBackend)
