"""Learner profiles edited in the UI (`profile_overrides`): read side, as scoring uses them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from watcher.db import Store


@dataclass(frozen=True)
class ProfileOverride:
    """A stored profile: replaces the configuration's profile of the same key, or adds one."""

    key: str
    name: str
    description: str
    interests: tuple[str, ...]
    avoid: tuple[str, ...]
    updated_at: str
    updated_by: str


def _json_list(value: str) -> tuple[str, ...]:
    try:
        items = json.loads(value or "[]")
    except json.JSONDecodeError:
        return ()
    return tuple(str(i).strip() for i in items if str(i).strip()) if isinstance(items, list) else ()


def overrides(store: Store) -> list[ProfileOverride]:
    """Every stored profile, by key."""
    return [ProfileOverride(r["key"], r["name"], r["description"], _json_list(r["interests"]), _json_list(r["avoid"]),
                            r["updated_at"], r["updated_by"])
            for r in store.query("SELECT * FROM profile_overrides ORDER BY key")]


def save(store: Store, override: ProfileOverride) -> None:
    """Store (or replace) the profile of `override.key`."""
    with store.write() as conn:
        conn.execute(
            """INSERT INTO profile_overrides (key, name, description, interests, avoid, updated_at, updated_by)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET name = excluded.name, description = excluded.description,
                   interests = excluded.interests, avoid = excluded.avoid, updated_at = excluded.updated_at,
                   updated_by = excluded.updated_by""",
            (override.key, override.name, override.description, json.dumps(list(override.interests),
             ensure_ascii=False), json.dumps(list(override.avoid), ensure_ascii=False), override.updated_at,
             override.updated_by),
        )
