"""Crawl orchestration: due feeds -> fetch (async) -> parse/clean (process pool) -> store (main thread).

A failure of one feed is recorded on that feed (one-line error, error count, fetch-log row, backoff)
and never stops the others. Unchanged feeds cost one conditional request (304) and no parse.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from config.errors import FetchError, Message, ParseError
from watcher.cleaner import iso_utc, utc_now
from watcher.db import Store, open_store
from watcher.fetcher import Fetcher
from watcher.lifeline import Lifeline, worker_init
from watcher.records import CrawlSummary, Feed
from watcher.service_lock import crawl_lock
from watcher.store import feeds as feed_store
from watcher.store import runs as run_store
from watcher.store.feeds import FetchOutcome

if TYPE_CHECKING:  # the parsers load on the first body only: an all-304 crawl never needs them
    from watcher.ingest import PreparedFeed

Progress = Callable[[str, int, int], None]  # (stage, done, total), as in scoring

POOL_MIN_FEEDS = 48  # below this, parsing in-process is cheaper than starting worker processes (~1 s)
MAX_RETRY_AFTER = timedelta(days=7)


# --- schedule policy ----------------------------------------------------------------------------


def _interval(settings) -> timedelta:
    return timedelta(minutes=max(1, settings.schedule.crawl_every_minutes, settings.crawler.min_interval_minutes))


def _slack(interval: timedelta) -> timedelta:
    """A feed checked at the start of a run must be due again at the next scheduled run, not one later."""
    return min(interval / 10, timedelta(minutes=5))


def next_check_ok(settings, started: datetime) -> str:
    interval = _interval(settings)
    return iso_utc(started + interval - _slack(interval))


def backoff_delay(settings, failures: int, retry_after: float | None = None) -> timedelta:
    """Delay after `failures` consecutive failures: interval x 2^(failures-1), capped; at least Retry-After."""
    interval = _interval(settings)
    cap = timedelta(hours=settings.crawler.max_backoff_hours) if settings.crawler.max_backoff_hours else interval
    delay = min(interval * (2 ** min(max(failures - 1, 0), 30)), max(cap, interval)) - _slack(interval)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    return delay


# --- parsing ------------------------------------------------------------------------------------


def _workers(settings) -> int:
    return settings.crawler.parse_workers or os.cpu_count() or 1


def _make_pool(settings, n_feeds: int) -> ProcessPoolExecutor | None:
    workers = _workers(settings)
    if n_feeds < POOL_MIN_FEEDS or workers < 2:
        return None
    # forkserver: workers start from a clean process, not a fork of one running an event loop and threads.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["watcher.ingest"])
    # No warm-up task: the language model loads in a worker only if an entry needs detection (feeds
    # mostly declare their language), and a warm-up would hold each worker ~0.5 s before its first parse.
    return _ParsePool(workers, ctx)


class _ParsePool(ProcessPoolExecutor):
    """A process pool whose workers exit when this process dies, even by SIGKILL (watcher.lifeline)."""

    def __init__(self, workers: int, ctx):
        self._lifeline = Lifeline(ctx)
        super().__init__(max_workers=workers, mp_context=ctx, initializer=worker_init,
                         initargs=(self._lifeline.reader,))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        self._lifeline.close()  # after the join (wait=True); with wait=False it tells the workers to go


def _expects_bodies(feeds: list[Feed]) -> int:
    """Feeds with no validator (ETag/Last-Modified) to send: they answer 200 with a body to parse."""
    return sum(1 for feed in feeds if not feed.etag and not feed.last_modified)


UNCHANGED_BATCH = 64

# --- writing ------------------------------------------------------------------------------------


class _Writer:
    """One thread with its own connection does the crawl's writes, in order.

    sqlite releases the GIL while it works, so storing one feed overlaps fetching the next ones; on a
    first crawl the writes are about half of the event loop's time otherwise.
    """

    def __init__(self, store: Store):
        self.main = store
        self.own: Store | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="veille-write")

    def _store(self) -> Store:
        if str(self.main.path) == ":memory:":
            return self.main  # a second connection would see another database
        if self.own is None:
            self.own = open_store(self.main.path, check_same_thread=False)
        return self.own

    async def call(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(self._store(), *args, **kwargs))

    def close(self) -> None:
        def _close() -> None:
            if self.own is not None:
                self.own.close()
                self.own = None

        self.executor.submit(_close).result()
        self.executor.shutdown(wait=True)


# --- one feed -----------------------------------------------------------------------------------


class _Run:
    def __init__(self, settings, store: Store, feeds: list[Feed], run_id: int, started: datetime,
                 progress: Progress | None):
        self.settings = settings
        self.store = store
        self.writer = _Writer(store)
        self.unchanged: list = []  # 304s waiting to be recorded in one transaction
        self.feeds = feeds
        self.run_id = run_id
        self.started = started
        self.next_check = next_check_ok(settings, started)  # when a feed fetched fine in this run is due again
        self.progress = progress
        self.summary = CrawlSummary(run_id=run_id, feeds=len(feeds))
        self.pool: Executor | None = None
        self.pool_wanted = False  # started on the first body only: an all-304 crawl never pays for it
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="veille-parse")
        self.done = 0

    async def parse(self, body: bytes, headers: dict[str, str], feed: Feed, now: str) -> PreparedFeed:
        """Parse off the event loop (a process pool, else one thread) so fetches keep flowing meanwhile."""
        from watcher.ingest import prepare

        loop = asyncio.get_running_loop()
        if self.pool_wanted:
            self.pool_wanted = False
            self.pool = _make_pool(self.settings, len(self.feeds))
        if self.pool is not None:
            try:
                return await loop.run_in_executor(self.pool, prepare, body, headers, feed.url, feed.language, now)
            except BrokenProcessPool:
                self.pool = None  # a worker died (memory?): carry on in-process
        return await loop.run_in_executor(self.thread, prepare, body, headers, feed.url, feed.language, now)

    async def one(self, fetcher, feed: Feed) -> None:
        now = iso_utc(utc_now())
        try:
            result = await fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        except FetchError as exc:
            await self.fail(feed, str(exc), FetchOutcome(http_status=exc.status), now, exc.retry_after,
                            message=exc.message)
            return
        except Exception as exc:  # a bug or an unforeseen network error must not stop the batch
            detail = f"{type(exc).__name__}: {exc}"
            await self.fail(feed, f"unexpected error: {detail}", FetchOutcome(None), now,
                            message=Message("err.crawl.unexpected", {"detail": detail}))
            return
        outcome = FetchOutcome(
            http_status=result.status, etag=result.etag, last_modified=result.last_modified,
            moved_to=result.permanent_redirect, duration_ms=result.elapsed_ms,
        )
        if result.status == 304 or result.body is None:
            self.unchanged.append((feed, outcome, now, self.next_check))
            if len(self.unchanged) >= UNCHANGED_BATCH:
                await self.flush_unchanged()
            self.summary.not_modified += 1
            return
        try:
            prepared = await self.parse(result.body, result.headers, feed, now)
        except ParseError as exc:
            await self.fail(feed, str(exc), outcome, now, message=exc.message)
            return
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"
            await self.fail(feed, f"parse error: {detail}", outcome, now,
                            message=Message("err.crawl.parse", {"detail": detail}))
            return
        new, updated = await self.writer.call(
            feed_store.save_fetched, feed, prepared, outcome, run_id=self.run_id, now=now,
            next_check=self.next_check,
        )
        self.summary.ok += 1
        self.summary.new_articles += new
        self.summary.updated_articles += updated

    async def flush_unchanged(self) -> None:
        batch, self.unchanged = self.unchanged, []
        if batch:
            await self.writer.call(feed_store.save_not_modified_many, batch, run_id=self.run_id)

    async def fail(self, feed: Feed, error: str, outcome: FetchOutcome, now: str, retry_after: float | None = None,
                   *, message: Message | None = None) -> None:
        """Record the failure on the feed: `error` its English line, `message` the same as a catalogue message
        (when the error carried one) for the app to word in its reader's language."""
        error = " ".join(error.split()) or "unknown error"
        failures = feed.error_count + 1
        limit = self.settings.crawler.max_consecutive_failures
        reason = None
        if limit and failures >= limit:
            reason = f"disabled after {failures} consecutive failures (last: {error})"
        next_check = iso_utc(self.started + backoff_delay(self.settings, failures, retry_after))
        await self.writer.call(feed_store.save_failure, feed, error, outcome, run_id=self.run_id, now=now,
                             next_check=next_check, disabled_reason=reason, message=message)
        self.summary.failed += 1
        self.summary.failures.append((feed.url, error))

    async def guarded(self, fetcher, feed: Feed) -> None:
        try:
            await self.one(fetcher, feed)
        except Exception as exc:  # e.g. the database write of this feed failed: record it if we can
            self.summary.failed += 1
            self.summary.failures.append((feed.url, f"{type(exc).__name__}: {exc}"))
        finally:
            self.done += 1
            if self.progress:
                self.progress("crawl", self.done, len(self.feeds))

    async def run(self) -> None:
        async with Fetcher(self.settings.crawler) as fetcher:
            await asyncio.gather(*(self.guarded(fetcher, feed) for feed in self.feeds))
        await self.flush_unchanged()


