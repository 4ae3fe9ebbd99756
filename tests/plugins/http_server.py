"""A real threaded HTTP/1.1 server on 127.0.0.1 for feed tests, benchmarks and the demo.

`FeedServer.add()` registers canned responses (status, headers, ETag/Last-Modified with 304
handling, redirects, gzip, delays); `add_handler()` gives full control; `add_gzip_bomb()` and
`add_endless()` serve hostile bodies streamed from small state. Every request is logged.

Fixtures: `feed_server`, `feed_server2` (function scope). Outside pytest: `with make_feed_server() as s:`.
"""

from __future__ import annotations

import contextlib
import gzip as gzip_module
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

try:  # the server itself needs only the standard library (benchmarks and scripts reuse it)
    import pytest
except ImportError:  # pragma: no cover
    pytest = None

Handler = Callable[[BaseHTTPRequestHandler], None]

_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout, TimeoutError)


@dataclass
class _Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    redirect_to: str | None = None
    gzip: bool = False
    handler: Handler | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: FeedServer

    def handle_error(self, request, client_address) -> None:  # noqa: D401 - quiet on client disconnects
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, _DISCONNECTS) or self.owner.stopping.is_set():
            return
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args) -> None:  # silence the default stderr log
        return

    def _dispatch(self) -> None:
        owner = self.server.owner
        owner._record(self)
        try:
            route = owner._route_for(self.path)
            if route is None:
                self._send_simple(404, b"not found")
            elif route.handler is not None:
                route.handler(self)
            else:
                owner._serve_route(self, route)
        except _DISCONNECTS:
            self.close_connection = True
        finally:
            owner._done()

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch

    def do_HEAD(self) -> None:
        self._dispatch()

    def _send_simple(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class FeedServer:
    """A running server; see the module docstring."""

    def __init__(self) -> None:
        self._routes: dict[str, _Route] = {}
        self._log: list[dict] = []
        self._lock = threading.Lock()
        self._active = 0
        self.max_active = 0  # highest number of requests being handled at the same time
        self.stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _RequestHandler)
        self._httpd.owner = self
        port = self._httpd.server_address[1]
        self.host_port = f"127.0.0.1:{port}"
        self.base_url = f"http://{self.host_port}"
        self.port = port
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # --- configuration --------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        headers: dict | None = None,
        content_type: str = "application/rss+xml; charset=utf-8",
        etag: str | None = None,
        last_modified: str | None = None,
        delay: float = 0.0,
        redirect_to: str | None = None,
        gzip: bool = False,
    ) -> None:
        """Serve a canned response at `path` (exact path, or path without its query string)."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        if redirect_to is not None and status == 200:
            status = 302
        route = _Route(
            body=gzip_module.compress(data) if gzip else data,
            status=status,
            headers=dict(headers or {}),
            content_type=content_type,
            etag=etag,
            last_modified=last_modified,
            delay=delay,
            redirect_to=redirect_to,
            gzip=gzip,
        )
        with self._lock:
            self._routes[path] = route

    def add_handler(self, path: str, fn: Handler) -> None:
        """Full control: `fn(request_handler)` writes the whole response."""
        with self._lock:
            self._routes[path] = _Route(handler=fn)

    def add_gzip_bomb(self, path: str, decoded_size: int) -> None:
        """A gzip body of zeros inflating to `decoded_size` bytes, compressed while it is streamed."""

        def serve(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Encoding", "gzip")
            h.send_header("Connection", "close")
            h.end_headers()
            h.close_connection = True
            comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            block = bytes(1 << 20)
            left = decoded_size
            while left > 0 and not self.stopping.is_set():
                n = min(left, len(block))
                out = comp.compress(block if n == len(block) else block[:n])
                if out:
                    h.wfile.write(out)
                left -= n
            h.wfile.write(comp.flush())

        self.add_handler(path, serve)

    def add_endless(self, path: str, chunk: bytes = b"<item>" + b"x" * 4090 + b"</item>\n") -> None:
        """A body that never ends, until the client disconnects or the server stops."""

        def serve(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Connection", "close")
            h.end_headers()
            h.close_connection = True
            h.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
            while not self.stopping.is_set():
                h.wfile.write(chunk)
                time.sleep(0.001)

        self.add_handler(path, serve)

    # --- inspection -----------------------------------------------------------------------------

    def requests(self, path: str) -> list[dict]:
        """Logged requests whose path (with or without query) is `path`."""
        with self._lock:
            return [dict(r) for r in self._log if r["path"] == path or r["path"].split("?", 1)[0] == path]

    def hits(self, path: str) -> int:
        return len(self.requests(path))

    def connections(self, path: str | None = None) -> set[tuple]:
        """Distinct client connections seen (for `path` only if given)."""
        return {r["client"] for r in (self.requests(path) if path else self.all_requests)}

    @property
    def all_requests(self) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._log]

    # --- internals ------------------------------------------------------------------------------

    def _record(self, h: BaseHTTPRequestHandler) -> None:
        entry = {
            "method": h.command,
            "path": h.path,
            "headers": {k.lower(): v for k, v in h.headers.items()},
            "time": time.monotonic(),
            "client": h.client_address,  # (host, port): one per TCP connection, to see keep-alive reuse
        }
        with self._lock:
            self._log.append(entry)
            self._active += 1
            self.max_active = max(self.max_active, self._active)
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)

    def _done(self) -> None:
        with self._lock:
            self._active -= 1

    def _route_for(self, raw_path: str) -> _Route | None:
        with self._lock:
            route = self._routes.get(raw_path)
            if route is None:
                route = self._routes.get(urlsplit(raw_path).path)
            return route

    def _serve_route(self, h: BaseHTTPRequestHandler, r: _Route) -> None:
        if r.delay and self.stopping.wait(r.delay):
            return
        status = r.status
        not_modified = False
        inm = h.headers.get("If-None-Match")
        ims = h.headers.get("If-Modified-Since")
        if r.etag is not None and inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            not_modified = "*" in tags or r.etag in tags
        elif r.last_modified is not None and ims is not None:
            not_modified = ims.strip() == r.last_modified
        body = r.body
        if not_modified:
            status, body = 304, b""
        h.send_response(status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "")
        if status != 304:
            h.send_header("Content-Type", r.content_type)
            if r.gzip:
                h.send_header("Content-Encoding", "gzip")
        if r.etag is not None:
            h.send_header("ETag", r.etag)
        if r.last_modified is not None:
            h.send_header("Last-Modified", r.last_modified)
        if r.redirect_to is not None and status in (301, 302, 303, 307, 308):
            h.send_header("Location", r.redirect_to)
        for k, v in r.headers.items():
            h.send_header(k, v)
        if status != 304:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body and h.command != "HEAD":
            h.wfile.write(body)


@contextlib.contextmanager
def make_feed_server() -> Iterator[FeedServer]:
    """Start a FeedServer on a free port of 127.0.0.1; stop it on exit."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


if pytest is not None:

    @pytest.fixture
    def feed_server() -> Iterator[FeedServer]:
        with make_feed_server() as server:
            yield server

    @pytest.fixture
    def feed_server2() -> Iterator[FeedServer]:
        """A second server on another port, for cross-host tests."""
        with make_feed_server() as server:
            yield server
