"""Feed parsing: response bytes + response headers -> :class:`ParsedFeed`.

feedparser is only ever given an in-memory stream (``io.BytesIO``): given a ``str`` or ``bytes`` it would
try to fetch URLs or open local files. Before parsing, the DOCTYPE (with its internal subset) and any
``<!ENTITY>`` declaration are removed, so entity-expansion bombs have nothing to expand and external
entities (``SYSTEM "file:///etc/passwd"``) are never resolved; references to the removed entities are
left as text by the tolerant parser.

Ill-formed feeds keep whatever entries feedparser recovers, with a one-line ``warning``. A response
that is not a feed at all (an HTML page, an empty body) raises :class:`ParseError`.
"""

from __future__ import annotations

import calendar
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import feedparser

from config.errors import ParseError
from watcher.datetext import parse_date_text
from watcher.feedbytes import html_entities_to_numeric, inflate, neutralise_doctype, to_utf8
from watcher.jsonfeed import looks_like_json, parse_json_feed

__all__ = ["ParsedEntry", "ParsedFeed", "neutralise_doctype", "parse_feed"]

try:  # the fast path: a Rust parser with a feedparser-like API (~20x faster here)
    import feedparser_rs
except ImportError:  # pragma: no cover - optional
    feedparser_rs = None  # type: ignore[assignment]  # the optional-import idiom: callers test for None

_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_ENTRY_TAG = re.compile(rb"<(?:item|entry)[\s>]")
_CHARSET = re.compile(r"charset\s*=\s*\"?([\w.:-]+)", re.IGNORECASE)
# feedparser notices that are about the transport, not about the document: no warning on the feed for them.
_QUIET_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")
MAX_FALLBACK_TAGS = 500_000


@dataclass(frozen=True)
class ParsedEntry:
    """One entry as found in the feed; HTML is raw (cleaned later by watcher.cleaner)."""

    guid: str = ""
    link: str = ""
    title: str = ""
    author: str = ""
    summary_html: str = ""
    content_html: str = ""
    published: datetime | None = None  # UTC
    updated: datetime | None = None  # UTC
    language: str = ""
    base: str = ""  # xml:base of the content, for its relative links ("" when the feed has none)


@dataclass(frozen=True)
class ParsedFeed:
    title: str = ""
    site: str = ""
    language: str = ""
    version: str = ""
    entries: tuple[ParsedEntry, ...] = ()
    warning: str | None = None  # set when the feed was ill-formed but entries were recovered
    entities_removed: bool = False


