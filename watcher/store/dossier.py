"""The dossier's reads and writes: the articles naming a card (by FTS5 phrase), each with the kind of the source
that carried it, and the DLM's corrections of an article's stance towards a card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from watcher.db import Store


class Mention(NamedTuple):
    id: str
    url: str | None
    title: str
    summary: str
    published: str
    language: str
    source_kind: str  # the kind of the first feed that carried it (config.settings.SOURCE_KINDS)
    feed_title: str


def phrase_query(names: Sequence[str]) -> str:
    """An FTS5 query matching any of `names` as a whole phrase (quotes doubled, empty names left out)."""
    return " OR ".join('"' + " ".join(n.replace('"', '""').split()) + '"' for n in names if n.strip())


def mentions(store: Store, names: Sequence[str], limit: int = 2000) -> list[Mention]:
    """Articles whose title or summary holds one of `names` (whole words, case and accents ignored), newest
    first, at most `limit`."""
    query = phrase_query(names)
    if not query:
        return []
    rows = store.query("""
        SELECT a.id, a.url, a.title, a.summary_text, a.published, a.language,
               COALESCE(f.kind, 'unknown'), COALESCE(f.title, '')
        FROM articles_fts x
        JOIN articles a ON a.rowid = x.rowid
        LEFT JOIN feeds f ON f.id = (SELECT e.feed_id FROM entries e WHERE e.article_id = a.id
                                     ORDER BY e.first_seen, e.feed_id LIMIT 1)
        WHERE articles_fts MATCH ?
        ORDER BY a.published DESC, a.id LIMIT ?""", (query, limit))
    return [Mention(*tuple(r)) for r in rows]


def corrections(store: Store, tool_id: int) -> dict[str, str]:
    """article id → the stance the DLM set for this card."""
    return {r[0]: r[1] for r in store.query("SELECT article_id, stance FROM stance_corrections WHERE tool_id = ?",
                                              (tool_id,))}


def correct(store: Store, tool_id: int, article_id: str, stance: str | None, by: str, at: str) -> None:
    """Set (or with None, remove) the DLM's stance of an article towards a card."""
    with store.write() as conn:
        if stance is None:
            conn.execute("DELETE FROM stance_corrections WHERE tool_id = ? AND article_id = ?", (tool_id, article_id))
        else:
            conn.execute(
                "INSERT INTO stance_corrections (tool_id, article_id, stance, corrected_by, corrected_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tool_id, article_id) DO UPDATE SET stance = excluded.stance,"
                " corrected_by = excluded.corrected_by, corrected_at = excluded.corrected_at",
                (tool_id, article_id, stance, by, at))


class Corrected(NamedTuple):
    """A stance the DLM set, with the article's text and the kind of its source: a labelled example."""

    article_id: str
    title: str
    summary: str
    source_kind: str
    stance: str


def corrected_articles(store: Store) -> list[Corrected]:
    """Every stance correction of every card whose article is still stored, oldest first."""
    rows = store.query("""
        SELECT c.article_id, a.title, a.summary_text,
               COALESCE((SELECT f.kind FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE e.article_id = a.id
                         ORDER BY e.first_seen, e.feed_id LIMIT 1), 'unknown'), c.stance
        FROM stance_corrections c JOIN articles a ON a.id = c.article_id
        ORDER BY c.corrected_at, c.tool_id, c.article_id""")
    return [Corrected(*tuple(r)) for r in rows]
