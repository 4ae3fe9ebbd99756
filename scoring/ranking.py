"""Reading stored scores back: a profile's top articles (for the CLI, the boards and the digest)."""

from __future__ import annotations

from scoring.records import RankedArticle
from watcher.db import Store
from watcher.store import scores


def top_articles(store: Store, profile_key: str, limit: int = 10, *, since: str | None = None) -> list[RankedArticle]:
    return scores.top(store, profile_key, limit, since=since)
