"""All SQL of the watcher for feeds, articles, entries, crawl runs, the fetch log and tombstones.

Each fetched feed is written in one ``BEGIN IMMEDIATE`` transaction: its articles, its status and its
fetch-log row. An article is stored once (id from its canonical URL); every feed that carries it gets
an ``entries`` row. Unchanged articles (same content hash) are not rewritten.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from config.errors import NotFoundError, ValidationError, VeilleError
from watcher.cleaner import canonical_url, iso_utc, strip_invisible, utc_now
from watcher.db import Store
from watcher.records import CrawlSummary, Feed, FeedListing

if TYPE_CHECKING:  # ingest pulls in the parsers: not needed by `feeds list` or the app
    from watcher.ingest import ArticleDraft, PreparedFeed

# --- feeds --------------------------------------------------------------------------------------


def _feed(row: sqlite3.Row) -> Feed:
    data = dict(row)
    try:
        topics = tuple(json.loads(data.pop("topics") or "[]"))
    except (ValueError, TypeError):
        topics = ()
    data["disabled"] = bool(data["disabled"])
    return Feed(topics=topics, **{k: v for k, v in data.items() if k in Feed.__dataclass_fields__})


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")) or canonical_url(url) is None:
        raise ValidationError(f"{url!r}: a feed URL must be an http(s) URL")
    return url


def get_feed(store: Store, url: str) -> Feed:
    row = store.one("SELECT * FROM feeds WHERE url = ?", (url.strip(),))
    if row is None:
        raise NotFoundError(f"no feed with URL {url!r} (see `veille feeds list`)")
    return _feed(row)


def find_feed(store: Store, url: str) -> Feed | None:
    row = store.one("SELECT * FROM feeds WHERE url = ?", (url.strip(),))
    return _feed(row) if row else None


def add_feed(store: Store, url: str, *, title: str = "", site: str = "", topics: Iterable[str] = (),
             language: str = "") -> Feed:
    """Add a feed; it is due at the next crawl. Raises ValidationError for a bad or duplicate URL."""
    url = _check_url(url)
    if find_feed(store, url) is not None:
        raise ValidationError(f"{url}: feed already exists")
    with store.write() as conn:
        conn.execute(
            "INSERT INTO feeds (url, title, site, language, topics, added_at) VALUES (?, ?, ?, ?, ?, ?)",
            (url, " ".join(strip_invisible(title).split()), site.strip(), language.strip().lower(),
             json.dumps(list(topics)), iso_utc(utc_now())),
        )
    return get_feed(store, url)



def import_feeds(store: Store, items) -> tuple[int, int, list[str]]:
    """Add OPML items (watcher.opml.OpmlFeed): (added, skipped as already present, one-line errors).

    A bad item is reported and never stops the others.
    """
    added = skipped = 0
    errors: list[str] = []
    for item in items:
        if find_feed(store, item.url) is not None:
            skipped += 1
            continue
        try:
            add_feed(store, item.url, title=item.title, site=item.site, topics=item.topics, language=item.language)
            added += 1
        except VeilleError as exc:
            errors.append(str(exc))
    return added, skipped, errors

def remove_feed(store: Store, url: str) -> int:
    """Remove a feed and the articles only it carries; articles shared with other feeds stay.

    Returns the number of articles deleted.
    """
    feed = get_feed(store, url)
    with store.write() as conn:
        # Hand shared articles over to another feed that carries them before the cascade runs.
        conn.execute(
            """UPDATE articles SET feed_id = (
                   SELECT MIN(e.feed_id) FROM entries e WHERE e.article_id = articles.id AND e.feed_id != :f)
               WHERE feed_id = :f AND EXISTS (
                   SELECT 1 FROM entries e WHERE e.article_id = articles.id AND e.feed_id != :f)""",
            {"f": feed.id},
        )
        deleted = conn.execute("SELECT COUNT(*) FROM articles WHERE feed_id = ?", (feed.id,)).fetchone()[0]
        conn.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
    return deleted


def set_feed_enabled(store: Store, url: str, enabled: bool, reason: str = "disabled by the user") -> Feed:
    """Enable (clears errors and makes the feed due now) or disable a feed."""
    feed = get_feed(store, url)
    with store.write() as conn:
        if enabled:
            conn.execute(
                """UPDATE feeds SET disabled = 0, disabled_reason = NULL, error_count = 0, next_check = NULL
                   WHERE id = ?""",
                (feed.id,),
            )
        else:
            conn.execute("UPDATE feeds SET disabled = 1, disabled_reason = ? WHERE id = ?", (reason, feed.id))
    return get_feed(store, url)


def sync_config_feeds(store: Store, settings) -> int:
    """Add the config file's feeds missing from the database (user-added feeds are never deleted).

    Topic and language hints of feeds already present are refreshed from the config. Returns the number added.
    """
    added = 0
    now = iso_utc(utc_now())
    with store.write() as conn:
        for fs in settings.feeds:
            topics = json.dumps(list(fs.topics))
            row = conn.execute("SELECT id, title FROM feeds WHERE url = ?", (fs.url,)).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO feeds (url, title, language, topics, added_at) VALUES (?, ?, ?, ?, ?)",
                    (fs.url, fs.title, fs.language.lower(), topics, now),
                )
                added += 1
            else:
                conn.execute(
                    """UPDATE feeds SET topics = ?, language = CASE WHEN ? != '' THEN ? ELSE language END,
                       title = CASE WHEN ? != '' THEN ? ELSE title END WHERE id = ?""",
                    (topics, fs.language, fs.language.lower(), fs.title, fs.title, row["id"]),
                )
    return added


def due_feeds(store: Store, now: str, *, all_feeds: bool = False) -> list[Feed]:
    """Enabled feeds whose next_check has come (all enabled feeds with `all_feeds`)."""
    if all_feeds:
        rows = store.query("SELECT * FROM feeds WHERE disabled = 0 ORDER BY id")
    else:
        rows = store.query(
            "SELECT * FROM feeds WHERE disabled = 0 AND (next_check IS NULL OR next_check <= ?) ORDER BY id", (now,)
        )
    return [_feed(r) for r in rows]


def list_feeds(store: Store, *, url: str | None = None) -> list[FeedListing]:
    """Every feed (or the one with `url`) with its status and how many articles it carries, by title."""
    where, params = ("WHERE f.url = ?", (url.strip(),)) if url is not None else ("", ())
    rows = store.query(
        f"""SELECT f.*, (SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id) AS n_articles
            FROM feeds f {where} ORDER BY f.title COLLATE NOCASE, f.url""",
        params,
    )
    listings = []
    for row in rows:
        feed = _feed(row)
        listings.append(FeedListing(
            id=feed.id, url=feed.url, title=feed.title, status=feed.status, last_fetched=feed.last_fetched,
            last_error=feed.last_error, error_count=feed.error_count, articles=row["n_articles"],
            next_check=feed.next_check, moved_to=feed.moved_to, disabled=feed.disabled,
            disabled_reason=feed.disabled_reason, warning=feed.warning, topics=list(feed.topics),
            language=feed.language,
        ))
    return listings


def count_feeds(store: Store) -> int:
    return store.scalar("SELECT COUNT(*) FROM feeds") or 0


def all_feeds(store: Store) -> list[Feed]:
    return [_feed(r) for r in store.query("SELECT * FROM feeds ORDER BY id")]


# --- crawl runs ---------------------------------------------------------------------------------


def start_run(store: Store, trigger: str, now: str) -> int:
    with store.write() as conn:
        run_id = conn.execute("INSERT INTO crawl_runs (started, trigger, status, pid) VALUES (?, ?, 'running', ?)",
                              (now, trigger, os.getpid())).lastrowid
    assert run_id is not None  # an INSERT sets it
    return run_id


def finish_run(store: Store, run_id: int, summary: CrawlSummary, now: str) -> None:
    with store.write() as conn:
        conn.execute(
            """UPDATE crawl_runs SET finished = ?, status = 'ok', feeds = ?, ok = ?, not_modified = ?, failed = ?,
               new_articles = ?, updated_articles = ? WHERE id = ?""",
            (now, summary.feeds, summary.ok, summary.not_modified, summary.failed, summary.new_articles,
             summary.updated_articles, run_id),
        )


def mark_interrupted_runs(store: Store, table: str, now: str) -> list[str]:
    """Mark every run of `table` (crawl_runs or job_runs) still `running` as `interrupted`, found at `now`.

    Call it only under the lock the writers of those runs hold (the crawl lock for crawl_runs, the serve
    lock for job_runs): then no live process owns such a run. Returns one line per run marked.
    """
    if table not in ("crawl_runs", "job_runs"):
        raise ValueError(table)
    lines = []
    with store.write() as conn:
        for row in conn.execute(f"SELECT * FROM {table} WHERE status = 'running' ORDER BY id").fetchall():
            by = f" by pid {row['pid']}" if row["pid"] else ""
            what = f"{row['job']} job run" if table == "job_runs" else "crawl run"
            lines.append(f"{what} {row['id']} started {row['started']}{by}: interrupted (found at {now})")
            conn.execute(f"UPDATE {table} SET status = 'interrupted', interrupted_at = ? WHERE id = ?",
                         (now, row["id"]))
            if table == "job_runs":
                pid = f" (pid {row['pid']})" if row["pid"] else ""
                conn.execute("UPDATE job_runs SET error = ? WHERE id = ?",
                             (f"found at {now}: its process{pid} ended before the run finished", row["id"]))
    return lines


# --- per-feed outcomes --------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchOutcome:
    """What the crawler learned from one fetch, independent of the HTTP library."""

    http_status: int | None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    duration_ms: int | None = None


def _log(conn: sqlite3.Connection, run_id: int | None, feed_id: int, now: str, outcome: str, fetch: FetchOutcome,
         new: int = 0, updated: int = 0, error: str | None = None) -> None:
    conn.execute(
        """INSERT INTO fetch_log (run_id, feed_id, at, outcome, http_status, new_articles, updated_articles, error,
           duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (run_id, feed_id, now, outcome, fetch.http_status, new, updated, error, fetch.duration_ms),
    )


