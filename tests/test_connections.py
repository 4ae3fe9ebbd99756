"""The fetcher's connections (httpcore's public connection pool behind watcher.fetcher.PoolTransport,
opened through the guard's backend) against real local servers.

The servers log each request's client address, one per TCP connection, so reuse is observed from
the other side of the socket rather than from the pool's internals.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config.errors import BodyTooLargeError
from config.settings import CrawlerSettings
from watcher.fetcher import Fetcher, default_ssl_context

RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def settings(**changes) -> CrawlerSettings:
    base = {"allow_private_networks": True, "timeout_seconds": 5.0}
    base.update(changes)
    return dataclasses.replace(CrawlerSettings(), **base)


def run_fetches(steps, crawler: CrawlerSettings | None = None) -> list:
    """Run `steps` (each an async fn taking the fetcher) in order inside one Fetcher; results or errors."""

    async def go():
        out = []
        async with Fetcher(crawler or settings()) as fetcher:
            for step in steps:
                try:
                    out.append(await step(fetcher))
                except Exception as exc:  # the test looks at it
                    out.append(exc)
        return out

    return asyncio.run(go())


def get(url: str, **kwargs):
    return lambda fetcher: fetcher.fetch(url, **kwargs)


def test_sequential_fetches_share_one_connection(feed_server):
    for i in range(5):
        feed_server.add(f"/f{i}", RSS)
    results = run_fetches([get(feed_server.url(f"/f{i}")) for i in range(5)])
    assert [r.status for r in results] == [200] * 5
    assert len(feed_server.connections()) == 1


def test_each_origin_gets_its_own_connection(feed_server, feed_server2):
    feed_server.add("/a", RSS)
    feed_server2.add("/b", RSS)
    urls = [feed_server.url("/a"), feed_server2.url("/b")] * 3
    results = run_fetches([get(u) for u in urls])
    assert all(r.status == 200 for r in results)
    assert len(feed_server.connections()) == 1 and len(feed_server2.connections()) == 1


def test_concurrent_fetches_open_at_most_per_host_connections(feed_server):
    feed_server.add("/slow", RSS, delay=0.05)

    async def go():
        async with Fetcher(settings(per_host=3, concurrency=10)) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(feed_server.url("/slow")) for _ in range(12)))

    results = asyncio.run(go())
    assert all(r.status == 200 for r in results)
    assert 1 < len(feed_server.connections()) <= 3


def test_connection_close_header_is_honoured(feed_server):
    def closing(handler):
        body = RSS.encode()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True

    feed_server.add_handler("/close", closing)
    results = run_fetches([get(feed_server.url("/close"))] * 3)
    assert [r.status for r in results] == [200] * 3
    assert len(feed_server.connections()) == 3


def test_server_dropping_an_idle_connection_silently_is_noticed(feed_server):
    """Closed by the server after a complete response, without saying so: the next fetch must not fail."""

    def drop_after(handler):
        body = RSS.encode()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True  # no Connection: close header

    feed_server.add_handler("/drop", drop_after)

    async def pause(_fetcher):
        await asyncio.sleep(0.2)  # let the FIN arrive

    results = run_fetches([get(feed_server.url("/drop")), pause, get(feed_server.url("/drop"))])
    assert results[0].status == 200 and results[2].status == 200
    assert len(feed_server.connections()) == 2


def test_a_body_left_unread_never_goes_back_to_the_pool(feed_server):
    feed_server.add("/big", "x" * 5000)
    feed_server.add("/ok", RSS)
    results = run_fetches([get(feed_server.url("/big")), get(feed_server.url("/ok")), get(feed_server.url("/ok"))],
                          settings(max_bytes=1000))
    assert isinstance(results[0], BodyTooLargeError)
    assert results[1].status == 200 and results[2].status == 200
    assert len(feed_server.connections("/big")) == 1
    assert feed_server.connections("/big").isdisjoint(feed_server.connections("/ok"))  # not reused after the cut
    assert len(feed_server.connections("/ok")) == 1


def test_a_timed_out_request_does_not_poison_the_pool(feed_server):
    feed_server.add("/slow", RSS, delay=1.0)
    feed_server.add("/ok", RSS)
    results = run_fetches([get(feed_server.url("/slow")), get(feed_server.url("/ok"))],
                          settings(timeout_seconds=0.3))
    assert "timed out" in str(results[0])
    assert results[1].status == 200


def test_a_full_pool_gives_an_idle_connection_up_for_another_origin(feed_server, feed_server2):
    feed_server.add("/a", RSS)
    feed_server2.add("/b", RSS)
    # concurrency 1: one connection at a time. B's request closes A's idle connection instead of waiting
    # for it, and A's next request does the same to B's.
    urls = [feed_server.url("/a"), feed_server2.url("/b"), feed_server2.url("/b"), feed_server.url("/a")]
    results = run_fetches([get(u) for u in urls], settings(concurrency=1, timeout_seconds=2.0))
    assert all(r.status == 200 for r in results)
    assert len(feed_server.connections()) == 2
    assert len(feed_server2.connections()) == 1


def test_http_only_fetches_never_load_the_ca_bundle(feed_server):
    feed_server.add("/f", RSS)
    default_ssl_context.cache_clear()
    results = run_fetches([get(feed_server.url("/f"))])
    assert results[0].status == 200
    assert default_ssl_context.cache_info().currsize == 0


def test_https_uses_the_verifying_context(feed_server):
    """A plain-HTTP server spoken to over https fails the TLS handshake with one clear line."""
    feed_server.add("/f", RSS)
    default_ssl_context.cache_clear()
    started = time.monotonic()
    results = run_fetches([get(feed_server.url("/f").replace("http://", "https://"))])
    assert time.monotonic() - started < 5
    message = str(results[0])
    assert "TLS" in message or "SSL" in message, message
    assert "\n" not in message
    assert default_ssl_context.cache_info().currsize == 1


@pytest.mark.parametrize("count", [1, 40])
def test_fetcher_closes_every_connection_on_exit(count):
    """Seen from the server: every connection the fetcher opened reaches end-of-file once it exits."""
    body = RSS.encode()
    closed: list[bool] = []

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                while conn.recv(65536):
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            except OSError:
                return
            closed.append(True)

    async def go(url: str):
        async with Fetcher(settings(per_host=8)) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(url) for _ in range(count)))

    with _raw_server(serve) as (url, accepted):
        results = asyncio.run(go(url))
        deadline = time.monotonic() + 5
        while len(closed) < len(accepted) and time.monotonic() < deadline:
            time.sleep(0.02)
    assert all(r.status == 200 for r in results)
    assert 1 <= len(accepted) <= min(count, 8)
    assert len(closed) == len(accepted)


# --- servers built here: TLS, IPv6, and raw sockets that misbehave on purpose --------------------------


class _RssHandler(BaseHTTPRequestHandler):
    """Serves RSS to any GET and notes each request's client address (one per TCP connection)."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple]

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.seen.append(self.client_address[:2])
        body = RSS.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a refused handshake is the point of a test
        pass


