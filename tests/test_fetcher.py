"""The fetch layer against a real HTTP server on 127.0.0.1 (no mocks, except a fake DNS where noted)."""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta

import psutil
import pytest

from config import clock
from config.errors import BlockedAddressError, BodyTooLargeError, FetchError
from config.settings import CrawlerSettings
from watcher.fetcher import Fetcher, FetchResult, parse_retry_after

RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>é</title></item></channel></rss>'
LAST_MODIFIED = "Wed, 01 Jan 2025 10:00:00 GMT"


def settings(**changes) -> CrawlerSettings:
    base = {"allow_private_networks": True, "timeout_seconds": 5.0}
    base.update(changes)
    return dataclasses.replace(CrawlerSettings(), **base)


def fetch(url: str, crawler: CrawlerSettings | None = None, **kwargs) -> FetchResult:
    async def go():
        async with Fetcher(crawler or settings()) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(go())


def fetch_error(url: str, crawler: CrawlerSettings | None = None, kind: type[FetchError] = FetchError) -> FetchError:
    with pytest.raises(kind) as info:
        fetch(url, crawler)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return info.value


# --- success and conditional GET ----------------------------------------------------------------


def test_200_returns_body_headers_and_validators(feed_server):
    feed_server.add("/feed", RSS, etag='"abc"', last_modified=LAST_MODIFIED, headers={"X-Extra": "1"})
    result = fetch(feed_server.url("/feed"))
    assert result.status == 200
    assert result.body == RSS.encode()
    assert result.url == result.final_url == feed_server.url("/feed")
    assert result.etag == '"abc"' and result.last_modified == LAST_MODIFIED
    assert result.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert result.headers["x-extra"] == "1"
    assert all(name == name.lower() for name in result.headers)
    assert result.permanent_redirect is None and result.elapsed_ms >= 0
    seen = feed_server.requests("/feed")[0]["headers"]
    assert seen["user-agent"] == CrawlerSettings().user_agent
    assert "application/rss+xml" in seen["accept"] and "application/atom+xml" in seen["accept"]
    assert seen["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in seen and "if-modified-since" not in seen


def test_second_request_with_etag_gets_304(feed_server):
    feed_server.add("/feed", RSS, etag='"v1"')
    first = fetch(feed_server.url("/feed"))
    second = fetch(feed_server.url("/feed"), etag=first.etag)
    assert second.status == 304 and second.not_modified and second.body is None
    assert second.etag == '"v1"'
    assert feed_server.requests("/feed")[1]["headers"]["if-none-match"] == '"v1"'


def test_second_request_with_last_modified_gets_304(feed_server):
    feed_server.add("/feed", RSS, last_modified=LAST_MODIFIED)
    first = fetch(feed_server.url("/feed"))
    second = fetch(feed_server.url("/feed"), last_modified=first.last_modified)
    assert second.status == 304 and second.body is None
    assert feed_server.requests("/feed")[1]["headers"]["if-modified-since"] == LAST_MODIFIED


def test_changed_etag_gets_full_body(feed_server):
    feed_server.add("/feed", RSS, etag='"v2"')
    result = fetch(feed_server.url("/feed"), etag='"v1"')
    assert result.status == 200 and result.body == RSS.encode() and result.etag == '"v2"'


# --- redirects ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_is_reported(feed_server, status):
    feed_server.add("/old", status=status, redirect_to="/new")
    feed_server.add("/new", RSS)
    result = fetch(feed_server.url("/old"))
    assert result.status == 200 and result.body == RSS.encode()
    assert result.url == feed_server.url("/old")
    assert result.final_url == feed_server.url("/new")
    assert result.permanent_redirect == feed_server.url("/new")


@pytest.mark.parametrize("status", [302, 303, 307])
def test_temporary_redirect_is_not_reported(feed_server, status):
    feed_server.add("/tmp", status=status, redirect_to=feed_server.url("/new"))
    feed_server.add("/new", RSS)
    result = fetch(feed_server.url("/tmp"))
    assert result.final_url == feed_server.url("/new")
    assert result.permanent_redirect is None


def test_permanent_then_temporary_reports_the_permanent_part(feed_server):
    feed_server.add("/a", status=301, redirect_to="/b")
    feed_server.add("/b", status=302, redirect_to="/c")
    feed_server.add("/c", RSS)
    result = fetch(feed_server.url("/a"))
    assert result.final_url == feed_server.url("/c")
    assert result.permanent_redirect == feed_server.url("/b")


def test_temporary_then_permanent_is_not_reported(feed_server):
    feed_server.add("/a", status=302, redirect_to="/b")
    feed_server.add("/b", status=301, redirect_to="/c")
    feed_server.add("/c", RSS)
    assert fetch(feed_server.url("/a")).permanent_redirect is None


def test_redirect_to_other_host(feed_server, feed_server2):
    feed_server.add("/feed", status=301, redirect_to=feed_server2.url("/moved"))
    feed_server2.add("/moved", RSS, etag='"x"')
    result = fetch(feed_server.url("/feed"), etag='"old"')
    assert result.final_url == feed_server2.url("/moved") and result.body == RSS.encode()
    # Conditional headers follow the redirect (the crawler stores the validators of the final response).
    assert feed_server2.requests("/moved")[0]["headers"]["if-none-match"] == '"old"'


def test_redirect_loop_is_an_error(feed_server):
    feed_server.add("/a", status=302, redirect_to="/b")
    feed_server.add("/b", status=302, redirect_to="/a")
    error = fetch_error(feed_server.url("/a"))
    assert "redirect loop" in str(error)
    assert feed_server.hits("/a") == 1 and feed_server.hits("/b") == 1


def test_five_redirects_are_followed_six_are_not(feed_server):
    for i in range(6):
        feed_server.add(f"/r{i}", status=302, redirect_to=f"/r{i + 1}")
    feed_server.add("/r6", RSS)
    assert fetch(feed_server.url("/r1")).final_url == feed_server.url("/r6")  # 5 redirects
    error = fetch_error(feed_server.url("/r0"))  # 6 redirects
    assert str(error) == "too many redirects (more than 5)"


def test_redirect_without_location(feed_server):
    feed_server.add("/r", status=302)
    assert "without a Location" in str(fetch_error(feed_server.url("/r")))


# --- HTTP errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "HTTP 404 Not Found"),
        (500, "HTTP 500 Internal Server Error"),
        (403, "HTTP 403 Forbidden"),
        (410, "HTTP 410 Gone"),
    ],
)
def test_http_errors(feed_server, status, message):
    feed_server.add("/feed", "nope", status=status, content_type="text/plain")
    error = fetch_error(feed_server.url("/feed"))
    assert str(error) == message
    assert error.status == status and error.retry_after is None


