"""Articles and their entries: the set-based upsert of a fetched feed, tombstones, the export rows.

An article is stored once (id from its canonical URL); every feed that carries it gets an ``entries`` row.
Unchanged articles (same content hash) are not rewritten. A pruned or removed article leaves a tombstone
(its URL, or `article:<id>`) so a feed still listing it does not bring it back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from watcher.db import Store

if TYPE_CHECKING:  # ingest pulls in the parsers: not needed by `feeds list` or the app
    from watcher.ingest import ArticleDraft


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _tombstoned(conn: sqlite3.Connection, drafts: list[ArticleDraft]) -> set[str]:
    """Ids of the drafts whose URL or id was pruned on purpose (never re-ingested)."""
    if conn.execute("SELECT NOT EXISTS (SELECT 1 FROM tombstones)").fetchone()[0]:
        return set()
    gone: set[str] = set()
    for chunk in _chunks(drafts):
        urls = {d.url: d.id for d in chunk if d.url}
        ids = {d.id for d in chunk}
        marks_u, marks_i = ",".join("?" * len(urls)), ",".join("?" * len(ids))
        for url, article_id in conn.execute(
            f"SELECT url, article_id FROM tombstones WHERE url IN ({marks_u}) OR article_id IN ({marks_i})",
            [*urls, *ids],
        ):
            if url in urls:
                gone.add(urls[url])
            if article_id in ids:
                gone.add(article_id)
    return gone


def upsert_articles(conn: sqlite3.Connection, feed_id: int, drafts: Iterable[ArticleDraft], now: str
                    ) -> tuple[int, int]:
    """Insert new articles, update changed ones, leave unchanged ones alone. Call inside a write transaction.

    Set-based (a few queries per feed, not per entry): the writer thread is the crawl's bottleneck.
    """
    drafts = list(drafts)
    gone = _tombstoned(conn, drafts)
    drafts = [d for d in drafts if d.id not in gone]
    known: dict[str, tuple[str, str | None]] = {}  # entry_key -> (article_id, content_hash)
    for chunk in _chunks(drafts):
        marks = ",".join("?" * len(chunk))
        for key, article_id, digest in conn.execute(
            f"""SELECT e.entry_key, e.article_id, a.content_hash FROM entries e
                LEFT JOIN articles a ON a.id = e.article_id
                WHERE e.feed_id = ? AND e.entry_key IN ({marks})""",
            [feed_id, *(d.entry_key for d in chunk)],
        ):
            known[key] = (article_id, digest)
    fresh = [d for d in drafts if d.entry_key not in known or known[d.entry_key][1] is None]
    existing: set[str] = set()
    for chunk in _chunks(fresh):
        marks = ",".join("?" * len(chunk))
        existing.update(r[0] for r in conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})",
                                                   [d.id for d in chunk]))
    new = updated = 0
    inserts, entries, seen = [], [], set()
    for d in drafts:
        article = known.get(d.entry_key)
        if article is not None and article[1] is not None:
            if article[1] != d.content_hash:
                _update_article(conn, article[0], d, now)
                updated += 1
            continue
        if d.id not in existing and d.id not in seen:
            seen.add(d.id)
            inserts.append((d.id, feed_id, d.url, d.title, d.author, d.published, d.updated, d.language,
                            d.content_html, d.summary_text, d.content_hash, now, now))
        entries.append((feed_id, d.entry_key, d.id, d.url, now))
    conn.executemany(
        """INSERT INTO articles (id, feed_id, url, title, author, published, updated, language, content_html,
             summary_text, content_hash, first_seen, last_changed)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        inserts,
    )
    new = len(inserts)
    conn.executemany(
        """INSERT INTO entries (feed_id, entry_key, article_id, url, first_seen) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (feed_id, entry_key) DO UPDATE SET article_id = excluded.article_id, url = excluded.url""",
        entries,
    )
    return new, updated


class ArticleRow(NamedTuple):
    """An article row as stored, for :func:`insert_many` (seeding a store without a crawl)."""

    id: str
    feed_id: int
    published: str
    content_hash: str
    first_seen: str
    last_changed: str
    url: str | None = None
    title: str = ""
    language: str = ""
    content_html: str = ""
    summary_text: str = ""
    cluster_id: str | None = None


