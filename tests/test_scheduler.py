"""`veille serve`: jobs from config, job failures recorded, clean SIGTERM, one instance per database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import clock
from watcher.store import runs as run_store

ROOT = Path(__file__).resolve().parent.parent

SCHEDULE = """
[schedule]
timezone = "America/New_York"
crawl_every_minutes = 15
crawl_jitter_seconds = 30
daily_digest = "30 7 * * *"
weekly_digest = "0 9 * * FRI"
retention = "15 2 * * *"
misfire_grace_seconds = 600
"""


def test_jobs_are_registered_from_config(tmp_config):
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from veille.scheduler import build_scheduler

    path, settings = tmp_config(SCHEDULE)
    scheduler = build_scheduler(settings, str(path))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"crawl", "daily_digest", "weekly_digest", "retention"}
    assert jobs["crawl"].func_ref == "veille.jobs:crawl_and_score"
    assert jobs["daily_digest"].func_ref == "veille.jobs:daily_digest"
    assert jobs["weekly_digest"].func_ref == "veille.jobs:weekly_digest"
    assert jobs["retention"].func_ref == "veille.jobs:retention"
    crawl = jobs["crawl"].trigger
    assert isinstance(crawl, IntervalTrigger) and crawl.interval == timedelta(minutes=15) and crawl.jitter == 30
    daily = jobs["daily_digest"].trigger
    assert isinstance(daily, CronTrigger) and str(daily.timezone) == "America/New_York"
    assert "hour='7'" in str(daily) and "minute='30'" in str(daily)
    assert "day_of_week='fri'" in str(jobs["weekly_digest"].trigger)
    # a first crawl is due right away; digests follow their cron in the configured zone
    scheduler.start(paused=True)
    try:
        for job in scheduler.get_jobs():
            assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 600
            assert job.kwargs == {"config_path": str(path)}
        assert scheduler.get_job("crawl").next_run_time is not None
        nxt = scheduler.get_job("daily_digest").next_run_time
        assert (nxt.hour, nxt.minute, str(nxt.tzinfo)) == (7, 30, "America/New_York")
    finally:
        scheduler.shutdown(wait=False)


def _next_local(now: datetime, zone: str, hour: int, minute: int, weekday: int | None = None) -> datetime:
    """The first wall-clock hour:minute in `zone` after `now` (on `weekday`, 0 = Monday), day by day."""
    tz = clock.zone(zone)
    day = now.astimezone(tz).date()
    while True:
        at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
        if at > now and (weekday is None or day.weekday() == weekday):
            return at
        day += timedelta(days=1)


@pytest.mark.dates
def test_next_runs_come_from_the_clock_in_the_configured_zone(tmp_config):
    from veille.scheduler import next_runs

    _, settings = tmp_config(SCHEDULE)
    now = clock.now()
    runs = next_runs(settings)
    assert runs["crawl"] == now  # the first crawl is due at once
    assert next_runs(settings, first_crawl_now=False)["crawl"] == now + timedelta(minutes=15)
    assert runs["daily_digest"] == _next_local(now, "America/New_York", 7, 30)
    assert runs["weekly_digest"] == _next_local(now, "America/New_York", 9, 0, weekday=4)
    assert runs["retention"] == _next_local(now, "America/New_York", 2, 15)
    assert all(str(when.tzinfo) == "America/New_York" for when in runs.values())
    assert all(when >= now for when in runs.values())
    # a fixed instant just before a run: the run is that day's, not the next one
    before = datetime(2026, 11, 30, 12, 29, 59, tzinfo=UTC)  # 07:29:59 in New York (EST)
    assert next_runs(settings, now=before)["daily_digest"] == datetime(2026, 11, 30, 12, 30, tzinfo=UTC)


def test_first_crawl_runs_at_start_whatever_instant_the_clock_is_fixed_at(tmp_config, monkeypatch):
    """APScheduler waits on real time: a clock fixed far from it must neither postpone nor skip the first crawl."""
    from veille.scheduler import Service
    from watcher import crawler

    calls = []
    monkeypatch.setattr(crawler, "crawl", lambda settings, store, **kw: calls.append(kw.get("trigger")))
    path, settings = tmp_config(SCHEDULE)
    lines = []
    with clock.fixed("2031-02-03T04:05:06Z"):
        service = Service(settings, str(path), echo=lines.append, crawl_seconds=3600)
        service.start()
        try:
            deadline = time.monotonic() + 30
            while not calls and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            service.close()
    assert calls == ["schedule"]
    crawl_line = next(line for line in lines if line.strip().startswith("crawl "))
    assert "next: 2031-02-02T23:05:06-05:00" in crawl_line  # shown in the configured zone, from the clock
    daily = next(line for line in lines if line.strip().startswith("daily_digest"))
    assert "next: 2031-02-03T07:30:00-05:00" in daily


def test_scheduler_first_run_is_due_now(tmp_config):
    from veille.scheduler import build_scheduler

    _, settings = tmp_config(SCHEDULE)
    scheduler = build_scheduler(settings, None)
    scheduler.start(paused=True)
    try:
        pending = scheduler.get_job("crawl").next_run_time
        later = build_scheduler(settings, None, first_crawl_now=False)
        later.start(paused=True)
        try:  # without the first crawl, the interval's first run is one interval after the first one
            assert later.get_job("crawl").next_run_time - pending >= timedelta(minutes=14)
        finally:
            later.shutdown(wait=False)
    finally:
        scheduler.shutdown(wait=False)


def test_a_crawl_job_that_raises_is_recorded_and_the_next_still_runs(tmp_config, monkeypatch):
    from veille.scheduler import Service
    from watcher import crawler
    from watcher.db import open_store

    calls = []

    def broken_crawl(settings, store, **kwargs):
        calls.append(kwargs.get("trigger"))
        raise RuntimeError(f"network exploded (call {len(calls)})")

    monkeypatch.setattr(crawler, "crawl", broken_crawl)  # the crawler itself is tested elsewhere
    path, settings = tmp_config(SCHEDULE)
    service = Service(settings, str(path), echo=lambda _line: None, crawl_seconds=0.3)
    service.start()
    try:
        deadline = time.monotonic() + 30
        while len(calls) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        service.close()
    assert len(calls) >= 3 and calls[0] == "schedule"
    with open_store(settings.database_path) as store:
        rows = run_store.job_runs(store, job="crawl")
        assert len(rows) >= 3
        assert all(r.status == "failed" and r.finished for r in rows)
        assert rows[0].error == "RuntimeError: network exploded (call 1)"
        assert rows[1].error == "RuntimeError: network exploded (call 2)"
        # scoring still ran after each failed crawl, and nothing is left half-recorded
        assert len(run_store.job_runs(store, job="score")) >= 2
        assert run_store.job_runs(store, status="running") == []


def _iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


@pytest.mark.dates
def test_retention_prunes_old_articles_but_keeps_saved_and_tool_evidence(tmp_config):
    from veille import jobs
    from watcher.db import open_store
    from watcher.store import articles, feeds, stories, tools
    from watcher.store.articles import ArticleRow

    path, settings = tmp_config("[retention]\nmax_age_days = 30\n")
    now = clock.now()
    with open_store(settings.database_path) as store:
        with store.write():
            stamp = _iso(now)
            feed_id = feeds.ensure_feed(store, "https://f.example.org/feed", added_at=stamp)
            articles.insert_many(store, [
                ArticleRow(f"a{i}", feed_id, _iso(now - timedelta(days=age)), "h", stamp, stamp,
                           url=f"https://f.example.org/{i}", title=f"t{i}")
                for i, age in enumerate([1, 10, 40, 50, 60, 70, 80])])
            stories.set_states(store, "local", [("a3", None, stamp), ("a4", stamp, None)])
            tool = tools.insert(store, "X", "tool", "", "", "signal", stamp, "")
            tools.link_evidence(store, tool, "a5", "", stamp, "")
    jobs.retention(str(path))
    with open_store(settings.database_path) as store:
        left = sorted(a.id for a in articles.stored(store))
        assert left == ["a0", "a1", "a3", "a5"]  # young, saved, evidence
        tomb = {t.url for t in articles.tombstones(store)}
        assert tomb == {"https://f.example.org/2", "https://f.example.org/4", "https://f.example.org/6"}
        [run] = run_store.job_runs(store, job="retention")
        counts = json.loads(run.counts or "{}")
        assert run.status == "ok" and counts["pruned"] == 3 and counts["kept_saved"] == 1
        assert counts["kept_tools"] == 1


def _serve(config: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "veille", "--config", str(config), "serve"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def _wait_for(proc: subprocess.Popen, text: str, timeout: float = 60) -> list[str]:
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} not seen in output:\n{''.join(lines)}")


@pytest.mark.slow
def test_serve_refuses_a_second_instance_and_stops_cleanly_on_sigterm(tmp_config):
    from watcher.db import open_store

    path, settings = tmp_config(SCHEDULE)
    first = _serve(path)
    try:
        _wait_for(first, "veille serve: running")
        second = subprocess.run([sys.executable, "-m", "veille", "--config", str(path), "serve"], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert f"another `veille serve` (pid {first.pid}) already runs on {settings.database_path}" in second.stderr
        _wait_for(first, "job crawl", timeout=60)  # the first crawl ran at start
        first.send_signal(signal.SIGTERM)
        out, _ = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, out
    assert "stopped cleanly" in out
    with open_store(settings.database_path) as store:
        assert run_store.job_runs(store, status="running") == []
        assert len(run_store.job_runs(store, job="crawl")) >= 1
    # the lock went with the process: a new instance may start
    from watcher.service_lock import service_lock

    service_lock(settings.database_path).release()
