"""Feeds: add, remove, enable/disable, the config's and an OPML file's feeds, and the health fields a crawl
writes on each (status, validators, backoff, errors) with its fetch-log row.

Each fetched feed is written in one ``BEGIN IMMEDIATE`` transaction: its articles (watcher.store.articles),
its status and its fetch-log row (watcher.store.runs).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from config.errors import Message, NotFoundError, ValidationError, VeilleError, message_from_json, message_json, terms
from config.settings import SOURCE_KINDS
from watcher.cleaner import canonical_url, iso_utc, strip_invisible, utc_now
from watcher.db import Store
from watcher.records import Feed, FeedListing
from watcher.store import articles, runs

if TYPE_CHECKING:  # ingest pulls in the parsers: not needed by `feeds list` or the app
    from watcher.ingest import PreparedFeed


def _feed(row: sqlite3.Row) -> Feed:
    data = dict(row)
    try:
        topics = tuple(json.loads(data.pop("topics") or "[]"))
    except (ValueError, TypeError):
        topics = ()
    data["disabled"] = bool(data["disabled"])
    data["last_error_message"] = message_from_json(data.get("last_error_message"))
    return Feed(topics=topics, **{k: v for k, v in data.items() if k in Feed.__dataclass_fields__})


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")) or canonical_url(url) is None:
        raise ValidationError(f"{url!r}: a feed URL must be an http(s) URL", key="err.feed.url", url=url)
    return url


def get_feed(store: Store, url: str) -> Feed:
    row = store.one("SELECT * FROM feeds WHERE url = ?", (url.strip(),))
    if row is None:
        raise NotFoundError(f"no feed with URL {url!r} (see `veille feeds list`)", key="err.feed.not_found", feed=url)
    return _feed(row)


def find_feed(store: Store, url: str) -> Feed | None:
    row = store.one("SELECT * FROM feeds WHERE url = ?", (url.strip(),))
    return _feed(row) if row else None


def check_kind(kind: str, where: str = "kind") -> str:
    """The kind of source, normalised ('' = unknown); ValidationError naming the allowed ones otherwise."""
    value = (kind or "").strip().lower() or "unknown"
    if value not in SOURCE_KINDS:
        raise ValidationError(f"{where}: {kind!r} is not a kind of source (one of {', '.join(SOURCE_KINDS)})",
                              key="err.feed.kind", where=where, got=str(kind),
                              allowed=terms("source_kind", SOURCE_KINDS))
    return value


def add_feed(store: Store, url: str, *, title: str = "", site: str = "", topics: Iterable[str] = (),
             language: str = "", kind: str = "unknown") -> Feed:
    """Add a feed; it is due at the next crawl. Raises ValidationError for a bad or duplicate URL or kind."""
    url = _check_url(url)
    kind = check_kind(kind, url)
    if find_feed(store, url) is not None:
        raise ValidationError(f"{url}: feed already exists", key="err.feed.exists", url=url)
    with store.write() as conn:
        conn.execute(
            "INSERT INTO feeds (url, title, site, language, topics, added_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (url, " ".join(strip_invisible(title).split()), site.strip(), language.strip().lower(),
             json.dumps(list(topics)), iso_utc(utc_now()), kind),
        )
    return get_feed(store, url)


def set_feed_kind(store: Store, url: str, kind: str) -> Feed:
    """Say what kind of source a feed is (config.settings.SOURCE_KINDS)."""
    feed = get_feed(store, url)
    kind = check_kind(kind, feed.url)
    with store.write() as conn:
        conn.execute("UPDATE feeds SET kind = ? WHERE id = ?", (kind, feed.id))
    return get_feed(store, feed.url)


def import_feeds(store: Store, items, problems: list[Message] | None = None) -> tuple[int, int, list[str]]:
    """Add OPML items (watcher.opml.OpmlFeed): (added, skipped as already present, one-line errors).

    A bad item is reported and never stops the others. `problems`, when given, receives each error line as a
    catalogue message too (the app words them in its reader's language).
    """
    added = skipped = 0
    errors: list[str] = []
    said = problems if problems is not None else []
    for item in items:
        if find_feed(store, item.url) is not None:
            skipped += 1
            continue
        kind = item.kind
        try:
            check_kind(kind)
        except ValidationError:  # the feed is still added: only its kind is left unknown, and said
            errors.append(f"{item.url}: kind {kind!r} is not a kind of source (one of {', '.join(SOURCE_KINDS)}); "
                          "added as unknown")
            said.append(Message("err.opml.row_kind", {"url": item.url, "got": str(kind),
                                                      "allowed": terms("source_kind", SOURCE_KINDS)}))
            kind = "unknown"
        try:
            add_feed(store, item.url, title=item.title, site=item.site, topics=item.topics, language=item.language,
                     kind=kind)
            added += 1
        except VeilleError as exc:
            errors.append(str(exc))
            said.append(exc.message or Message("err.untranslated", {"text": str(exc)}))
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

    Topic and language hints of feeds already present are refreshed from the config, and so is the kind when the
    config names one (a kind left out of the config keeps what the user set). Returns the number added.
    """
    added = 0
    now = iso_utc(utc_now())
    with store.write() as conn:
        for fs in settings.feeds:
            topics = json.dumps(list(fs.topics))
            row = conn.execute("SELECT id, title FROM feeds WHERE url = ?", (fs.url,)).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO feeds (url, title, language, topics, added_at, kind) VALUES (?, ?, ?, ?, ?, ?)",
                    (fs.url, fs.title, fs.language.lower(), topics, now, fs.kind),
                )
                added += 1
            else:
                conn.execute(
                    """UPDATE feeds SET topics = ?, language = CASE WHEN ? != '' THEN ? ELSE language END,
                       title = CASE WHEN ? != '' THEN ? ELSE title END,
                       kind = CASE WHEN ? != 'unknown' THEN ? ELSE kind END WHERE id = ?""",
                    (topics, fs.language, fs.language.lower(), fs.title, fs.title, fs.kind, fs.kind, row["id"]),
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
            language=feed.language, kind=feed.kind, last_error_message=feed.last_error_message,
        ))
    return listings