class EntryRow(NamedTuple):
    """A feed's entry pointing at a stored article, for :func:`add_entries`."""

    feed_id: int
    entry_key: str
    article_id: str
    url: str | None
    first_seen: str


def insert_many(store: Store, rows: Sequence[ArticleRow]) -> None:
    """Insert these articles in one transaction (executemany: fast for 100k rows); an article already stored
    gets the row's title, summary, content hash and last_changed. No entries, no tombstone check."""
    with store.write() as conn:
        conn.executemany(
            "INSERT INTO articles (id, feed_id, url, title, published, language, content_html, summary_text,"
            " content_hash, first_seen, last_changed, cluster_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(id) DO UPDATE SET title = excluded.title, summary_text = excluded.summary_text,"
            " content_hash = excluded.content_hash, last_changed = excluded.last_changed",
            [(r.id, r.feed_id, r.url, r.title, r.published, r.language, r.content_html, r.summary_text,
              r.content_hash, r.first_seen, r.last_changed, r.cluster_id) for r in rows],
        )


def add_entries(store: Store, rows: Sequence[EntryRow]) -> None:
    """Insert these feed entries in one transaction (their articles must be stored)."""
    with store.write() as conn:
        conn.executemany("INSERT INTO entries (feed_id, entry_key, article_id, url, first_seen) VALUES (?,?,?,?,?)",
                         rows)


def _update_article(conn: sqlite3.Connection, article_id: str, d: ArticleDraft, now: str) -> None:
    conn.execute(
        """UPDATE articles SET url = ?, title = ?, author = ?, updated = COALESCE(?, ?),
             published = CASE WHEN ? THEN ? ELSE published END, language = ?, content_html = ?,
             summary_text = ?, content_hash = ?, last_changed = ?
           WHERE id = ?""",
        (d.url, d.title, d.author, d.updated, now, d.dated, d.published, d.language, d.content_html,
         d.summary_text, d.content_hash, now, article_id),
    )


# --- retention ----------------------------------------------------------------------------------

_OLD = "a.published < :cutoff"
_SAVED = "EXISTS (SELECT 1 FROM article_state s WHERE s.article_id = a.id AND s.saved_at IS NOT NULL)"
_TOOLS = "EXISTS (SELECT 1 FROM tool_evidence e WHERE e.article_id = a.id)"
_FEEDBACK = "EXISTS (SELECT 1 FROM feedback f WHERE f.article_id = a.id)"


def count_kept_old(store: Store, cutoff: str) -> tuple[int, int, int]:
    """Articles published before `cutoff` that retention keeps: (saved, cited as tool evidence, with feedback)."""
    params = {"cutoff": cutoff}
    kept_saved = store.scalar(f"SELECT count(*) FROM articles a WHERE {_OLD} AND {_SAVED}", params)
    kept_tools = store.scalar(f"SELECT count(*) FROM articles a WHERE {_OLD} AND {_TOOLS}", params)
    kept_feedback = store.scalar(f"SELECT count(*) FROM articles a WHERE {_OLD} AND {_FEEDBACK}", params)
    return kept_saved, kept_tools, kept_feedback


def prune_old_batch(store: Store, cutoff: str, limit: int, removed_at: str) -> int:
    """Delete up to `limit` articles published before `cutoff` (oldest first) that are neither saved, cited as
    tool evidence nor judged, each leaving a tombstone removed at `removed_at`; one transaction. How many."""
    params = {"cutoff": cutoff}
    with store.write() as conn:
        rows = conn.execute(
            f"SELECT a.id, a.url FROM articles a WHERE {_OLD} AND NOT {_SAVED} AND NOT {_TOOLS} "
            f"AND NOT {_FEEDBACK} ORDER BY a.published LIMIT :limit",
            {**params, "limit": limit},
        ).fetchall()
        if not rows:
            return 0
        conn.executemany(
            "INSERT OR REPLACE INTO tombstones (url, article_id, removed_at) VALUES (?, ?, ?)",
            [(r["url"] or f"article:{r['id']}", r["id"], removed_at) for r in rows],
        )
        conn.executemany("DELETE FROM articles WHERE id = ?", [(r["id"],) for r in rows])
    return len(rows)


# --- export -------------------------------------------------------------------------------------


