"""Entry identity within a feed, stable article ids across feeds, and content hashes."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

from watcher.cleaner import canonical_url, html_to_text, sanitize_html, text_line
from watcher.parser import ParsedEntry


def _sha256(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")  # unit separator: ("ab", "c") and ("a", "bc") differ
    return h.hexdigest()


def base_key(entry: ParsedEntry) -> str:
    """guid, else canonical link, else a hash of title + summary + date."""
    if entry.guid:
        return entry.guid
    link = canonical_url(entry.link) or entry.link
    if link:
        return link
    date = entry.published.isoformat() if entry.published else ""
    # Text, not raw HTML: the two parser paths pre-clean HTML differently, the visible text is the same.
    text = html_to_text(sanitize_html(entry.summary_html or entry.content_html))
    return "sha256:" + _sha256(text_line(entry.title), " ".join(text.split()), date)


def entry_keys(entries: Sequence[ParsedEntry]) -> list[str]:
    """One key per entry. A guid used by several entries with different links is made unique by the link,
    so two distinct articles sharing a (broken) guid do not collapse into one."""
    keys = [base_key(e) for e in entries]
    guid_links: dict[str, set[str]] = {}
    for e in entries:
        if e.guid:
            guid_links.setdefault(e.guid, set()).add(canonical_url(e.link) or e.link)
    counts = Counter(keys)
    out = []
    for e, key in zip(entries, keys, strict=True):
        if e.guid and counts[key] > 1 and len(guid_links[e.guid]) > 1:
            key = f"{e.guid}|{canonical_url(e.link) or e.link}"
        out.append(key)
    return out


def article_id(canonical: str | None, feed_url: str, entry_key: str) -> str:
    """Stable id: from the canonical URL when there is one (so two feeds share the article), else feed + key."""
    if canonical:
        return _sha256("url", canonical)[:32]
    return _sha256("entry", feed_url, entry_key)[:32]


def content_hash(title: str, text: str, url: str | None) -> str:
    return _sha256(title, text, url or "")
