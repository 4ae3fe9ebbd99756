"""Sources: feed health, add/remove/enable, OPML import/export, crawl now, scheduler job runs.

Feed writes go through the crawler's own functions (`watcher.store.feeds`, `watcher.opml`) so the UI and
`veille feeds …` behave the same. A feed is named by its id or its URL.

The page's Crawl now runs as a background job (`start_crawl`, see ui/services/background.py): the page polls
`crawl_status()` for its progress, then shows `crawl_result()`, the outcome in words in the reader's language.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from config.errors import CrawlBusyError, Message, NotFoundError
from ui.services.background import JOBS, JobStatus
from ui.services.context import ServiceContext, require_editor
from ui.services.records import JobRun, OpmlImportResult
from watcher.records import CrawlSummary, FeedListing

CRAWL_JOB = "crawl:ui"  # recorded in job_runs as `crawl`, like the scheduler's crawl
LISTED_FAILURES = 5  # failing feeds named in the result; the others are counted
ERROR_CHARS = 200  # one failure's error, cut to this length
RECORD_WAIT_SECONDS = 5.0  # a finished job's thread still writes its job_runs row: at most this long


def feed_health(ctx: ServiceContext) -> list[FeedListing]:
    """Every feed with its crawl status; failing feeds first, then by title."""
    from watcher.store import feeds as feed_store

    feeds = feed_store.list_feeds(ctx.store)
    return sorted(feeds, key=lambda f: f.status not in ("error", "disabled"))  # stable: title order kept


def _feed_url(ctx: ServiceContext, feed: int | str) -> str:
    if isinstance(feed, int) or (isinstance(feed, str) and feed.isdigit()):
        from watcher.store import feeds as feed_store

        url = feed_store.url_of(ctx.store, int(feed))
        if url is None:
            raise NotFoundError(f"feed {feed}: not found", key="err.feed.not_found", feed=str(feed))
        return url
    return str(feed)


def get_feed(ctx: ServiceContext, feed: int | str) -> FeedListing:
    from watcher.store import feeds as feed_store

    found = feed_store.list_feeds(ctx.store, url=_feed_url(ctx, feed))
    if not found:
        raise NotFoundError(f"feed {feed!r}: not found", key="err.feed.not_found", feed=str(feed))
    return found[0]


def add_feed(ctx: ServiceContext, url: str, title: str = "", topics: tuple[str, ...] = (),
             language: str = "") -> FeedListing:
    """Add a feed (editor) without fetching it; it is fetched at the next crawl. The page uses `add_checked_feed`."""
    require_editor(ctx.user)
    from watcher.store import feeds as feed_store

    feed = feed_store.add_feed(ctx.store, url, title=title, topics=topics, language=language)
    return get_feed(ctx, feed.url)


@dataclass(frozen=True)
class FeedCheck:
    """A test fetch of a feed before it is added. `problem`: "" (a feed), "not_a_feed" or "unreachable";
    `error` the one line behind it (English) and `reason` the same as a catalogue message (worded in the
    reader's language by `check_sentence`); `entries` and `title` what the parser found."""

    url: str
    problem: str
    error: str = ""
    entries: int = 0
    title: str = ""
    reason: Message | None = None


def probe_feed(settings, url: str) -> FeedCheck:
    """Fetch `url` once through the crawler's fetcher (same guard, limits and timeout) and parse it."""
    import asyncio

    from config.errors import FetchError, ParseError
    from watcher.fetcher import Fetcher
    from watcher.parser import parse_feed

    async def get():
        async with Fetcher(settings.crawler) as fetcher:
            return await fetcher.fetch(url)

    try:
        fetched = asyncio.run(get())
    except FetchError as exc:
        return FeedCheck(url, "unreachable", " ".join(str(exc).split()), reason=exc.message)
    try:
        parsed = parse_feed(fetched.body, fetched.headers, url=fetched.final_url)
    except ParseError as exc:
        return FeedCheck(url, "not_a_feed", " ".join(str(exc).split()), reason=exc.message)
    return FeedCheck(url, "", entries=len(parsed.entries), title=parsed.title)


def add_checked_feed(ctx: ServiceContext, url: str, title: str = "", topics: tuple[str, ...] = (),
                     language: str = "", kind: str = "unknown") -> FeedCheck:
    """Test-fetch `url`, then add it (editor) only when it is a feed; the check says why not otherwise.
    A bad or duplicate URL raises ValidationError before anything is fetched."""
    require_editor(ctx.user)
    from config.errors import ValidationError
    from watcher.cleaner import canonical_url
    from watcher.store import feeds as feed_store

    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")) or canonical_url(url) is None:
        raise ValidationError(f"{url!r}: a feed URL must be an http(s) URL", key="err.feed.url",
                              url=url)  # as feed_store.add_feed says
    if feed_store.find_feed(ctx.store, url) is not None:
        raise ValidationError(f"{url}: feed already exists", key="err.feed.exists", url=url)
    kind = feed_store.check_kind(kind, url)
    check = probe_feed(ctx.settings, url)
    if not check.problem:
        feed_store.add_feed(ctx.store, url, title=title or check.title, topics=topics, language=language, kind=kind)
    return check


def set_kind(ctx: ServiceContext, feed: int | str, kind: str) -> FeedListing:
    """Say what kind of source a feed is (editor)."""
    require_editor(ctx.user)
    from watcher.store import feeds as feed_store

    url = _feed_url(ctx, feed)
    feed_store.set_feed_kind(ctx.store, url, kind)
    return get_feed(ctx, url)


def check_sentence(check: FeedCheck, lang: str = "en", escape: Callable[[str], str] = str) -> str:
    """A feed check in one line: plain text (URLs and errors in it), or with `escape` (ui.safe.md) around each
    of them for Markdown, the sentence's own words and French typography left as they are."""
    from ui.i18n import message_text, translate

    if check.problem:
        error = (message_text(check.reason, lang, escape) if check.reason is not None else "") or escape(check.error)
        return translate(f"sources.{check.problem}", lang, url=escape(check.url), error=error)
    return translate("sources.added_checked", lang, url=escape(check.url),
                     entries=_plural("sources.entries", check.entries, lang))


def opml_sentence(result: OpmlImportResult, lang: str = "en") -> str:
    """An OPML import in words: "OPML imported: 3 feeds added, 1 already present, 1 refused." """
    from ui.i18n import translate

    parts = [_plural("sources.opml_added", result.added, lang)]
    if result.skipped:
        parts.append(_plural("sources.opml_skipped", result.skipped, lang))
    if result.errors:
        parts.append(_plural("sources.opml_errors", len(result.errors), lang))
    return translate("sources.opml_sentence", lang, parts=", ".join(parts))


def remove_feed(ctx: ServiceContext, feed: int | str, *, delete_articles: bool = True) -> int:
    """Remove a feed (editor). With delete_articles, the articles only it carries go too (returns how many);
    without, the feed is disabled instead so its articles stay available as evidence (returns 0)."""
    require_editor(ctx.user)
    from watcher.store import feeds as feed_store

    url = _feed_url(ctx, feed)
    if delete_articles:
        return feed_store.remove_feed(ctx.store, url)
    feed_store.set_feed_enabled(ctx.store, url, False, reason=f"removed by {ctx.user.name}; articles kept")
    return 0


def set_enabled(ctx: ServiceContext, feed: int | str, enabled: bool) -> FeedListing:
    """Enable (errors cleared, due now) or disable a feed (editor)."""
    require_editor(ctx.user)
    from watcher.store import feeds as feed_store

    url = _feed_url(ctx, feed)
    feed_store.set_feed_enabled(ctx.store, url, enabled, reason=f"disabled by {ctx.user.name}")
    return get_feed(ctx, url)


def import_opml(ctx: ServiceContext, data: bytes, source: str = "OPML") -> OpmlImportResult:
    """Add the feeds of an OPML file (editor); existing or bad ones are reported, never stop the rest."""
    require_editor(ctx.user)
    from watcher.opml import read_opml
    from watcher.store import feeds as feed_store

    problems: list[Message] = []
    added, skipped, errors = feed_store.import_feeds(ctx.store, read_opml(data, source), problems)
    errors = [f"{source}: {e}" for e in errors]
    said = tuple(Message("err.opml.row", {"source": source, "reason": p}) for p in problems)
    return OpmlImportResult(added=added, skipped=skipped, errors=tuple(errors), problems=said)


def export_opml(ctx: ServiceContext) -> str:
    from watcher.opml import to_opml
    from watcher.store import feeds as feed_store

    return to_opml(feed_store.all_feeds(ctx.store))


def crawl_now(ctx: ServiceContext, all_feeds: bool = True) -> dict:
    """Fetch feeds now, on this thread (editor; CLI and tests); returns the crawl summary. The page uses
    `start_crawl`. Scoring runs with the next scheduled `update`. CrawlBusyError when another crawl runs."""
    require_editor(ctx.user)
    from watcher.crawler import crawl

    summary = crawl(ctx.settings, ctx.store, all_feeds=all_feeds, trigger="ui").as_dict()
    return summary


# --- Crawl now in the background ------------------------------------------------------------------


@dataclass(frozen=True)
class CrawlResult:
    """A finished Crawl now as the page shows it.

    `level`: success (every feed fetched), warning (some failed, named in `message`), info (skipped: another
    crawl held the lock) or error (the crawl itself failed). `message` is plain text holding feed URLs and
    errors: Markdown needs ui.safe.md around it.
    """

    level: str
    message: str
    summary: CrawlSummary | None = None


_outcomes: dict[str, CrawlSummary | CrawlBusyError] = {}  # the last crawl job's outcome, worded per reader


def _plural(key: str, n: int, lang: str) -> str:
    from ui.i18n import translate

    one = n == 1 if lang == "en" else n < 2  # French: 0 and 1 take the singular
    return translate(f"{key}.{'one' if one else 'other'}", lang, n=n)


def crawl_sentence(summary: CrawlSummary, lang: str = "en") -> str:
    """The crawl's result in words (plain text): "12 feeds: 9 updated (31 new articles), 2 unchanged, 1 failed:
    <url>: <error>"; French with its typography ("12 flux : 9 mis à jour (…), 2 inchangés, 1 en échec : …")."""
    from ui.i18n import translate

    if not summary.feeds:
        return translate("sources.crawl_nothing", lang)
    articles = ""
    if summary.ok or summary.new_articles or summary.updated_articles:
        parts = [_plural("sources.crawl_new", summary.new_articles, lang)]
        if summary.updated_articles:
            parts.append(_plural("sources.crawl_edited", summary.updated_articles, lang))
        articles = f" ({', '.join(parts)})"
    text = translate("sources.crawl_summary", lang, feeds=_plural("sources.crawl_feeds", summary.feeds, lang),
                     updated=summary.ok, articles=articles,
                     unchanged=_plural("sources.crawl_unchanged", summary.not_modified, lang),
                     failed=summary.failed)
    if not summary.failures:
        return text
    named = []
    for url, error in summary.failures[:LISTED_FAILURES]:
        error = " ".join(str(error).split())
        if len(error) > ERROR_CHARS:
            error = error[:ERROR_CHARS - 1].rstrip() + "…"
        named.append(translate("sources.crawl_failure", lang, url=url, error=error))
    listed = translate("sources.crawl_failure_sep", lang).join(named)
    if len(summary.failures) > LISTED_FAILURES:
        listed += translate("sources.crawl_failure_sep", lang) + translate(
            "sources.crawl_more", lang, n=len(summary.failures) - LISTED_FAILURES)
    return translate("sources.crawl_failures", lang, summary=text, failures=listed)


def busy_sentence(busy: CrawlBusyError, lang: str = "en") -> str:
    from ui.i18n import translate

    return translate("sources.crawl_busy", lang, pid=busy.pid or "?")


def start_crawl(ctx: ServiceContext, all_feeds: bool = True, *, lang: str | None = None) -> JobStatus:
    """Crawl now in a background job (editor) and return its status at once; while one runs, a second start
    returns the running one. The job's message (and its job_runs row) is the result in words in `lang` (the
    starter's language by default). A crawl already holding the crawl lock (`veille crawl`, the scheduler)
    makes this one a skip, said in words too: `crawl_result()` gives it as info."""
    require_editor(ctx.user)
    from ui.i18n import current_language

    settings = ctx.settings
    lang = lang or current_language()  # read here: the job's thread has no Streamlit session

    def work(store, progress) -> tuple[str, dict]:
        from watcher.crawler import crawl

        try:  # crawl's progress is (stage, done, total): the runner's own shape
            summary = crawl(settings, store, all_feeds=all_feeds, trigger="ui", progress=progress)
        except CrawlBusyError as busy:
            _outcomes[CRAWL_JOB] = busy
            return busy_sentence(busy, lang), {"job": CRAWL_JOB, "skipped": str(busy)}
        _outcomes[CRAWL_JOB] = summary
        # job_runs keeps the figures, like the scheduler's crawl (the Sources page words them for its reader)
        return crawl_sentence(summary, lang), {"job": CRAWL_JOB, **summary.figures()}

    current = JOBS.status(CRAWL_JOB)
    if current is None or not current.running:
        _outcomes.pop(CRAWL_JOB, None)
    return JOBS.start(CRAWL_JOB, "crawl", settings.database_path, work)


def crawl_status() -> JobStatus | None:
    """The page's crawl job: running (progress: `done` of `total` feeds), done or failed; None when there is
    none (or its result was shown). Once it has ended, its job_runs row is written when this returns."""
    status = JOBS.status(CRAWL_JOB)
    if status is not None and not status.running:
        JOBS.wait(CRAWL_JOB, RECORD_WAIT_SECONDS)  # the thread records the run just after the state changes
    return status


def crawl_result(lang: str | None = None) -> CrawlResult | None:
    """The finished crawl job in words, in `lang` (the session's language by default); None while it runs."""
    status = crawl_status()
    if status is None or status.running:
        return None
    if lang is None:
        from ui.i18n import current_language

        lang = current_language()
    outcome = _outcomes.get(CRAWL_JOB)
    if status.state != "done" or outcome is None:
        from ui.i18n import message_text, translate

        reason = message_text(status.error, lang) if status.error is not None else ""
        return CrawlResult("error", translate("sources.crawl_failed", lang, error=reason or status.message))
    if isinstance(outcome, CrawlBusyError):
        return CrawlResult("info", busy_sentence(outcome, lang))
    return CrawlResult("warning" if outcome.failures or outcome.failed else "success",
                       crawl_sentence(outcome, lang), outcome)


def wait_crawl(timeout: float | None = None) -> JobStatus | None:
    """Block until the crawl job ends (tests, scripts); its last status."""
    return JOBS.wait(CRAWL_JOB, timeout)


def forget_crawl() -> None:
    """Drop the finished crawl's result once the page has shown it."""
    status = JOBS.status(CRAWL_JOB)
    JOBS.forget(CRAWL_JOB)
    if status is not None and not status.running:
        _outcomes.pop(CRAWL_JOB, None)


def job_runs(ctx: ServiceContext, limit: int = 20) -> list[JobRun]:
    from watcher.store import runs

    out = []
    for r in runs.recent_job_runs(ctx.store, limit):
        try:
            counts = json.loads(r.counts or "{}")
        except json.JSONDecodeError:
            counts = {}
        out.append(JobRun(id=r.id, job=r.job, started=r.started, finished=r.finished,
                          status=r.status, counts=counts, error=r.error, error_message=r.error_message))
    return out
