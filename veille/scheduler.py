"""`veille serve`: one process running the crawl, score, digest and retention jobs on APScheduler 3.11.

Jobs are registered by "module:function" reference with ``coalesce=True`` (a backlog of missed runs
becomes one), ``max_instances=1`` (a slow crawl is never overlapped by the next) and a misfire grace
time. SIGTERM/SIGINT set a stop flag: running jobs finish their current batch (each batch is its own
transaction), the scheduler shuts down, the lock is released, exit code 0.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from config import clock
from veille import jobs
from watcher import job_runs
from watcher.service_lock import FileLock, service_lock

log = logging.getLogger("veille.serve")


def _on_scheduler_clock(instant: datetime, tz: tzinfo) -> datetime:
    """An instant of config.clock as APScheduler's run time. APScheduler waits on the machine's real time, so
    the instant keeps its distance from the clock's now (equal when the clock is not pinned; with a pinned
    clock a first crawl "now" still runs at start rather than being postponed or skipped as a misfire)."""
    return datetime.now(tz) + (instant - clock.now())


def next_runs(settings, *, first_crawl_now: bool = True, crawl_seconds: float | None = None,
              now: datetime | None = None) -> dict[str, datetime]:
    """When each job runs next after `now` (default: config.clock), in `[schedule] timezone`."""
    sch = settings.schedule
    tz = ZoneInfo(sch.timezone)
    now = (now or clock.now()).astimezone(tz)
    every = timedelta(seconds=crawl_seconds) if crawl_seconds is not None else timedelta(
        minutes=sch.crawl_every_minutes)
    runs = {"crawl": now if first_crawl_now else now + every}
    for job_id, cron in (("daily_digest", sch.daily_digest), ("weekly_digest", sch.weekly_digest),
                         ("retention", sch.retention)):
        runs[job_id] = CronTrigger.from_crontab(cron, timezone=tz).get_next_fire_time(None, now)
    return runs


def build_scheduler(settings, config_path: str | None, *, crawl_seconds: float | None = None,
                    first_crawl_now: bool = True) -> BackgroundScheduler:
    """A scheduler (not started) with the four jobs of `[schedule]`; `crawl_seconds` overrides the interval."""
    sch = settings.schedule
    tz = ZoneInfo(sch.timezone)
    scheduler = BackgroundScheduler(
        timezone=tz,
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": sch.misfire_grace_seconds},
    )
    kwargs = {"config_path": str(config_path) if config_path else None}
    if crawl_seconds is not None:
        interval = IntervalTrigger(seconds=crawl_seconds, timezone=tz)
    else:
        interval = IntervalTrigger(minutes=sch.crawl_every_minutes, jitter=sch.crawl_jitter_seconds or None,
                                   timezone=tz)
    extra = {"next_run_time": _on_scheduler_clock(clock.now(), tz)} if first_crawl_now else {}
    scheduler.add_job(jobs.CRAWL, interval, id="crawl", name="crawl + score", kwargs=kwargs, **extra)
    scheduler.add_job(jobs.DAILY_DIGEST, CronTrigger.from_crontab(sch.daily_digest, timezone=tz),
                      id="daily_digest", name="daily digest", kwargs=kwargs)
    scheduler.add_job(jobs.WEEKLY_DIGEST, CronTrigger.from_crontab(sch.weekly_digest, timezone=tz),
                      id="weekly_digest", name="weekly digest", kwargs=kwargs)
    scheduler.add_job(jobs.RETENTION, CronTrigger.from_crontab(sch.retention, timezone=tz),
                      id="retention", name="retention", kwargs=kwargs)

    def on_event(event):
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run time (beyond the misfire grace time)", event.job_id)
        else:
            log.error("job %s raised: %s", event.job_id, event.exception)

    scheduler.add_listener(on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


def describe(scheduler: BackgroundScheduler, runs: dict[str, datetime] | None = None) -> list[str]:
    """One line per job; `runs` (from next_runs) gives the next run times shown, else APScheduler's own."""
    lines = []
    for job in scheduler.get_jobs():
        when = (runs or {}).get(job.id) or getattr(job, "next_run_time", None)
        lines.append(f"  {job.id:<14} {job.trigger}  next: {when.isoformat(timespec='seconds') if when else '-'}")
    return lines


class Service:
    """The running scheduler with its lock; `stop()` is safe to call from a signal handler."""

    def __init__(self, settings, config_path: str | None, *, echo: Callable[[str], None] = print,
                 crawl_seconds: float | None = None, first_crawl_now: bool = True, lock: FileLock | None = None):
        self.settings = settings
        self.config_path = config_path
        self.echo = echo
        self.stopping = threading.Event()
        self.first_crawl_now, self.crawl_seconds = first_crawl_now, crawl_seconds
        self.lock = lock or service_lock(settings.database_path)  # raises ServiceLockedError first thing
        try:
            # under the serve lock no job of this database runs: one still `running` was cut short
            self.interrupted = job_runs.mark_interrupted(settings)
            self.scheduler = build_scheduler(settings, config_path, crawl_seconds=crawl_seconds,
                                             first_crawl_now=first_crawl_now)
        except BaseException:
            self.lock.release()
            raise

    def start(self) -> None:
        job_runs.STOP.clear()
        self.scheduler.start()
        self.echo(f"veille serve: running (pid {os.getpid()}, database {self.settings.database_path})")
        for line in self.interrupted:
            self.echo(f"  {line}")
        runs = next_runs(self.settings, first_crawl_now=self.first_crawl_now, crawl_seconds=self.crawl_seconds)
        for line in describe(self.scheduler, runs):
            self.echo(line)

    def stop(self, *_args) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        job_runs.STOP.set()

    def wait(self, tick: Callable[[], None] | None = None) -> None:
        """Block until stop() (or a signal), calling `tick` twice a second, then shut down cleanly."""
        while not self.stopping.wait(0.5):
            if tick is not None:
                tick()
        self.echo("veille serve: stopping (finishing the current batch)...")
        try:
            self.scheduler.shutdown(wait=True)
        finally:
            self.lock.release()
            job_runs.STOP.clear()
        self.echo("veille serve: stopped cleanly")

    def close(self) -> None:
        """Whatever happened: stop the jobs, shut the scheduler down, release the lock (idempotent)."""
        self.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.lock.release()
        job_runs.STOP.clear()  # the jobs have finished: a later job in this process may run again


def install_signal_handlers(stop: Callable) -> None:
    signal.signal(signal.SIGTERM, lambda *_: stop())
    signal.signal(signal.SIGINT, lambda *_: stop())


def serve(settings, config_path: str | None, *, echo: Callable[[str], None] = print) -> None:
    """Run until SIGTERM/SIGINT. Raises ServiceLockedError if another serve holds this database."""
    service = Service(settings, config_path, echo=echo)
    install_signal_handlers(service.stop)
    service.start()
    service.wait()