def test_429_retry_after_seconds(feed_server):
    feed_server.add("/feed", status=429, headers={"Retry-After": "120"})
    error = fetch_error(feed_server.url("/feed"))
    assert error.status == 429 and error.retry_after == 120
    assert str(error) == "HTTP 429 Too Many Requests (retry after 120 s)"


def test_429_retry_after_http_date(feed_server):
    when = clock.now() + timedelta(hours=1)  # the delay is counted from config.clock's now
    feed_server.add("/feed", status=429, headers={"Retry-After": email.utils.format_datetime(when, usegmt=True)})
    error = fetch_error(feed_server.url("/feed"))
    assert error.status == 429
    assert error.retry_after == 3600


def test_503_retry_after(feed_server):
    feed_server.add("/feed", status=503, headers={"Retry-After": "30"})
    error = fetch_error(feed_server.url("/feed"))
    assert error.status == 503 and error.retry_after == 30


def test_parse_retry_after_forms():
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("45", now) == 45
    assert parse_retry_after("Wed, 01 Jan 2025 12:02:00 GMT", now) == 120
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now) == 0  # in the past: retry now
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


# --- timeouts, hostile bodies ----------------------------------------------------------------------


def test_slow_server_times_out(feed_server):
    feed_server.add("/slow", RSS, delay=3)
    error = fetch_error(feed_server.url("/slow"), settings(timeout_seconds=0.5))
    assert str(error) == "timed out after 0.5 s"


