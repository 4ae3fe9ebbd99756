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