# --- entry point --------------------------------------------------------------------------------


def crawl(settings, store: Store, *, all_feeds: bool = False, progress: Progress | None = None,
          trigger: str = "cli") -> CrawlSummary:
    """Fetch due feeds (every enabled feed with `all_feeds`) and store what changed.

    One crawl at a time per database (the CLI, the scheduler's job and the app's Crawl now alike): raises
    CrawlBusyError at once when another one holds the crawl lock. Under the lock, a crawl run still
    `running` was left by a process that died: it is marked `interrupted` (listed in the summary).
    """
    lock = None if str(store.path) == ":memory:" else crawl_lock(Path(store.path).resolve())
    try:
        return _crawl(settings, store, all_feeds=all_feeds, progress=progress, trigger=trigger)
    finally:
        if lock is not None:
            lock.release()


def _crawl(settings, store: Store, *, all_feeds: bool, progress: Progress | None, trigger: str) -> CrawlSummary:
    feed_store.sync_config_feeds(store, settings)
    started = utc_now()
    clock = time.perf_counter()
    interrupted = run_store.mark_interrupted_runs(store, "crawl_runs", iso_utc(started))
    feeds = feed_store.due_feeds(store, iso_utc(started), all_feeds=all_feeds)
    run_id = run_store.start_run(store, trigger, iso_utc(started))
    run = _Run(settings, store, feeds, run_id, started, progress)
    run.summary.interrupted = interrupted
    if progress:
        progress("crawl", 0, len(feeds))
    if _expects_bodies(feeds) >= POOL_MIN_FEEDS:
        run.pool = _make_pool(settings, len(feeds))  # a new feed list: start the workers during the fetches
    else:
        run.pool_wanted = True  # on the first body only, so an all-304 crawl never pays for the pool
    try:
        asyncio.run(run.run())
    finally:
        run.thread.shutdown(wait=True, cancel_futures=True)
        run.writer.close()
        if run.pool is not None:
            run.pool.shutdown(wait=True, cancel_futures=True)
        run.summary.skipped = feed_store.count_feeds(store) - len(feeds)
        run_store.finish_run(store, run_id, run.summary, iso_utc(utc_now()))
        run.summary.seconds = round(time.perf_counter() - clock, 3)
    return run.summary