@contextmanager
def _rss_server(host: str, wrap=None) -> Iterator[tuple[int, list[tuple]]]:
    """(port, client addresses seen) of a threaded RSS server on `host` (IPv4 or IPv6), socket `wrap`ped."""
    seen: list[tuple] = []
    handler = type("Handler", (_RssHandler,), {"seen": seen})
    server = type("Server", (_QuietServer,), {"address_family": socket.AF_INET6 if ":" in host else socket.AF_INET})
    httpd = server((host, 0), handler)
    if wrap is not None:
        httpd.socket = wrap(httpd.socket)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield httpd.server_address[1], seen
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def _raw_server(handle: Callable[[socket.socket], None]) -> Iterator[tuple[str, list[tuple]]]:
    """(URL, client addresses accepted) of a bare TCP server running `handle(conn)` for each connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[tuple] = []

    def serve() -> None:
        while True:
            try:
                conn, address = listener.accept()
            except OSError:
                return
            accepted.append(address)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed", accepted
    finally:
        listener.close()


@pytest.fixture
def tls_feed_server(tmp_path):
    """(base URL, certificate path, client addresses seen) of an https server on 127.0.0.1."""
    from tests.plugins.smtp import make_self_signed

    cert, key = make_self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with _rss_server("127.0.0.1", lambda sock: context.wrap_socket(sock, server_side=True)) as (port, seen):
        yield f"https://127.0.0.1:{port}", cert, seen


def test_untrusted_certificate_is_one_clear_tls_error(tls_feed_server):
    base, _cert, _seen = tls_feed_server
    results = run_fetches([get(base + "/feed")])
    message = str(results[0])
    assert message.startswith("TLS error with 127.0.0.1") and "certificate" in message, message
    assert "\n" not in message


def test_trusted_certificate_fetches_and_keeps_the_connection(tls_feed_server, monkeypatch):
    import watcher.fetcher

    base, cert, seen = tls_feed_server
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(watcher.fetcher, "default_ssl_context", lambda: trusting)
    results = run_fetches([get(base + f"/feed{i}") for i in range(3)])
    assert [r.status for r in results] == [200, 200, 200]
    assert results[0].body == RSS.encode()
    assert len(set(seen)) == 1  # one TLS connection for the three requests


def test_a_connection_dropped_as_the_request_arrives_is_retried_once_on_a_new_one():
    """The server answers one request per connection, then hangs up on the next without a word: the race
    a kept-alive connection can lose. The GET is repeated once on a fresh connection."""
    body = RSS.encode()

    def answer_once(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            conn.recv(65536)  # the second request: dropped unanswered

    with _raw_server(answer_once) as (url, connections):
        results = run_fetches([get(url), get(url), get(url)])
    assert [getattr(r, "status", r) for r in results] == [200, 200, 200]
    assert len(connections) == 3


def test_a_server_that_always_hangs_up_fails_after_one_retry():
    def hang_up(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)

    with _raw_server(hang_up) as (url, accepted):
        results = run_fetches([get(url)])
    assert "disconnected" in str(results[0]) and "\n" not in str(results[0])
    assert len(accepted) == 1  # a new connection is not retried: only a kept-alive one is


def test_ipv6_literal_hosts_connect_and_keep_alive():
    """http://[::1]:port/ goes through the guard (allowed here), httpcore's backend and its pool."""
    with _rss_server("::1") as (port, seen):
        url = f"http://[::1]:{port}/feed"
        results = run_fetches([get(url), get(url)])
    assert [r.status for r in results] == [200, 200]
    assert len(set(seen)) == 1 and seen[0][0] == "::1"