def ensure_feed(store: Store, url: str, *, added_at: str, title: str = "", site: str = "", language: str = "",
                last_status: str = "new", last_fetched: str | None = None, next_check: str | None = None,
                error_count: int = 0, last_error: str | None = None) -> int:
    """The id of the feed at `url`, stored as given (no URL check, no canonicalisation) when there is none yet.

    For seeding a store without a crawl (the benchmark corpus, test fixtures): an existing feed is left as it is.
    """
    with store.write() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO feeds (url, title, site, language, added_at, last_status, last_fetched,"
            " next_check, error_count, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (url, title, site, language, added_at, last_status, last_fetched, next_check, error_count, last_error),
        )
        return conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()[0]


def count_feeds(store: Store) -> int:
    return store.scalar("SELECT COUNT(*) FROM feeds") or 0


def url_of(store: Store, feed_id: int) -> str | None:
    """The URL of the feed with that id (None when there is none)."""
    return store.scalar("SELECT url FROM feeds WHERE id = ?", (feed_id,))


def all_feeds(store: Store) -> list[Feed]:
    return [_feed(r) for r in store.query("SELECT * FROM feeds ORDER BY id")]


# --- per-feed outcomes --------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchOutcome:
    """What the crawler learned from one fetch, independent of the HTTP library."""

    http_status: int | None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    duration_ms: int | None = None


def save_fetched(store: Store, feed: Feed, prepared: PreparedFeed, fetch: FetchOutcome, *, run_id: int | None,
                 now: str, next_check: str) -> tuple[int, int]:
    """Store a parsed feed (articles, status, log) in one transaction. Returns (new, updated) articles."""
    with store.write() as conn:
        new, updated = articles.upsert_articles(conn, feed.id, prepared.drafts, now)
        conn.execute(
            """UPDATE feeds SET
                 title = CASE WHEN title = '' THEN ? ELSE title END,
                 site = CASE WHEN ? != '' THEN ? ELSE site END,
                 language = CASE WHEN language = '' THEN ? ELSE language END,
                 etag = ?, last_modified = ?, last_fetched = ?, last_status = 'ok', http_status = ?,
                 next_check = ?, error_count = 0, last_error = NULL, last_error_message = NULL, warning = ?,
                 moved_to = ?
               WHERE id = ?""",
            (prepared.title, prepared.site, prepared.site, prepared.language, fetch.etag, fetch.last_modified, now,
             fetch.http_status, next_check, prepared.warning, fetch.moved_to, feed.id),
        )
        runs.log_fetch(conn, run_id, feed.id, now, "ok", fetch, new, updated, prepared.warning)
    return new, updated


def save_not_modified_many(store: Store, items: list[tuple[Feed, FetchOutcome, str, str]], *,
                           run_id: int | None) -> None:
    """Record unchanged feeds (feed, fetch, now, next_check), many per transaction: a re-crawl is mostly 304s."""
    with store.write() as conn:
        for feed, fetch, now, next_check in items:
            conn.execute(
                """UPDATE feeds SET etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
                     last_fetched = ?, last_status = 'not_modified', http_status = ?, next_check = ?,
                     error_count = 0, last_error = NULL, last_error_message = NULL, moved_to = ? WHERE id = ?""",
                (fetch.etag, fetch.last_modified, now, fetch.http_status, next_check, fetch.moved_to, feed.id),
            )
            runs.log_fetch(conn, run_id, feed.id, now, "not_modified", fetch)


def save_failure(store: Store, feed: Feed, error: str, fetch: FetchOutcome, *, run_id: int | None, now: str,
                 next_check: str, disabled_reason: str | None = None, message: Message | None = None) -> None:
    """Record a failed fetch/parse on the feed: one-line error (and `message`, the same as a catalogue message,
    when the error had one), error count, backoff, maybe disabled."""
    error = " ".join(error.split())[:500]
    with store.write() as conn:
        conn.execute(
            """UPDATE feeds SET last_fetched = ?, last_status = 'error', http_status = ?, next_check = ?,
                 error_count = error_count + 1, last_error = ?, last_error_message = ?,
                 disabled = CASE WHEN ? IS NOT NULL THEN 1 ELSE disabled END,
                 disabled_reason = COALESCE(?, disabled_reason),
                 moved_to = COALESCE(?, moved_to)
               WHERE id = ?""",
            (now, fetch.http_status, next_check, error, message_json(message), disabled_reason, disabled_reason,
             fetch.moved_to, feed.id),
        )
        runs.log_fetch(conn, run_id, feed.id, now, "error", fetch, error=error)
