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


def matches(store: Store, query: str) -> list[tuple[str, int]]:
    """(article id, 1 if the title matches else 0) of every article matching `query`."""
    # bm25 with the body column weighted 0 is non-zero exactly when the title matches
    return _query(store, "SELECT a.id, bm25(articles_fts, 1.0, 0.0) != 0 FROM articles_fts "
                         "JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ?", (query,))