def iter_export_rows(store: Store, since: str | None = None, batch: int = 500) -> Iterator[dict]:
    """Articles with their feed URL, topics and scores, streamed in batches ordered by publication date."""
    where, params = ("WHERE a.published >= ?", [since]) if since else ("", [])
    cursor = store.conn.execute(
        f"""SELECT a.id, a.url, a.title, f.url AS feed_url, a.published, a.language, a.summary_text, a.cluster_id
            FROM articles a JOIN feeds f ON f.id = a.feed_id {where} ORDER BY a.published, a.id""",
        params,
    )
    while True:
        rows = cursor.fetchmany(batch)
        if not rows:
            return
        ids = [r["id"] for r in rows]
        marks = ",".join("?" * len(ids))
        topics: dict[str, list[str]] = {}
        for t in store.query(
            f"SELECT article_id, topic_key FROM article_topics WHERE article_id IN ({marks}) "
            "ORDER BY article_id, score DESC", ids
        ):
            topics.setdefault(t["article_id"], []).append(t["topic_key"])
        scores: dict[str, dict[str, float]] = {}
        for s in store.query(
            f"SELECT article_id, profile_key, score FROM scores WHERE article_id IN ({marks}) ORDER BY profile_key",
            ids,
        ):
            scores.setdefault(s["article_id"], {})[s["profile_key"]] = round(float(s["score"]), 4)
        for r in rows:
            yield {
                "id": r["id"], "url": r["url"], "title": r["title"], "feed_url": r["feed_url"],
                "published": r["published"], "language": r["language"], "summary_text": r["summary_text"],
                "topics": topics.get(r["id"], []), "scores": scores.get(r["id"], {}), "cluster_id": r["cluster_id"],
            }


# --- counts -------------------------------------------------------------------------------------


def count(store: Store) -> int:
    """How many articles are stored."""
    return store.scalar("SELECT count(*) FROM articles") or 0


def count_by_feed(store: Store) -> dict[int, int]:
    """feed id → how many articles it owns (`articles.feed_id`; feeds without left out)."""
    return {r[0]: r[1] for r in store.query("SELECT feed_id, count(*) FROM articles GROUP BY feed_id")}


def entries_by_feed(store: Store) -> dict[int, int]:
    """feed id → how many articles it carries (its `entries` rows; feeds without left out)."""
    return {r[0]: r[1] for r in store.query("SELECT feed_id, count(*) FROM entries GROUP BY feed_id")}


def entries(store: Store, article_id: str | None = None) -> list[EntryRow]:
    """Every feed entry (of one article, when given), by feed then entry key."""
    return [EntryRow(*r) for r in store.query(
        "SELECT feed_id, entry_key, article_id, url, first_seen FROM entries WHERE (? IS NULL OR article_id = ?) "
        "ORDER BY feed_id, entry_key", (article_id, article_id))]


class Tombstone(NamedTuple):
    """What a removed or pruned article leaves: its URL (or `article:<id>`), its id, when."""

    url: str
    article_id: str | None
    removed_at: str


def tombstones(store: Store) -> list[Tombstone]:
    """Every tombstone, by URL."""
    return [Tombstone(*r) for r in store.query("SELECT url, article_id, removed_at FROM tombstones ORDER BY url")]


# --- reading rows back --------------------------------------------------------------------------


class StoredArticle(NamedTuple):
    """An article row as stored, every column."""

    id: str
    feed_id: int
    url: str | None
    title: str
    author: str
    published: str
    updated: str | None
    language: str
    content_html: str
    summary_text: str
    content_hash: str
    first_seen: str
    last_changed: str
    cluster_id: str | None


def stored(store: Store, *, feed_url: str | None = None) -> list[StoredArticle]:
    """The stored articles (only those the feed `feed_url` carries, when given), by publication date then id."""
    columns = ", ".join(f"a.{c}" for c in StoredArticle._fields)
    if feed_url is None:
        rows = store.query(f"SELECT {columns} FROM articles a ORDER BY a.published, a.id")
    else:
        rows = store.query(f"SELECT {columns} FROM articles a JOIN entries e ON e.article_id = a.id "
                           f"JOIN feeds f ON f.id = e.feed_id WHERE f.url = ? ORDER BY a.published, a.id",
                           (feed_url,))
    return [StoredArticle(*r) for r in rows]