def test_read_timeout_without_data(feed_server):
    feed_server.add("/slow", RSS, delay=3)
    error = fetch_error(feed_server.url("/slow"), settings(timeout_seconds=5, read_timeout_seconds=0.3))
    assert str(error) == "timed out after 0.3 s without data"


def test_gzip_body_is_decoded(feed_server):
    feed_server.add("/feed", RSS * 50, gzip=True)
    result = fetch(feed_server.url("/feed"))
    assert result.body == (RSS * 50).encode()
    assert result.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize("raw", [False, True])
def test_deflate_body_is_decoded(feed_server, raw):
    payload = (RSS * 20).encode()
    comp = zlib.compressobj(wbits=-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    data = comp.compress(payload) + comp.flush()
    feed_server.add("/feed", data, headers={"Content-Encoding": "deflate"})
    assert fetch(feed_server.url("/feed")).body == payload


def test_multi_member_gzip_is_decoded(feed_server):
    data = gzip.compress(b"<rss>") + gzip.compress(b"</rss>")
    feed_server.add("/feed", data, headers={"Content-Encoding": "gzip"})
    assert fetch(feed_server.url("/feed")).body == b"<rss></rss>"


def test_corrupt_gzip_is_an_error(feed_server):
    feed_server.add("/feed", b"\x1f\x8b\x08\x00garbage-garbage-garbage", headers={"Content-Encoding": "gzip"})
    assert "could not decode gzip body" in str(fetch_error(feed_server.url("/feed")))


def test_unknown_content_encoding_is_an_error(feed_server):
    feed_server.add("/feed", b"xx", headers={"Content-Encoding": "br"})
    assert "unsupported Content-Encoding" in str(fetch_error(feed_server.url("/feed")))


def test_plain_body_over_the_cap(feed_server):
    feed_server.add("/big", b"x" * 2000)
    error = fetch_error(feed_server.url("/big"), settings(max_bytes=1000), BodyTooLargeError)
    assert str(error) == "body exceeds 1000 bytes"
    assert fetch(feed_server.url("/big"), settings(max_bytes=2000)).body == b"x" * 2000  # exactly at the cap


def test_gzip_body_over_the_cap_counts_decoded_bytes(feed_server):
    feed_server.add("/feed", b"a" * 50_000, gzip=True)  # ~100 bytes on the wire
    fetch_error(feed_server.url("/feed"), settings(max_bytes=10_000), BodyTooLargeError)


def _peak_rss_during(fn) -> tuple[int, object]:
    """Run fn() while sampling this process's RSS; return (peak growth in bytes, fn's outcome)."""
    proc = psutil.Process()
    base = proc.memory_info().rss
    peak = base
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, proc.memory_info().rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        outcome = fn()
    except Exception as exc:  # noqa: BLE001 - the outcome is checked by the caller
        outcome = exc
    finally:
        stop.set()
        sampler.join()
    return max(peak, proc.memory_info().rss) - base, outcome


def test_gzip_bomb_is_cut_at_the_cap_with_bounded_memory(feed_server):
    feed_server.add_gzip_bomb("/bomb", decoded_size=1 << 30)  # 1 GiB of zeros, ~1 MB on the wire
    crawler = settings(max_bytes=15_000_000, timeout_seconds=30)
    tracemalloc.start()
    try:
        growth, outcome = _peak_rss_during(lambda: fetch(feed_server.url("/bomb"), crawler))
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(outcome, BodyTooLargeError), outcome
    assert str(outcome) == "body exceeds 15000000 bytes"
    assert growth < 300 * 1024 * 1024, f"RSS grew by {growth / 1e6:.0f} MB"
    # Python-level allocations stay near the cap: the body parts plus a final join.
    assert traced_peak < 3 * 15_000_000 + 8 * 1024 * 1024, f"traced peak {traced_peak / 1e6:.0f} MB"


def test_dense_gzip_bomb_never_inflates_far_past_the_cap(feed_server):
    """64 KiB of gzip'd zeros inflate to ~66 MB: decoding must be bounded per step, not per network chunk."""
    feed_server.add("/bomb", gzip.compress(bytes(100_000_000), 9), headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLargeError):
            fetch(feed_server.url("/bomb"), settings(max_bytes=1_000_000))
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert traced_peak < 6_000_000, f"traced peak {traced_peak / 1e6:.1f} MB for a 1 MB cap"


def test_endless_body_is_cut_at_the_cap(feed_server):
    feed_server.add_endless("/endless")
    error = fetch_error(feed_server.url("/endless"), settings(max_bytes=1_000_000), BodyTooLargeError)
    assert str(error) == "body exceeds 1000000 bytes"


def test_slow_drip_body_is_cut_by_the_total_timeout(feed_server):
    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Connection", "close")
        handler.end_headers()
        while not feed_server.stopping.is_set():
            handler.wfile.write(b"<")
            handler.wfile.flush()
            time.sleep(0.05)  # always under the read timeout, so only the total budget can stop it

    feed_server.add_handler("/drip", drip)
    error = fetch_error(feed_server.url("/drip"), settings(timeout_seconds=0.6, read_timeout_seconds=5))
    assert str(error) == "timed out after 0.6 s"


def test_connection_refused(feed_server):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/feed")
    assert str(error).startswith("cannot connect to 127.0.0.1")


def test_server_closing_mid_response_is_an_error(feed_server):
    def truncated(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b"<rss>")
        handler.close_connection = True

    feed_server.add_handler("/cut", truncated)
    error = fetch_error(feed_server.url("/cut"))
    assert "127.0.0.1" in str(error)


# --- private networks ------------------------------------------------------------------------------


PRIVATE_HOSTS = [
    "127.0.0.1",
    "localhost",
    "[::1]",
    "0177.0.0.1",
    "2130706433",
    "0x7f000001",
    "127.1",
    "10.0.0.1",
    "169.254.169.254",
    "[::ffff:127.0.0.1]",
    "192.168.1.1",
    "100.64.0.1",
]


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
def test_private_addresses_are_refused(feed_server, host):
    feed_server.add("/feed", RSS)
    url = f"http://{host}:{feed_server.port}/feed"
    error = fetch_error(url, settings(allow_private_networks=False), BlockedAddressError)
    assert str(error).startswith("refused: ")
    assert str(error).endswith("(set [crawler] allow_private_networks = true to allow)")
    assert feed_server.hits("/feed") == 0


def test_refusal_message_for_loopback(feed_server):
    error = fetch_error(feed_server.url("/feed"), settings(allow_private_networks=False), BlockedAddressError)
    assert str(error) == (
        "refused: 127.0.0.1 is a loopback address (set [crawler] allow_private_networks = true to allow)"
    )


@pytest.mark.parametrize("target_host", ["localhost", "2130706433", "127.0.0.1"])
def test_refusal_through_a_redirect(feed_server, feed_server2, target_host):
    crawler = settings(allow_private_networks=False, private_allowlist=(feed_server.host_port,))
    feed_server.add("/feed", RSS)
    feed_server.add("/go", status=302, redirect_to=f"http://{target_host}:{feed_server2.port}/feed")
    feed_server2.add("/feed", RSS)
    assert fetch(feed_server.url("/feed"), crawler).body == RSS.encode()  # server A itself is allowed
    fetch_error(feed_server.url("/go"), crawler, BlockedAddressError)
    assert feed_server.hits("/go") == 1
    assert feed_server2.all_requests == []


def test_allowlisted_host_only_entry_allows_every_port(feed_server, feed_server2):
    feed_server2.add("/feed", RSS)
    crawler = settings(allow_private_networks=False, private_allowlist=("127.0.0.1",))
    assert fetch(feed_server2.url("/feed"), crawler).status == 200


def test_private_addresses_allowed_when_configured(feed_server):
    feed_server.add("/feed", RSS)
    for host in ("127.0.0.1", "localhost", "2130706433"):
        assert fetch(f"http://{host}:{feed_server.port}/feed", settings(allow_private_networks=True)).status == 200
    assert feed_server.hits("/feed") == 3


def test_names_are_checked_on_every_resolved_address(feed_server):
    """Fake DNS (the public internet is out of reach in tests): one public and one private answer."""
    feed_server.add("/feed", RSS)

    async def resolver(host, port):
        return ["93.184.216.34", "127.0.0.1"]

    async def go():
        async with Fetcher(settings(allow_private_networks=False), resolver=resolver) as fetcher:
            return await fetcher.fetch(f"http://feeds.example:{feed_server.port}/feed")

    with pytest.raises(BlockedAddressError, match="feeds.example resolves to 127.0.0.1, a loopback address"):
        asyncio.run(go())
    assert feed_server.hits("/feed") == 0


def test_connection_goes_to_the_checked_address(feed_server):
    """The connection is pinned to the address the guard resolved (fake DNS: a name the system cannot resolve)."""
    feed_server.add("/feed", RSS)
    calls = []

    async def resolver(host, port):
        calls.append((host, port))
        return ["127.0.0.1"]

    crawler = settings(allow_private_networks=False, private_allowlist=(f"intranet.invalid:{feed_server.port}",))

    async def go():
        async with Fetcher(crawler, resolver=resolver) as fetcher:
            return await fetcher.fetch(f"http://intranet.invalid:{feed_server.port}/feed")

    result = asyncio.run(go())
    assert result.body == RSS.encode()
    assert calls == [("intranet.invalid", feed_server.port)]
    assert feed_server.requests("/feed")[0]["headers"]["host"] == f"intranet.invalid:{feed_server.port}"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed", "gopher://example.org/"])
def test_non_http_schemes_are_refused(url):
    assert "unsupported scheme" in str(fetch_error(url))


def test_credentials_in_url_are_refused(feed_server):
    feed_server.add("/feed", RSS)
    assert "credentials" in str(fetch_error(f"http://user:pw@{feed_server.host_port}/feed"))
    assert feed_server.hits("/feed") == 0


# --- concurrency -----------------------------------------------------------------------------------


def _fetch_many(urls: list[str], crawler: CrawlerSettings) -> list[FetchResult]:
    async def go():
        async with Fetcher(crawler) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(u) for u in urls))

    return asyncio.run(go())


