"""Fixtures: the embedding model (loaded once per test session) and a helper to insert articles."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from config import clock


@pytest.fixture(scope="session")
def encoder():
    """The default offline model, loaded once for the whole session (scoring.model caches it too)."""
    from scoring.model import load_encoder

    return load_encoder()


def insert_articles(store, articles: list[dict], *, feed_url: str = "http://127.0.0.1/feed") -> list[str]:
    """Insert articles (watcher.store.feeds.ensure_feed, watcher.store.articles.insert_many) as the crawler
    would; returns their ids. An id already stored gets the new title, summary and content hash.

    Each dict needs `id` and `title`; optional: summary, language, url, published (ISO) or days_ago, feed_url.
    """
    from watcher.store import articles as article_store
    from watcher.store import feeds as feed_store
    from watcher.store.articles import ArticleRow

    now = clock.now()
    stamp = now.isoformat()
    with store.write():
        feed_ids = {url: feed_store.ensure_feed(store, url, title=url, added_at=stamp)
                    for url in {a.get("feed_url", feed_url) for a in articles}}
        rows = []
        for a in articles:
            published = a.get("published") or (now - timedelta(days=a.get("days_ago", 0))).isoformat(
                timespec="seconds")
            summary = a.get("summary", "")
            digest = hashlib.sha1(f"{a['title']}\n{summary}".encode()).hexdigest()
            rows.append(ArticleRow(a["id"], feed_ids[a.get("feed_url", feed_url)], published, digest, stamp, stamp,
                                   url=a.get("url"), title=a["title"], language=a.get("language", "en"),
                                   summary_text=summary))
        article_store.insert_many(store, rows)
    return [a["id"] for a in articles]


class CountingEncoder:
    """Wraps an Encoder and counts the article texts it embeds (to prove nothing is re-embedded)."""

    def __init__(self, inner):
        self.inner = inner
        self.passages = 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode_passages(self, texts, batch_size: int = 64):
        self.passages += len(texts)
        return self.inner.encode_passages(texts, batch_size=batch_size)

    def encode_queries(self, texts, batch_size: int = 64):
        return self.inner.encode_queries(texts, batch_size=batch_size)