def _utc(struct) -> datetime | None:
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def _field(obj, name: str):
    """Read a field of a feedparser dict or of a feedparser-rs object alike."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _content(entry) -> tuple[str, str]:
    """The longest content block and its xml:base (some feeds ship a short text/plain and a full text/html one)."""
    blocks = [(str(_field(c, "value") or ""), str(_field(c, "base") or "")) for c in entry.get("content", []) or []]
    if blocks:
        return max(blocks, key=lambda block: len(block[0]))
    detail = entry.get("summary_detail")
    return "", str(_field(detail, "base") or "") if detail is not None else ""


def _language(entry) -> str:
    for key in ("content", "summary_detail", "title_detail"):
        detail = entry.get(key)
        if isinstance(detail, list):
            detail = detail[0] if detail else None
        language = _field(detail, "language") if detail is not None else None
        if language:
            return str(language)
    return ""


_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value, scrub: bool = True) -> str:
    """A field as a string without control characters (a `&#1;` reference survives the tolerant parser).

    Raw control bytes were removed before parsing, so only an ill-formed (bozo) document needs `scrub`.
    """
    text = str(value or "")
    return _CONTROL_CHARS.sub("", text) if scrub and _CONTROL_CHARS.search(text) else text


def _date(e, name: str) -> datetime | None:
    """`<name>_parsed` from the parser, else our own reading of the raw text (French month names...)."""
    parsed = _utc(e.get(f"{name}_parsed"))
    if parsed is None:
        raw = e.get(name)
        if isinstance(raw, str):
            parsed = parse_date_text(raw)
    return parsed


def _is_absolute(link: str) -> bool:
    if link.startswith(("https://", "http://")):
        return True
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc)


def _entry(e, base_url: str = "", doc_url: str = "", scrub: bool = True) -> ParsedEntry:
    link = e.get("link") or ""
    if not link:
        for item in e.get("links", []) or []:
            if (_field(item, "rel") or "alternate") == "alternate" and _field(item, "href"):
                link = _field(item, "href")
                break
    link = _text(link, scrub).strip()
    if link and base_url and not _is_absolute(link):
        link = urljoin(base_url, link)
    content, base = _content(e)
    base = _text(base, scrub).strip()
    if base and not _is_absolute(base):
        base = urljoin(doc_url, base) if doc_url else ""
    return ParsedEntry(
        guid=_text(e.get("id"), scrub).strip(),
        link=link,
        title=_text(e.get("title"), scrub),
        author=_text(e.get("author"), scrub),
        summary_html=_text(e.get("summary"), scrub),
        content_html=_text(content, scrub),
        published=_date(e, "published") or _date(e, "created"),
        updated=_date(e, "updated"),
        language=_language(e),
        base=base,
    )


def _parse_fast(body: bytes, headers: dict[str, str]):
    """feedparser-rs when its result can be trusted, else None (the caller falls back to feedparser).

    It is trusted only for a clean UTF-8 document that it parsed without complaint and in which it found
    at least as many entries as there are <item>/<entry> tags: on odd feeds it finds fewer entries than
    feedparser about 1% of the time, and feedparser's recovery is the reference.
    """
    if feedparser_rs is None:
        return None
    match = _CHARSET.search(headers.get("content-type", ""))
    if match and match.group(1).lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
        return None
    try:
        body.decode("utf-8")
        parsed = feedparser_rs.parse(body)
    except Exception:  # noqa: BLE001 - any failure of the fast path means "use feedparser"
        return None
    if parsed.get("bozo") or not parsed.get("version") or parsed.get("version", "").startswith("json"):
        return None
    if len(parsed.entries) < len(_ENTRY_TAG.findall(body)):
        return None
    # feedparser-rs blanks links to loopback/private hosts (its own SSRF policy), which would lose the
    # URLs of intranet and local feeds that the operator allowed: let feedparser read those.
    for entry in parsed.entries:
        if any(not _field(link, "href") for link in entry.get("links", []) or []):
            return None
        # an entry it found but could read nothing of (e.g. a non-namespaced <body>): feedparser reads more
        if not any(entry.get(k) for k in ("id", "link", "title", "summary", "content")):
            return None
        # past ~5,000 elements in one HTML field it returns the markup escaped, as text
        values = [str(entry.get("summary") or "")] + [str(_field(c, "value") or "") for c in entry.get("content") or []]
        if any(len(v) > 20_000 and v.count("&lt;") > 1000 for v in values):
            return None
    return parsed


def _bounded_for_feedparser(body: bytes) -> tuple[bytes, str | None]:
    """Cut a document with more than MAX_FALLBACK_TAGS tags after its last complete entry before that.

    feedparser spends ~25 us per element, so a hostile body made of millions of tiny elements would hold
    a crawl worker for minutes; real feeds stay far below the limit.
    """
    if body.count(b"<") <= MAX_FALLBACK_TAGS:
        return body, None
    pos = 0
    for _ in range(MAX_FALLBACK_TAGS):
        pos = body.find(b"<", pos) + 1
    head = body[:pos - 1]
    for closing in sorted((b"</item>", b"</entry>"), key=head.rfind, reverse=True)[:1]:
        end = head.rfind(closing)
        if end != -1:
            head = head[:end + len(closing)]
    return head, f"document cut after {MAX_FALLBACK_TAGS} tags"


def _not_a_feed(body: bytes, headers: dict[str, str]) -> ParseError:
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml") or _HTML_START.match(body[:4096]):
        return ParseError("not a feed: the server returned an HTML page", key="err.parse.html")
    if not ctype:
        return ParseError("not a feed: no RSS/Atom content found (no content type)", key="err.parse.no_content_type")
    return ParseError(f"not a feed: no RSS/Atom content found ({ctype})", key="err.parse.no_feed", content_type=ctype)


def _link_base(feed_link: str, url: str) -> str:
    """Base for relative entry links: the channel's own link (made absolute), else the feed's address."""
    if feed_link:
        site = urljoin(url, feed_link) if url else feed_link
        if _is_absolute(site) and urlsplit(site).scheme in ("http", "https"):
            return site
    return url


def parse_feed(body: bytes | None, headers: dict[str, str] | None = None, *, url: str = "") -> ParsedFeed:
    """Parse a feed from its response bytes and response headers (RSS 0.9x-2.0, RSS 1.0, Atom, JSON Feed).

    `url` is only used as the base for relative links (never fetched).
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if not body or not body.strip():
        raise ParseError("not a feed: empty response body", key="err.parse.empty")
    body = inflate(body)
    if looks_like_json(body):
        return parse_json_feed(body, url)
    original_headers = headers
    # Clean UTF-8 for both parsers. No content-location: feedparser would resolve bare guids against it and
    # the fast path does not, which would change entry identities between the two paths.
    body, headers = to_utf8(body, headers)
    if not body.strip():
        raise ParseError("not a feed: empty response body", key="err.parse.empty")
    body, removed = neutralise_doctype(body)
    body = html_entities_to_numeric(body)
    parsed = _parse_fast(body, headers)
    cut_note = None
    if parsed is None:
        body, cut_note = _bounded_for_feedparser(body)
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    feed = parsed.get("feed", {})
    base = _link_base(_text(feed.get("link")).strip(), url)
    scrub = bool(parsed.get("bozo"))
    entries = tuple(_entry(e, base, url, scrub) for e in parsed.entries)
    version = parsed.get("version") or ""
    if not version and not entries:
        raise _not_a_feed(body, original_headers)
    warning = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        kind = type(exc).__name__ if exc is not None else "error"
        if kind not in _QUIET_BOZO:
            detail = " ".join(str(exc).split())[:160] if exc is not None else ""
            warning = f"ill-formed feed, {len(entries)} entries recovered ({kind}: {detail})"
    if cut_note:
        warning = cut_note + (f"; {warning}" if warning else "")
    if removed:
        warning = "DOCTYPE/ENTITY declarations removed" + (f"; {warning}" if warning else "")
    return ParsedFeed(
        title=" ".join(_text(feed.get("title")).split()),
        site=_text(feed.get("link")).strip(),
        language=_text(feed.get("language") or original_headers.get("content-language", "")),
        version=version,
        entries=entries,
        warning=warning,
        entities_removed=removed,
    )
