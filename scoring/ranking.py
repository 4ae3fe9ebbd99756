"""Reading stored scores back: a profile's top articles (for the CLI, the boards and the digest)."""

from __future__ import annotations

from scoring.records import RankedArticle
from watcher.db import Store


def top_articles(store: Store, profile_key: str, limit: int = 10, *, since: str | None = None) -> list[RankedArticle]:
    rows = store.query(
        "SELECT a.id, a.title, a.url, a.published, s.score, s.why, f.label FROM scores s "
        "JOIN articles a ON a.id = s.article_id "
        "LEFT JOIN feedback f ON f.article_id = s.article_id AND f.profile_key = s.profile_key "
        "WHERE s.profile_key = ? AND (? IS NULL OR a.published >= ?) "
        "ORDER BY s.score DESC, a.published DESC, a.id LIMIT ?",
        (profile_key, since, since, limit),
    )
    return [RankedArticle(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]
