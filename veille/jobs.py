"""The scheduled jobs of `veille serve`, referenced by the scheduler as "veille.jobs:<function>".

Each job loads the settings afresh (a config edit is picked up at the next run), opens its own
store, and records its run in `job_runs` (start, end, status, counts, error). A job that raises is
recorded as `failed` and logged in one line; it never takes the scheduler down, so the next run
happens as planned. `STOP` is set on SIGTERM/SIGINT: jobs check it between batches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from config.errors import CrawlBusyError
from watcher.job_runs import STOP, record_job

log = logging.getLogger("veille.jobs")

# job id -> "module:function" (what APScheduler stores and calls)
CRAWL = "veille.jobs:crawl_and_score"
DAILY_DIGEST = "veille.jobs:daily_digest"
WEEKLY_DIGEST = "veille.jobs:weekly_digest"
RETENTION = "veille.jobs:retention"


def _with_store(config_path: str | None, body: Callable) -> None:
    from config.settings import load_settings
    from watcher.db import open_store

    settings = load_settings(config_path)
    store = open_store(settings.database_path)
    try:
        body(settings, store)
    finally:
        store.close()


def crawl_and_score(config_path: str | None = None, trigger: str = "schedule", progress=None) -> None:
    """Crawl due feeds, then score what is new (the score runs even after a failed crawl)."""

    def body(settings, store):
        with record_job(store, "crawl") as run:
            from watcher import crawler

            try:
                summary = crawler.crawl(settings, store, trigger=trigger, progress=progress)
            except CrawlBusyError as busy:  # a `veille crawl` or the app's Crawl now holds the crawl lock
                run.status = "skipped"
                run.counts = {"skipped": str(busy)}
            else:
                run.counts = summary.figures()
        if STOP.is_set():
            return
        with record_job(store, "score") as run:
            from scoring import pipeline

            run.counts = pipeline.score(settings, store, progress=progress).as_dict()

    _with_store(config_path, body)


def _digest(config_path: str | None, frequency: str) -> None:
    def body(settings, store):
        with record_job(store, f"{frequency}_digest") as run:
            recipients = [r for r in settings.email.recipients if r.frequency == frequency]
            if not recipients:
                run.counts = {"recipients": 0}
                return
            from ui.digest.outbox import NOTHING_NEW, run_digests

            summary = run_digests(settings, store, frequency=frequency, stop=STOP).as_dict()
            run.counts = {k: v for k, v in summary.items() if k != "results"}
            run.counts["recipients"] = len(recipients)
            run.counts["errors"] = [r["error"] for r in summary["results"] if r["status"] == "failed"][:5]
            # an empty digest is not sent: the run says so, one line (the recipients it skipped)
            skipped = [r["recipient"] for r in summary["results"] if r["error"] == NOTHING_NEW]
            if skipped:
                run.counts["not_sent"] = f"{len(skipped)} not sent, nothing new: {', '.join(skipped[:5])}"
                run.counts["nothing_new"] = len(skipped)  # the figure the Sources page words (the line is English)
            run.counts["stopped"] = STOP.is_set()

    _with_store(config_path, body)


def daily_digest(config_path: str | None = None) -> None:
    _digest(config_path, "daily")


def weekly_digest(config_path: str | None = None) -> None:
    _digest(config_path, "weekly")


def retention(config_path: str | None = None) -> None:
    def body(settings, store):
        with record_job(store, "retention") as run:
            from watcher.retention import prune

            run.counts = prune(settings, store, stop=STOP).as_dict()

    _with_store(config_path, body)
