"""Keyword search over `articles_fts` (SQLite FTS5, columns title and summary_text).

A query is FTS5 syntax (phrases, prefixes, OR). A query the engine rejects raises ValueError, so a malformed
profile never stops scoring with an engine error.
"""

from __future__ import annotations

import sqlite3

from watcher.db import Store


def _query(store: Store, sql: str, params: tuple) -> list[tuple]:
    """Plain tuples, not sqlite3.Row: a query of a common word returns most of the store."""
    cursor = store.conn.cursor()
    cursor.row_factory = None
    try:
        return cursor.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        raise ValueError(f"keyword query rejected by FTS5: {exc}") from None
    finally:
        cursor.close()


def bm25(store: Store, query: str, title_weight: float) -> dict[str, float]:
    """article id → BM25 (higher is better, the title weighted `title_weight`) of every article matching."""
    rows = _query(store, "SELECT a.id, -bm25(articles_fts, ?, 1.0) FROM articles_fts "
                         "JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ?",
                  (title_weight, query))
    return {r[0]: float(r[1]) for r in rows}


def matches(store: Store, query: str) -> tuple[list[int], set[int]]:
    """(FTS rowids of every article matching `query`, those whose title matches): two index-only queries, with
    no join and no ranking function, so a common word costs little even at 100k articles."""
    anywhere = [r[0] for r in _query(store, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (query,))]
    if not anywhere:
        return [], set()
    in_title = {r[0] for r in _query(store, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
                                      (f"title : {query}",))}
    return anywhere, in_title


def article_ids(store: Store, rowids: set[int]) -> dict[int, str]:
    """rowid → article id, for the rowids `matches` returned (from the id index alone)."""
    if len(rowids) > 5000:  # one pass over the index beats thousands of lookups
        return {r: i for r, i in _query(store, "SELECT rowid, id FROM articles", ()) if r in rowids}
    out: dict[int, str] = {}
    ordered = sorted(rowids)
    for start in range(0, len(ordered), 900):  # SQLite's bound-parameter limit
        part = ordered[start:start + 900]
        out.update(_query(store, f"SELECT rowid, id FROM articles WHERE rowid IN ({','.join('?' * len(part))})",
                          tuple(part)))
    return out


def first_matches(store: Store, query: str, limit: int) -> list[str]:
    """Ids of the first `limit` articles matching the FTS5 `query` (in rowid order)."""
    return [r[0] for r in _query(store, "SELECT a.id FROM articles_fts f JOIN articles a ON a.rowid = f.rowid "
                                        "WHERE articles_fts MATCH ? LIMIT ?", (query, limit))]
