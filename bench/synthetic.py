"""Synthetic feeds served over a real local HTTP server, for the crawl benchmark.

The server runs in its own process so that it does not compete for the GIL with the crawler
being measured. It honours ETag / If-None-Match so an unchanged re-crawl costs a 304.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import multiprocessing
import socket
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

WORDS = (
    "learning microlearning managers safety warehouse compliance evidence retrieval spacing coaching "
    "feedback platform analytics skills onboarding simulation headset tutor copilot authoring policy "
    "audit privacy accessibility mobile nudges practice transfer evaluation workflow"
).split()


def feed_xml(index: int, entries: int) -> bytes:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    items = []
    for j in range(entries):
        words = " ".join(WORDS[(index + j + k) % len(WORDS)] for k in range(40))
        published = format_datetime(now - timedelta(hours=index + j))
        items.append(
            f"<item><title>Feed {index} story {j}: {escape(words[:60])}</title>"
            f"<link>http://example.org/{index}/{j}</link><guid>urn:bench:{index}:{j}</guid>"
            f"<pubDate>{published}</pubDate><author>writer{j}@example.org (Writer {j})</author>"
            f"<description>{escape('<p>' + words + '</p><p>' + words + '</p>')}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Synthetic feed {index}</title><link>http://example.org/{index}</link>"
        f"<description>Benchmark feed {index}</description><language>en</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def _serve(port_queue, feeds: int, entries: int, bomb: bool) -> None:
    bodies = {f"/feed/{i}.xml": feed_xml(i, entries) for i in range(feeds)}
    etags = {path: '"' + hashlib.sha1(body).hexdigest() + '"' for path, body in bodies.items()}
    bomb_body = gzip.compress(b"\0" * 200_000_000, compresslevel=9) if bomb else b""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            if self.path == "/bomb.xml" and bomb:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(bomb_body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(bomb_body)
                return
            body = bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == etags[self.path]:
                self.send_response(304)
                self.send_header("ETag", etags[self.path])
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etags[self.path])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class QuietServer(ThreadingHTTPServer):
        # The default backlog of 5 drops SYNs when a crawler opens its connections at once, and a
        # dropped SYN costs a 1 s retransmit: noise in every peer's time, not a property of any.
        request_queue_size = 256

        def handle_error(self, request, client_address):  # a client closing early is not news
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


class SyntheticServer:
    """`with SyntheticServer(300, 50) as s: s.urls` — a feed server in a child process."""

    def __init__(self, feeds: int = 300, entries: int = 50, bomb: bool = False):
        self.feeds, self.entries, self.bomb = feeds, entries, bomb
        self.port = 0

    def __enter__(self) -> SyntheticServer:
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        self.process = ctx.Process(target=_serve, args=(queue, self.feeds, self.entries, self.bomb), daemon=True)
        self.process.start()
        self.port = queue.get(timeout=120)
        _wait_port(self.port)
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.join(5)

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.port}/feed/{i}.xml" for i in range(self.feeds)]

    @property
    def bomb_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bomb.xml"


def _wait_port(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            threading.Event().wait(0.05)
