"""Prune articles older than `[retention] max_age_days`, keeping what people rely on.

Kept whatever their age: saved articles (`article_state.saved_at`), articles cited as evidence in the
tool register (`tool_evidence`) and articles carrying a relevance judgement (`feedback`, the scorer's
training data). Every pruned article leaves a tombstone (its URL, or `article:<id>`, the crawler's own
convention) so a feed still listing it does not bring it back. Each batch is its own transaction, and
a stop request is honoured between batches.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from config import clock
from watcher.cleaner import iso_utc

BATCH = 500


@dataclass
class RetentionSummary:
    cutoff: str = ""
    pruned: int = 0
    kept_saved: int = 0
    kept_tools: int = 0
    kept_feedback: int = 0
    batches: int = 0
    stopped: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


_OLD = "a.published < :cutoff"
_SAVED = "EXISTS (SELECT 1 FROM article_state s WHERE s.article_id = a.id AND s.saved_at IS NOT NULL)"
_TOOLS = "EXISTS (SELECT 1 FROM tool_evidence e WHERE e.article_id = a.id)"
_FEEDBACK = "EXISTS (SELECT 1 FROM feedback f WHERE f.article_id = a.id)"


def prune(settings, store, *, now: datetime | None = None, batch_size: int = BATCH,
          stop: threading.Event | None = None) -> RetentionSummary:
    now = now or clock.now()
    cutoff = iso_utc(now - timedelta(days=settings.retention.max_age_days))
    params = {"cutoff": cutoff}
    summary = RetentionSummary(cutoff=cutoff)
    summary.kept_saved = store.scalar(f"SELECT count(*) FROM articles a WHERE {_OLD} AND {_SAVED}", params)
    summary.kept_tools = store.scalar(f"SELECT count(*) FROM articles a WHERE {_OLD} AND {_TOOLS}", params)
    summary.kept_feedback = store.scalar(f"SELECT count(*) FROM articles a WHERE {_OLD} AND {_FEEDBACK}", params)
    removed_at = iso_utc(now)
    while True:
        if stop is not None and stop.is_set():
            summary.stopped = True
            break
        with store.write() as conn:
            rows = conn.execute(
                f"SELECT a.id, a.url FROM articles a WHERE {_OLD} AND NOT {_SAVED} AND NOT {_TOOLS} "
                f"AND NOT {_FEEDBACK} ORDER BY a.published LIMIT :limit",
                {**params, "limit": batch_size},
            ).fetchall()
            if not rows:
                break
            conn.executemany(
                "INSERT OR REPLACE INTO tombstones (url, article_id, removed_at) VALUES (?, ?, ?)",
                [(r["url"] or f"article:{r['id']}", r["id"], removed_at) for r in rows],
            )
            conn.executemany("DELETE FROM articles WHERE id = ?", [(r["id"],) for r in rows])
        summary.pruned += len(rows)
        summary.batches += 1
    return summary
