"""JSON Feed 1.0 / 1.1 (https://jsonfeed.org) -> the same ParsedEntry records as RSS and Atom.

Parsed here rather than by feedparser-rs so the result does not depend on which XML parser is installed
(feedparser itself does not read JSON Feed). A JSON document that is not a JSON Feed is a ParseError.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from urllib.parse import urljoin

from config.errors import ParseError
from watcher.datetext import parse_date_text

VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")


def looks_like_json(body: bytes) -> bool:
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _str(value) -> str:
    """A JSON string member, stripped; anything else (numbers, booleans, objects) counts as absent."""
    return value.strip() if isinstance(value, str) else ""


def _id(value) -> str:
    """Item ids should be strings, but numbers are common enough to keep."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return _str(value)


def _date(value) -> datetime | None:
    text = _str(value)
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return parse_date_text(text)
    return dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)


def _author(obj: dict) -> str:
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [_str(a.get("name")) for a in authors if isinstance(a, dict)]
        if any(names):
            return ", ".join(n for n in names if n)
    author = obj.get("author")
    return _str(author.get("name")) if isinstance(author, dict) else ""


def _text_as_html(text: str) -> str:
    """Plain text -> escaped HTML paragraphs, so the cleaner treats it as text, never as markup."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def _absolute(link: str, base: str) -> str:
    if link and base and "://" not in link[:12]:
        return urljoin(base, link)
    return link


def parse_json_feed(body: bytes, url: str = ""):
    """Parse a JSON Feed document; raise ParseError for invalid JSON or JSON that is not a JSON Feed."""
    from watcher.parser import ParsedEntry, ParsedFeed  # parser imports this module

    try:
        doc = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not a feed: invalid JSON ({type(exc).__name__})", key="err.parse.json",
                         detail=type(exc).__name__) from None
    version = _str(doc.get("version")) if isinstance(doc, dict) else ""
    if not version.startswith(VERSION_PREFIXES) or not isinstance(doc.get("items", []), list):
        raise ParseError("not a feed: a JSON document that is not a JSON Feed", key="err.parse.not_json_feed")
    site = _str(doc.get("home_page_url"))
    base = _absolute(site, url) or url
    feed_author = _author(doc)
    entries = []
    skipped = 0
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            skipped += 1
            continue
        content_html = _str(item.get("content_html"))
        if not content_html and _str(item.get("content_text")):
            content_html = _text_as_html(_str(item.get("content_text")))
        summary = _str(item.get("summary"))
        entries.append(ParsedEntry(
            guid=_id(item.get("id")),
            link=_absolute(_str(item.get("url")) or _str(item.get("external_url")), base),
            title=html.escape(_str(item.get("title")), quote=False),
            author=html.escape(_author(item) or feed_author, quote=False),
            summary_html=_text_as_html(summary) if summary else "",
            content_html=content_html,
            published=_date(item.get("date_published")),
            updated=_date(item.get("date_modified")),
            language=_str(item.get("language")),
        ))
    major = version.rstrip("/").rsplit("/", 1)[-1].replace(".", "")
    warning = f"{skipped} JSON Feed items that are not objects were skipped" if skipped else None
    return ParsedFeed(
        title=" ".join(_str(doc.get("title")).split()),
        site=site,
        language=_str(doc.get("language")),
        version=f"json{major}",
        entries=tuple(entries),
        warning=warning,
    )
