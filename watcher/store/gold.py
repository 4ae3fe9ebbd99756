"""Graded gold sets as a scratch store: their items become the articles of one feed, ids and texts as given.

(Evaluation and calibration only: these articles skip the crawler's ids, cleaning and dedup.)
"""

from __future__ import annotations

from collections.abc import Sequence

from watcher.db import Store
from watcher.records import ArticleText

DAY = "2024-01-01"


def add_articles(store: Store, articles: Sequence[ArticleText]) -> None:
    """The feed `gold:` (id 1) holding `articles`, each published at its `published` (or the first of 2024)."""
    with store.write() as conn:
        conn.execute("INSERT INTO feeds(id, url, title, added_at) VALUES (1, 'gold:', 'gold', ?)", (DAY,))
        conn.executemany(
            "INSERT INTO articles(id, feed_id, url, title, published, language, summary_text, content_hash, "
            "first_seen, last_changed) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(a.id, a.url, a.title, a.published or f"{DAY}T00:00:00+00:00", a.language, a.summary, a.content_hash,
              DAY, DAY) for a in articles],
        )
