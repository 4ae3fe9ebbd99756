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
    """Insert articles (raw INSERT into feeds/articles) as the crawler would; returns their ids.

    Each dict needs `id` and `title`; optional: summary, language, url, published (ISO) or days_ago, feed_url.
    """
    now = clock.now()
    with store.write() as conn:
        feed_ids = {}
        for url in {a.get("feed_url", feed_url) for a in articles}:
            conn.execute("INSERT OR IGNORE INTO feeds(url, title, added_at) VALUES (?, ?, ?)",
                         (url, url, now.isoformat()))
            feed_ids[url] = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()[0]
        for a in articles:
            published = a.get("published") or (now - timedelta(days=a.get("days_ago", 0))).isoformat(
                timespec="seconds")
            summary = a.get("summary", "")
            digest = hashlib.sha1(f"{a['title']}\n{summary}".encode()).hexdigest()
            conn.execute(
                "INSERT INTO articles(id, feed_id, url, title, published, language, summary_text, content_hash, "
                "first_seen, last_changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET title = excluded.title, summary_text = excluded.summary_text, "
                "content_hash = excluded.content_hash, last_changed = excluded.last_changed",
                (a["id"], feed_ids[a.get("feed_url", feed_url)], a.get("url"), a["title"], published,
                 a.get("language", "en"), summary, digest, now.isoformat(), now.isoformat()),
            )
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
