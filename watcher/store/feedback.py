"""The DLM's judgements (`feedback`): one label per (article, profile)."""

from __future__ import annotations

from typing import NamedTuple

from watcher.db import Store


def record(store: Store, article_id: str, profile_key: str, label: int, user: str, created_at: str) -> bool:
    """Store (or replace) a judgement; False, nothing written, when the article does not exist."""
    if store.one("SELECT 1 FROM articles WHERE id = ?", (article_id,)) is None:
        return False
    with store.write() as conn:
        conn.execute(
            "INSERT INTO feedback(article_id, profile_key, label, user, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(article_id, profile_key) DO UPDATE SET label = excluded.label, user = excluded.user, "
            "created_at = excluded.created_at",
            (article_id, profile_key, label, user, created_at),
        )
    return True


def forget(store: Store, article_id: str, profile_key: str) -> bool:
    """Remove a judgement; False if there was none."""
    with store.write() as conn:
        cur = conn.execute("DELETE FROM feedback WHERE article_id = ? AND profile_key = ?", (article_id, profile_key))
    return cur.rowcount > 0


def labels(store: Store, profile_key: str) -> dict[str, int]:
    """article id → label (1 relevant, -1 irrelevant) of one profile."""
    return {r[0]: r[1] for r in store.query(
        "SELECT article_id, label FROM feedback WHERE profile_key = ?", (profile_key,))}


def summary(store: Store, profile_key: str) -> tuple:
    """(count, latest created_at, sum of labels) of one profile's judgements: changes with any judgement."""
    row = store.one("SELECT count(*), max(created_at), sum(label) FROM feedback WHERE profile_key = ?",
                    (profile_key,))
    return tuple(row) if row else ()


class Judgement(NamedTuple):
    article_id: str
    profile_key: str
    label: int
    user: str
    created_at: str


def judgements(store: Store) -> list[Judgement]:
    """Every judgement, of every profile, in the order first recorded."""
    return [Judgement(*r) for r in store.query(
        "SELECT article_id, profile_key, label, user, created_at FROM feedback ORDER BY id")]