def save_fetched(store: Store, feed: Feed, prepared: PreparedFeed, fetch: FetchOutcome, *, run_id: int | None,
                 now: str, next_check: str) -> tuple[int, int]:
    """Store a parsed feed (articles, status, log) in one transaction. Returns (new, updated) articles."""
    with store.write() as conn:
        new, updated = upsert_articles(conn, feed.id, prepared.drafts, now)
        conn.execute(
            """UPDATE feeds SET
                 title = CASE WHEN title = '' THEN ? ELSE title END,
                 site = CASE WHEN ? != '' THEN ? ELSE site END,
                 language = CASE WHEN language = '' THEN ? ELSE language END,
                 etag = ?, last_modified = ?, last_fetched = ?, last_status = 'ok', http_status = ?,
                 next_check = ?, error_count = 0, last_error = NULL, warning = ?, moved_to = ?
               WHERE id = ?""",
            (prepared.title, prepared.site, prepared.site, prepared.language, fetch.etag, fetch.last_modified, now,
             fetch.http_status, next_check, prepared.warning, fetch.moved_to, feed.id),
        )
        _log(conn, run_id, feed.id, now, "ok", fetch, new, updated, prepared.warning)
    return new, updated


def save_not_modified_many(store: Store, items: list[tuple[Feed, FetchOutcome, str, str]], *,
                           run_id: int | None) -> None:
    """Record unchanged feeds (feed, fetch, now, next_check), many per transaction: a re-crawl is mostly 304s."""
    with store.write() as conn:
        for feed, fetch, now, next_check in items:
            conn.execute(
                """UPDATE feeds SET etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
                     last_fetched = ?, last_status = 'not_modified', http_status = ?, next_check = ?,
                     error_count = 0, last_error = NULL, moved_to = ? WHERE id = ?""",
                (fetch.etag, fetch.last_modified, now, fetch.http_status, next_check, fetch.moved_to, feed.id),
            )
            _log(conn, run_id, feed.id, now, "not_modified", fetch)


