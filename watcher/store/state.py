"""The scoring run's small key/value memory (`scoring_state`): profile signatures, embedding recipes."""

from __future__ import annotations

from watcher.db import Store


def get(store: Store, key: str) -> str | None:
    return store.scalar("SELECT value FROM scoring_state WHERE key = ?", (key,))


def put(store: Store, key: str, value: str) -> None:
    """Set `key`; inside a caller's ``store.write()`` it joins that transaction."""
    with store.write() as conn:
        conn.execute(
            "INSERT INTO scoring_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
