"""Serve the offline demo corpus (`demo/corpus`) as real feeds on 127.0.0.1.

Each feed of `feeds.json` is rendered in its declared format (RSS 2.0, Atom 1.0 or RSS 1.0) from
`articles/<key>.json`; publication dates are `days_ago` before the server's start, so the corpus always
looks fresh. XML is built with ElementTree (every text node escaped). Responses carry an ETag and a
Last-Modified date and answer conditional requests with 304. A generated "roundup" feed re-links a few
articles of the other feeds with utm_* tracking parameters, to show de-duplication by canonical URL.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from config import clock

CORPUS = Path(__file__).resolve().parent / "corpus"
ROUNDUP = "roundup"
ATOM = "http://www.w3.org/2005/Atom"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS1 = "http://purl.org/rss/1.0/"
DC = "http://purl.org/dc/elements/1.1/"
for prefix, uri in (("atom", ATOM), ("rdf", RDF), ("dc", DC)):
    ET.register_namespace(prefix, uri)


@dataclass(frozen=True)
class DemoFeed:
    key: str
    title: str
    site: str
    language: str
    format: str
    description: str
    kind: str = "unknown"  # the kind of source (config.settings.SOURCE_KINDS)


@dataclass(frozen=True)
class DemoArticle:
    feed: str
    id: str
    title: str
    author: str
    days_ago: float
    summary: str  # HTML
    topics: tuple[str, ...]
    story: str
    link: str
    published: datetime


class Corpus:
    """The corpus with links and dates resolved for one server (base URL, start time)."""

    def __init__(self, base_url: str, folder: Path = CORPUS, now: datetime | None = None):
        self.base_url = base_url.rstrip("/")
        self.now = (now or clock.now()).replace(second=0, microsecond=0)
        raw_feeds = json.loads((folder / "feeds.json").read_text(encoding="utf-8"))
        self.feeds: dict[str, DemoFeed] = {}
        self.articles: dict[str, list[DemoArticle]] = {}
        for f in raw_feeds:
            feed = DemoFeed(f["key"], f["title"], f.get("site", ""), f.get("language", "en"), f.get("format", "rss2"),
                            f.get("description", ""), f.get("kind", "unknown"))
            self.feeds[feed.key] = feed
            items = json.loads((folder / "articles" / f"{feed.key}.json").read_text(encoding="utf-8"))
            self.articles[feed.key] = [self._article(feed.key, i, a) for i, a in enumerate(items)]
        self._add_roundup()

    def _article(self, feed: str, index: int, a: dict, *, tracking: str = "") -> DemoArticle:
        link = f"{self.base_url}/{feed}/{a['id']}"
        if tracking or index % 9 == 4:  # a few links carry tracking parameters, as real feeds do
            link += f"?utm_source={tracking or feed}&utm_medium=rss&utm_campaign=veille-demo"
        return DemoArticle(feed, a["id"], a["title"], a.get("author", ""), float(a.get("days_ago", 0)),
                           a.get("summary", ""), tuple(a.get("topics", ())), a.get("story", ""), link,
                           self.now - timedelta(days=float(a.get("days_ago", 0))))

    def _add_roundup(self) -> None:
        """A weekly roundup re-linking each English feed's newest article (same URL + utm_*)."""
        picks = []
        for key, items in self.articles.items():
            if self.feeds[key].language != "en" or not items:
                continue
            newest = min(items, key=lambda a: a.days_ago)
            picks.append(DemoArticle(newest.feed, newest.id, newest.title, newest.author, newest.days_ago,
                                     newest.summary, newest.topics, newest.story,
                                     f"{self.base_url}/{newest.feed}/{newest.id}?utm_source=roundup&utm_medium=rss",
                                     newest.published))
        self.feeds[ROUNDUP] = DemoFeed(ROUNDUP, "Learning Tech Roundup", f"{self.base_url}/", "en", "rss2",
                                       "The week's picks from other learning-technology outlets.")
        self.articles[ROUNDUP] = picks

    def feed_url(self, key: str) -> str:
        return f"{self.base_url}/feeds/{key}.xml"

    def find(self, feed: str, article_id: str) -> DemoArticle | None:
        return next((a for a in self.articles.get(feed, ()) if a.id == article_id), None)

    def render(self, key: str) -> bytes:
        feed = self.feeds[key]
        items = sorted(self.articles[key], key=lambda a: a.days_ago)
        renderer = {"atom": _atom, "rss1": _rss1}.get(feed.format, _rss2)
        root = renderer(self, feed, items)
        return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _sub(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _rss2(corpus: Corpus, feed: DemoFeed, items: list[DemoArticle]):
    rss = ET.Element("rss", {"version": "2.0"})
    ch = _sub(rss, "channel")
    _sub(ch, "title", feed.title)
    _sub(ch, "link", feed.site or corpus.base_url)
    _sub(ch, "description", feed.description)
    _sub(ch, "language", feed.language)
    _sub(ch, "lastBuildDate", format_datetime(corpus.now))
    _sub(ch, f"{{{ATOM}}}link", href=corpus.feed_url(feed.key), rel="self", type="application/rss+xml")
    for a in items:
        it = _sub(ch, "item")
        _sub(it, "title", a.title)
        _sub(it, "link", a.link)
        _sub(it, "guid", f"veille-demo:{feed.key}:{a.id}", isPermaLink="false")
        _sub(it, "pubDate", format_datetime(a.published))
        if a.author:
            _sub(it, f"{{{DC}}}creator", a.author)
        for topic in a.topics:
            _sub(it, "category", topic)
        _sub(it, "description", a.summary)
    return rss


def _atom(corpus: Corpus, feed: DemoFeed, items: list[DemoArticle]):
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": feed.language})  # default namespace
    _sub(root, "title", feed.title)
    _sub(root, "subtitle", feed.description)
    _sub(root, "id", f"urn:veille-demo:{feed.key}")
    _sub(root, "updated", corpus.now.isoformat())
    _sub(root, "link", href=feed.site or corpus.base_url, rel="alternate")
    _sub(root, "link", href=corpus.feed_url(feed.key), rel="self")
    for a in items:
        e = _sub(root, "entry")
        _sub(e, "title", a.title)
        _sub(e, "id", f"urn:veille-demo:{feed.key}:{a.id}")
        _sub(e, "link", href=a.link, rel="alternate")
        _sub(e, "published", a.published.isoformat())
        _sub(e, "updated", a.published.isoformat())
        if a.author:
            _sub(_sub(e, "author"), "name", a.author)
        for topic in a.topics:
            _sub(e, "category", term=topic)
        _sub(e, "summary", a.summary, type="html")
    return root


def _rss1(corpus: Corpus, feed: DemoFeed, items: list[DemoArticle]):
    root = ET.Element(f"{{{RDF}}}RDF", {"xmlns": RSS1})
    ch = _sub(root, "channel", **{f"{{{RDF}}}about": corpus.feed_url(feed.key)})
    _sub(ch, "title", feed.title)
    _sub(ch, "link", feed.site or corpus.base_url)
    _sub(ch, "description", feed.description)
    _sub(ch, f"{{{DC}}}language", feed.language)
    seq = _sub(_sub(ch, "items"), f"{{{RDF}}}Seq")
    for a in items:
        _sub(seq, f"{{{RDF}}}li", **{f"{{{RDF}}}resource": a.link})
    for a in items:
        it = _sub(root, "item", **{f"{{{RDF}}}about": a.link})
        _sub(it, "title", a.title)
        _sub(it, "link", a.link)
        _sub(it, "description", a.summary)
        _sub(it, f"{{{DC}}}date", a.published.isoformat())
        if a.author:
            _sub(it, f"{{{DC}}}creator", a.author)
        for topic in a.topics:
            _sub(it, f"{{{DC}}}subject", topic)
    return root


PAGE = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5">
<p><a href="/">veille demo</a> · {feed}</p><h1>{title}</h1><p><em>{author}</em> · {date}</p>{summary}
<p style="color:#666">Demo article written for the veille project.</p></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server_version = "veille-demo/1.0"
    corpus: Corpus  # set on the subclass built by DemoServer

    def log_message(self, *args) -> None:  # quiet: the demo prints its own progress
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        path = self.path.split("?", 1)[0].strip("/")
        parts = path.split("/")
        if path == "":
            self._send(200, "text/html; charset=utf-8", self._index(), head)
        elif len(parts) == 2 and parts[0] == "feeds" and parts[1].endswith(".xml") and \
                parts[1][:-4] in self.corpus.feeds:
            key = parts[1][:-4]
            fmt = self.corpus.feeds[key].format
            ctype = {"atom": "application/atom+xml", "rss1": "application/rdf+xml"}.get(fmt, "application/rss+xml")
            self._send(200, f"{ctype}; charset=utf-8", self.corpus.render(key), head)
        elif len(parts) == 2 and (article := self.corpus.find(parts[0], parts[1])) is not None:
            feed = self.corpus.feeds[article.feed]
            body = PAGE.format(lang=feed.language, title=html.escape(article.title), feed=html.escape(feed.title),
                               author=html.escape(article.author), date=article.published.date().isoformat(),
                               summary=article.summary)  # corpus HTML, written by the project
            self._send(200, "text/html; charset=utf-8", body.encode("utf-8"), head)
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found\n", head)

    def _index(self) -> bytes:
        rows = "".join(f'<li><a href="/feeds/{k}.xml">{html.escape(f.title)}</a> ({f.format}, {f.language}, '
                       f"{len(self.corpus.articles[k])} articles)</li>" for k, f in self.corpus.feeds.items())
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>veille demo feeds</title></head>"
                f"<body style='font-family:sans-serif'><h1>veille demo feeds</h1><ul>{rows}</ul></body></html>"
                ).encode()

    def _send(self, status: int, ctype: str, body: bytes, head: bool) -> None:
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        last_modified = format_datetime(self.corpus.now, usegmt=True)
        if status == 200 and self._not_modified(etag):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if status == 200:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.send_header("Cache-Control", "max-age=60")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_modified(self, etag: str) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return parsedate_to_datetime(ims) >= self.corpus.now
            except (TypeError, ValueError):
                return False
        return False


class DemoServer:
    """A threaded HTTP server for the corpus; port 0 picks a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, folder: Path = CORPUS):
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        bound_host, self.port = self.httpd.server_address[:2]
        assert isinstance(bound_host, str)  # an AF_INET server's address: (str, int)
        self.host = bound_host
        self.corpus = Corpus(f"http://{self.host}:{self.port}", folder)
        self.httpd.RequestHandlerClass = type("DemoHandler", (_Handler,), {"corpus": self.corpus})
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return self.corpus.base_url

    def feed_urls(self) -> list[tuple[DemoFeed, str]]:
        return [(f, self.corpus.feed_url(k)) for k, f in self.corpus.feeds.items()]

    def start(self) -> DemoServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="demo-feeds", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
