"""Small key/value memory of the scoring run (`scoring_state` table): signatures, recipe versions."""

from __future__ import annotations

import hashlib
import json

from watcher.db import Store


def get(store: Store, key: str) -> str | None:
    return store.scalar("SELECT value FROM scoring_state WHERE key = ?", (key,))


def put(conn, key: str, value: str) -> None:
    """Inside a `store.write()` transaction."""
    conn.execute(
        "INSERT INTO scoring_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def signature(*parts) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