def save_failure(store: Store, feed: Feed, error: str, fetch: FetchOutcome, *, run_id: int | None, now: str,
                 next_check: str, disabled_reason: str | None = None) -> None:
    """Record a failed fetch/parse on the feed: one-line error, error count, backoff, maybe disabled."""
    error = " ".join(error.split())[:500]
    with store.write() as conn:
        conn.execute(
            """UPDATE feeds SET last_fetched = ?, last_status = 'error', http_status = ?, next_check = ?,
                 error_count = error_count + 1, last_error = ?,
                 disabled = CASE WHEN ? IS NOT NULL THEN 1 ELSE disabled END,
                 disabled_reason = COALESCE(?, disabled_reason),
                 moved_to = COALESCE(?, moved_to)
               WHERE id = ?""",
            (now, fetch.http_status, next_check, error, disabled_reason, disabled_reason, fetch.moved_to, feed.id),
        )
        _log(conn, run_id, feed.id, now, "error", fetch, error=error)


# --- articles -----------------------------------------------------------------------------------


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


def _update_article(conn: sqlite3.Connection, article_id: str, d: ArticleDraft, now: str) -> None:
    conn.execute(
        """UPDATE articles SET url = ?, title = ?, author = ?, updated = COALESCE(?, ?),
             published = CASE WHEN ? THEN ? ELSE published END, language = ?, content_html = ?,
             summary_text = ?, content_hash = ?, last_changed = ?
           WHERE id = ?""",
        (d.url, d.title, d.author, d.updated, now, d.dated, d.published, d.language, d.content_html,
         d.summary_text, d.content_hash, now, article_id),
    )


def tombstone_article(store: Store, article_id: str) -> None:
    """Delete an article and remember its URL so later crawls do not bring it back."""
    with store.write() as conn:
        row = conn.execute("SELECT url FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r}")
        conn.execute(
            "INSERT OR REPLACE INTO tombstones (url, article_id, removed_at) VALUES (?, ?, ?)",
            (row["url"] or f"article:{article_id}", article_id, iso_utc(utc_now())),
        )
        conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))


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
