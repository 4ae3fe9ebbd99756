"""Runs: crawl runs (`crawl_runs`), the per-feed fetch log (`fetch_log`) and the service's job runs
(`job_runs`), with the runs a dead process left `running` marked `interrupted`.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from config.errors import Message, message_from_json, message_json
from watcher.db import Store
from watcher.records import CrawlSummary

if TYPE_CHECKING:
    from watcher.store.feeds import FetchOutcome


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


def log_fetch(conn: sqlite3.Connection, run_id: int | None, feed_id: int, now: str, outcome: str,
              fetch: FetchOutcome, new: int = 0, updated: int = 0, error: str | None = None) -> None:
    """One `fetch_log` row for a feed's fetch; inside the caller's write transaction (the feed's own)."""
    conn.execute(
        """INSERT INTO fetch_log (run_id, feed_id, at, outcome, http_status, new_articles, updated_articles, error,
           duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (run_id, feed_id, now, outcome, fetch.http_status, new, updated, error, fetch.duration_ms),
    )


# --- job runs -----------------------------------------------------------------------------------


def start_job_run(store: Store, job: str, now: str) -> int:
    """A `running` row for one run of `job` (this process's pid); its id."""
    with store.write() as conn:
        run_id = conn.execute("INSERT INTO job_runs (job, started, status, pid) VALUES (?, ?, 'running', ?)",
                              (job, now, os.getpid())).lastrowid
    assert run_id is not None  # an INSERT sets it
    return run_id


def finish_job_run(store: Store, run_id: int, now: str, status: str, counts: str, error: str | None,
                   message: Message | None = None) -> None:
    """Close a job run: when, its status, its counts (JSON text) and its one-line error, if any (with
    `message`, the same as a catalogue message, when the error carried one)."""
    with store.write() as conn:
        conn.execute(
            "UPDATE job_runs SET finished = ?, status = ?, counts = ?, error = ?, error_message = ? WHERE id = ?",
            (now, status, counts, error, message_json(message), run_id))


@dataclass(frozen=True)
class JobRunRow:
    id: int
    job: str
    started: str
    finished: str | None
    status: str
    counts: str | None  # JSON text, as written by :func:`finish_job_run`
    error: str | None
    interrupted_at: str | None = None  # when a later start found it left `running` (see mark_interrupted_runs)
    pid: int | None = None  # the process that ran it
    error_message: Message | None = field(default=None, compare=False)  # `error` as a catalogue message


def _job_run(r: sqlite3.Row) -> JobRunRow:
    return JobRunRow(r["id"], r["job"], r["started"], r["finished"], r["status"], r["counts"], r["error"],
                     r["interrupted_at"], r["pid"], message_from_json(r["error_message"]))


def recent_job_runs(store: Store, limit: int) -> list[JobRunRow]:
    """The `limit` latest job runs, newest first."""
    return [_job_run(r)
            for r in store.query("SELECT * FROM job_runs ORDER BY started DESC, id DESC LIMIT ?", (limit,))]


def job_runs(store: Store, *, job: str | None = None, status: str | None = None) -> list[JobRunRow]:
    """Every job run (only those of `job` and/or with `status`, when given), oldest first."""
    return [_job_run(r) for r in store.query(
        "SELECT * FROM job_runs WHERE (:job IS NULL OR job = :job) AND (:status IS NULL OR status = :status) "
        "ORDER BY id", {"job": job, "status": status})]


# --- crawl runs and the fetch log ---------------------------------------------------------------


@dataclass(frozen=True)
class CrawlRunRow:
    id: int
    started: str
    finished: str | None
    trigger: str  # 'cli', 'ui', 'service' …
    status: str  # 'running', 'ok' or 'interrupted'
    feeds: int
    ok: int
    not_modified: int
    failed: int
    new_articles: int
    updated_articles: int
    interrupted_at: str | None
    pid: int | None


def crawl_runs(store: Store) -> list[CrawlRunRow]:
    """Every crawl run, oldest first."""
    return [CrawlRunRow(r["id"], r["started"], r["finished"], r["trigger"], r["status"], r["feeds"], r["ok"],
                        r["not_modified"], r["failed"], r["new_articles"], r["updated_articles"],
                        r["interrupted_at"], r["pid"])
            for r in store.query("SELECT * FROM crawl_runs ORDER BY id")]


@dataclass(frozen=True)
class FetchLogRow:
    id: int
    run_id: int | None
    feed_id: int
    at: str
    outcome: str  # 'ok', 'not_modified' or 'error'
    http_status: int | None
    new_articles: int
    updated_articles: int
    error: str | None
    duration_ms: int | None


def fetch_log(store: Store, *, run_id: int | None = None, feed_id: int | None = None) -> list[FetchLogRow]:
    """The fetch-log rows (only those of crawl run `run_id` and/or feed `feed_id`, when given), oldest first."""
    return [FetchLogRow(r["id"], r["run_id"], r["feed_id"], r["at"], r["outcome"], r["http_status"],
                        r["new_articles"], r["updated_articles"], r["error"], r["duration_ms"])
            for r in store.query(
                "SELECT * FROM fetch_log WHERE (:run IS NULL OR run_id = :run) AND (:feed IS NULL OR feed_id = :feed) "
                "ORDER BY id", {"run": run_id, "feed": feed_id})]
