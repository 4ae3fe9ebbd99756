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
from watcher.store import articles

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


def prune(settings, store, *, now: datetime | None = None, batch_size: int = BATCH,
          stop: threading.Event | None = None) -> RetentionSummary:
    now = now or clock.now()
    cutoff = iso_utc(now - timedelta(days=settings.retention.max_age_days))
    summary = RetentionSummary(cutoff=cutoff)
    summary.kept_saved, summary.kept_tools, summary.kept_feedback = articles.count_kept_old(store, cutoff)
    removed_at = iso_utc(now)
    while True:
        if stop is not None and stop.is_set():
            summary.stopped = True
            break
        pruned = articles.prune_old_batch(store, cutoff, batch_size, removed_at)
        if not pruned:
            break
        summary.pruned += pruned
        summary.batches += 1
    return summary
