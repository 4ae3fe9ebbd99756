"""Sources: feed health, add/remove/enable, OPML import/export, crawl now, scheduler job runs.

Feed writes go through the crawler's own functions (`watcher.storage`, `watcher.opml`) so the UI and
`veille feeds …` behave the same. A feed is named by its id or its URL.
"""

from __future__ import annotations

import json

from config.errors import NotFoundError
from ui.services.context import ServiceContext, require_editor
from ui.services.records import JobRun, OpmlImportResult
from watcher.records import FeedListing


def feed_health(ctx: ServiceContext) -> list[FeedListing]:
    """Every feed with its crawl status; failing feeds first, then by title."""
    from watcher import storage

    feeds = storage.list_feeds(ctx.store)
    return sorted(feeds, key=lambda f: f.status not in ("error", "disabled"))  # stable: title order kept


def _feed_url(ctx: ServiceContext, feed: int | str) -> str:
    if isinstance(feed, int) or (isinstance(feed, str) and feed.isdigit()):
        url = ctx.store.scalar("SELECT url FROM feeds WHERE id = ?", (int(feed),))
        if url is None:
            raise NotFoundError(f"feed {feed}: not found")
        return url
    return str(feed)


def get_feed(ctx: ServiceContext, feed: int | str) -> FeedListing:
    from watcher import storage

    found = storage.list_feeds(ctx.store, url=_feed_url(ctx, feed))
    if not found:
        raise NotFoundError(f"feed {feed!r}: not found")
    return found[0]


def add_feed(ctx: ServiceContext, url: str, title: str = "", topics: tuple[str, ...] = (),
             language: str = "") -> FeedListing:
    """Add a feed (editor); it is fetched at the next crawl."""
    require_editor(ctx.user)
    from watcher import storage

    feed = storage.add_feed(ctx.store, url, title=title, topics=topics, language=language)
    return get_feed(ctx, feed.url)


def remove_feed(ctx: ServiceContext, feed: int | str, *, delete_articles: bool = True) -> int:
    """Remove a feed (editor). With delete_articles, the articles only it carries go too (returns how many);
    without, the feed is disabled instead so its articles stay available as evidence (returns 0)."""
    require_editor(ctx.user)
    from watcher import storage

    url = _feed_url(ctx, feed)
    if delete_articles:
        return storage.remove_feed(ctx.store, url)
    storage.set_feed_enabled(ctx.store, url, False, reason=f"removed by {ctx.user.name}; articles kept")
    return 0


def set_enabled(ctx: ServiceContext, feed: int | str, enabled: bool) -> FeedListing:
    """Enable (errors cleared, due now) or disable a feed (editor)."""
    require_editor(ctx.user)
    from watcher import storage

    url = _feed_url(ctx, feed)
    storage.set_feed_enabled(ctx.store, url, enabled, reason=f"disabled by {ctx.user.name}")
    return get_feed(ctx, url)


def import_opml(ctx: ServiceContext, data: bytes, source: str = "OPML") -> OpmlImportResult:
    """Add the feeds of an OPML file (editor); existing or bad ones are reported, never stop the rest."""
    require_editor(ctx.user)
    from watcher import storage
    from watcher.opml import read_opml

    added, skipped, errors = storage.import_feeds(ctx.store, read_opml(data, source))
    errors = [f"{source}: {e}" for e in errors]
    return OpmlImportResult(added=added, skipped=skipped, errors=tuple(errors))


def export_opml(ctx: ServiceContext) -> str:
    from watcher import storage
    from watcher.opml import to_opml

    return to_opml(storage.all_feeds(ctx.store))


def crawl_now(ctx: ServiceContext, all_feeds: bool = True) -> dict:
    """Fetch feeds now (editor); returns the crawl summary. Scoring runs with the next scheduled `update`."""
    require_editor(ctx.user)
    from watcher.crawler import crawl

    summary = crawl(ctx.settings, ctx.store, all_feeds=all_feeds, trigger="ui").as_dict()
    return summary


def job_runs(ctx: ServiceContext, limit: int = 20) -> list[JobRun]:
    rows = ctx.store.query("SELECT * FROM job_runs ORDER BY started DESC, id DESC LIMIT ?", (limit,))
    out = []
    for r in rows:
        try:
            counts = json.loads(r["counts"] or "{}")
        except json.JSONDecodeError:
            counts = {}
        out.append(JobRun(id=r["id"], job=r["job"], started=r["started"], finished=r["finished"],
                          status=r["status"], counts=counts, error=r["error"]))
    return out