def test_per_host_limit_is_respected(feed_server):
    for i in range(6):
        feed_server.add(f"/f{i}", RSS, delay=0.3)
    results = _fetch_many([feed_server.url(f"/f{i}") for i in range(6)], settings(per_host=2, concurrency=32))
    assert [r.status for r in results] == [200] * 6
    assert feed_server.max_active == 2


def test_global_limit_is_respected(feed_server, feed_server2):
    for server in (feed_server, feed_server2):
        for i in range(3):
            server.add(f"/f{i}", RSS, delay=0.2)
    urls = [s.url(f"/f{i}") for s in (feed_server, feed_server2) for i in range(3)]
    crawler = settings(per_host=10, concurrency=1)
    assert len(_fetch_many(urls, crawler)) == 6
    assert feed_server.max_active == 1 and feed_server2.max_active == 1


def test_fetcher_outside_context_manager_is_a_programming_error():
    with pytest.raises(RuntimeError):
        asyncio.run(Fetcher(settings()).fetch("http://127.0.0.1/"))


def test_waiting_for_a_busy_host_does_not_count_against_the_timeout(feed_server):
    for i in range(5):
        feed_server.add(f"/f{i}", RSS, delay=0.3)
    crawler = settings(per_host=1, timeout_seconds=1.0)  # the last waits ~1.2 s, then needs ~0.3 s
    results = _fetch_many([feed_server.url(f"/f{i}") for i in range(5)], crawler)
    assert [r.status for r in results] == [200] * 5
    assert feed_server.max_active == 1
    assert all(r.elapsed_ms < 1000 for r in results)  # active time only, not time spent queueing


def test_tls_failure_is_one_line(feed_server):
    feed_server.add("/feed", RSS)
    error = fetch_error(f"https://{feed_server.host_port}/feed")  # TLS handshake against a plain-HTTP server
    assert str(error).startswith("TLS error with 127.0.0.1: ")
