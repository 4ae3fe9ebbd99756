"""Fetched body -> article drafts ready to store: parse, clean, identify.

This is the CPU-bound unit of a crawl, so it is a plain top-level function of picklable arguments
that the crawler can run in a process pool.
"""

from __future__ import annotations

from dataclasses import dataclass

from watcher import cleaner
from watcher.identity import article_id, content_hash, entry_keys
from watcher.parser import parse_feed


@dataclass(frozen=True)
class ArticleDraft:
    """One cleaned entry: what storage needs to insert or update an article and its entry row."""

    id: str
    entry_key: str
    url: str | None  # canonical
    title: str
    author: str
    published: str  # UTC ISO; first-seen time when the feed gave no date
    dated: bool  # False when `published` is the first-seen time
    updated: str | None
    language: str
    content_html: str  # sanitized
    summary_text: str  # plain text
    content_hash: str


@dataclass(frozen=True)
class PreparedFeed:
    title: str
    site: str
    language: str
    warning: str | None
    drafts: tuple[ArticleDraft, ...]


def prepare(body: bytes, headers: dict[str, str], feed_url: str, feed_language: str = "",
            now_iso: str | None = None) -> PreparedFeed:
    """Parse and clean one feed body. Raises ParseError when the body is not a feed."""
    now = cleaner.parse_iso(now_iso) if now_iso else cleaner.utc_now()
    parsed = parse_feed(body, headers, url=feed_url)
    language_hint = feed_language or parsed.language
    keys = entry_keys(parsed.entries)
    drafts: list[ArticleDraft] = []
    seen: set[str] = set()
    for entry, key in zip(parsed.entries, keys, strict=True):
        if key in seen:  # the same entry twice in one document
            continue
        seen.add(key)
        url = cleaner.canonical_url(entry.link)
        # relative links in the content lean on xml:base, else the article's address, else the feed's
        html = cleaner.sanitize_html(entry.content_html or entry.summary_html, base_url=entry.base or url or feed_url)
        text = cleaner.html_to_text(html)
        title = cleaner.text_line(entry.title) or text[:120]
        published, dated = cleaner.normalize_date(entry.published or entry.updated, now)
        updated = cleaner.normalize_date(entry.updated, now)[0] if entry.updated else None
        drafts.append(ArticleDraft(
            id=article_id(url, feed_url, key),
            entry_key=key,
            url=url,
            title=title,
            author=cleaner.text_line(entry.author, limit=200),
            published=published,
            dated=dated,
            updated=updated,
            language=cleaner.article_language(entry.language, language_hint, f"{title}\n{text}"),
            content_html=html,
            summary_text=text,
            content_hash=content_hash(title, text, url),
        ))
    return PreparedFeed(
        title=cleaner.text_line(parsed.title, limit=500),
        site=cleaner.canonical_url(parsed.site) or "",
        language=cleaner.normalize_language(parsed.language),
        warning=parsed.warning,
        drafts=tuple(drafts),
    )
