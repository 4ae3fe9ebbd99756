"""Managed trials of register cards and the documents attached to a card (DPIA, vendor contract, pilot report)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.db import Store


@dataclass(frozen=True)
class TrialRow:
    id: int
    tool_id: int
    tool: str
    owner: str
    review_on: str  # YYYY-MM-DD, a day in the configured zone
    kpi: str
    ltem_target: int
    profiles: tuple[str, ...]
    started_at: str
    started_by: str
    closed_at: str | None
    closed_by: str | None
    outcome: str | None  # met | partly | not_met
    result: str | None


@dataclass(frozen=True)
class DocumentRow:
    tool_id: int
    kind: str
    url: str
    title: str
    added_at: str
    added_by: str


_SELECT = "SELECT r.*, t.name AS tool FROM trials r JOIN tools t ON t.id = r.tool_id"


def _trial(row) -> TrialRow:
    return TrialRow(row["id"], row["tool_id"], row["tool"], row["owner"], row["review_on"], row["kpi"],
                    row["ltem_target"], tuple(json.loads(row["profiles"] or "[]")), row["started_at"],
                    row["started_by"], row["closed_at"], row["closed_by"], row["outcome"], row["result"])


def start(store: Store, tool_id: int, owner: str, review_on: str, kpi: str, ltem_target: int,
          profiles: Sequence[str], at: str, by: str) -> int:
    """Open a trial (joins a caller's ``store.write()``); its id."""
    with store.write() as conn:
        cur = conn.execute(
            "INSERT INTO trials (tool_id, owner, review_on, kpi, ltem_target, profiles, started_at, started_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (tool_id, owner, review_on, kpi, ltem_target, json.dumps(list(profiles), ensure_ascii=False), at, by))
    assert cur.lastrowid is not None
    return cur.lastrowid


def close(store: Store, trial_id: int, outcome: str, result: str, at: str, by: str) -> None:
    with store.write() as conn:
        conn.execute("UPDATE trials SET closed_at = ?, closed_by = ?, outcome = ?, result = ? WHERE id = ?",
                     (at, by, outcome, result, trial_id))


def open_trial(store: Store, tool_id: int) -> TrialRow | None:
    row = store.one(f"{_SELECT} WHERE r.tool_id = ? AND r.closed_at IS NULL ORDER BY r.id DESC LIMIT 1", (tool_id,))
    return _trial(row) if row else None


def of_tool(store: Store, tool_id: int) -> list[TrialRow]:
    """Every trial of a card, oldest first."""
    return [_trial(r) for r in store.query(f"{_SELECT} WHERE r.tool_id = ? ORDER BY r.id", (tool_id,))]


def open_trials(store: Store) -> list[TrialRow]:
    """Trials not closed yet, the earliest review first."""
    return [_trial(r) for r in store.query(f"{_SELECT} WHERE r.closed_at IS NULL ORDER BY r.review_on, t.name")]


def attach(store: Store, tool_id: int, kind: str, url: str, title: str, at: str, by: str) -> bool:
    """Attach a document by URL; False when that URL is already attached to the card."""
    with store.write() as conn:
        cur = conn.execute("INSERT OR IGNORE INTO tool_documents (tool_id, kind, url, title, added_at, added_by)"
                           " VALUES (?, ?, ?, ?, ?, ?)", (tool_id, kind, url, title, at, by))
    return cur.rowcount > 0


def documents(store: Store, tool_id: int) -> list[DocumentRow]:
    return [DocumentRow(r["tool_id"], r["kind"], r["url"], r["title"], r["added_at"], r["added_by"])
            for r in store.query("SELECT * FROM tool_documents WHERE tool_id = ? ORDER BY id", (tool_id,))]
