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
import codecs
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from watcher.errors import ParseError

try:  # the fast path: a Rust parser with a feedparser-like API (~20x faster here)
    import feedparser_rs
except ImportError:  # pragma: no cover - optional
    feedparser_rs = None

# DOCTYPE with an optional internal subset `[ ... ]`; the subset may contain `>` (in entity values).
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_ENTITY_DECL = re.compile(rb"<!ENTITY.*?>", re.IGNORECASE | re.DOTALL)
_XML_DECL_ENCODING = re.compile(rb"(<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_ENTRY_TAG = re.compile(rb"<(?:item|entry)[\s>]")
_CHARSET = re.compile(r"charset\s*=\s*\"?([\w.:-]+)", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


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


@dataclass(frozen=True)
class ParsedFeed:
    title: str = ""
    site: str = ""
    language: str = ""
    version: str = ""
    entries: tuple[ParsedEntry, ...] = ()
    warning: str | None = None  # set when the feed was ill-formed but entries were recovered
    entities_removed: bool = False


def neutralise_doctype(body: bytes) -> tuple[bytes, bool]:
    """Remove the DOCTYPE (with its internal subset) and ENTITY declarations; report if anything went."""
    head_end = body.find(b"<rss")
    for marker in (b"<feed", b"<rdf:RDF", b"<RDF", b"<channel"):
        pos = body.find(marker)
        if pos != -1 and (head_end == -1 or pos < head_end):
            head_end = pos
    if head_end == -1:
        head_end = len(body)
    head, rest = body[:head_end], body[head_end:]
    new_head = _ENTITY_DECL.sub(b"", _DOCTYPE.sub(b"", head))
    removed = new_head != head
    if b"<!ENTITY" in rest[:65536].upper():  # declarations in the wrong place are just as unwelcome
        rest = _ENTITY_DECL.sub(b"", rest)
        removed = True
    return new_head + rest, removed


def _to_utf8(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """Transcode UTF-16/32 bodies (detected by BOM) so the byte-level DOCTYPE filter can see them."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = body.decode(encoding, errors="replace").encode("utf-8")
            text = _XML_DECL_ENCODING.sub(rb"\1\2utf-8\2", text, count=1)
            headers = dict(headers)
            ctype = headers.get("content-type", "application/xml")
            headers["content-type"] = re.sub(r";\s*charset=[^;]*", "", ctype) + "; charset=utf-8"
            return text, headers
    return body, headers


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


def _content(entry) -> str:
    """The longest content block (some feeds ship a short text/plain and a full text/html one)."""
    blocks = [str(_field(c, "value") or "") for c in entry.get("content", []) or []]
    return max(blocks, key=len) if blocks else ""


def _language(entry) -> str:
    for key in ("content", "summary_detail", "title_detail"):
        detail = entry.get(key)
        if isinstance(detail, list):
            detail = detail[0] if detail else None
        language = _field(detail, "language") if detail is not None else None
        if language:
            return str(language)
    return ""


def _entry(e, base_url: str = "") -> ParsedEntry:
    link = e.get("link") or ""
    if not link:
        for item in e.get("links", []) or []:
            if (_field(item, "rel") or "alternate") == "alternate" and _field(item, "href"):
                link = _field(item, "href")
                break
    if link and base_url and "://" not in link[:12]:
        link = urljoin(base_url, link)
    return ParsedEntry(
        guid=str(e.get("id") or "").strip(),
        link=str(link).strip(),
        title=str(e.get("title") or ""),
        author=str(e.get("author") or ""),
        summary_html=str(e.get("summary") or ""),
        content_html=_content(e),
        published=_utc(e.get("published_parsed") or e.get("created_parsed")),
        updated=_utc(e.get("updated_parsed")),
        language=_language(e),
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
    if parsed.get("bozo") or not parsed.get("version"):
        return None
    if len(parsed.entries) < len(_ENTRY_TAG.findall(body)):
        return None
    # feedparser-rs blanks links to loopback/private hosts (its own SSRF policy), which would lose the
    # URLs of intranet and local feeds that the operator allowed: let feedparser read those.
    for entry in parsed.entries:
        if any(not _field(link, "href") for link in entry.get("links", []) or []):
            return None
    return parsed


def _not_a_feed(body: bytes, headers: dict[str, str]) -> str:
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml") or _HTML_START.match(body[:4096]):
        return "not a feed: the server returned an HTML page"
    return f"not a feed: no RSS/Atom content found ({ctype or 'no content type'})"


def parse_feed(body: bytes | None, headers: dict[str, str] | None = None, *, url: str = "") -> ParsedFeed:
    """Parse a feed from its response bytes and (lower-case) response headers.

    `url` is only used as the base for relative links (never fetched).
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if not body or not body.strip():
        raise ParseError("not a feed: empty response body")
    body, headers = _to_utf8(body, headers)
    body, removed = neutralise_doctype(body)
    # No content-location: feedparser would resolve bare guids against it and the fast path does not,
    # which would change entry identities between the two paths. Relative links are joined in _entry.
    parsed = _parse_fast(body, headers) or feedparser.parse(io.BytesIO(body), response_headers=headers)
    entries = tuple(_entry(e, url) for e in parsed.entries)
    version = parsed.get("version") or ""
    if not version and not entries:
        raise ParseError(_not_a_feed(body, headers))
    warning = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        kind = type(exc).__name__ if exc is not None else "error"
        # A charset mismatch that feedparser recovered from is not worth a warning on the feed.
        if kind not in ("CharacterEncodingOverride",):
            detail = " ".join(str(exc).split())[:160] if exc is not None else ""
            warning = f"ill-formed feed, {len(entries)} entries recovered ({kind}: {detail})"
    if removed:
        warning = "DOCTYPE/ENTITY declarations removed" + (f"; {warning}" if warning else "")
    feed = parsed.get("feed", {})
    return ParsedFeed(
        title=" ".join(str(feed.get("title") or "").split()),
        site=str(feed.get("link") or ""),
        language=str(feed.get("language") or headers.get("content-language", "") or ""),
        version=version,
        entries=entries,
        warning=warning,
        entities_removed=removed,
    )
