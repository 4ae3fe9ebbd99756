"""Runs: crawl runs (`crawl_runs`), the per-feed fetch log (`fetch_log`) and the service's job runs
(`job_runs`), with the runs a dead process left `running` marked `interrupted`.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

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


def finish_job_run(store: Store, run_id: int, now: str, status: str, counts: str, error: str | None) -> None:
    """Close a job run: when, its status, its counts (JSON text) and its one-line error, if any."""
    with store.write() as conn:
        conn.execute("UPDATE job_runs SET finished = ?, status = ?, counts = ?, error = ? WHERE id = ?",
                     (now, status, counts, error, run_id))


@dataclass(frozen=True)
class JobRunRow:
    id: int
    job: str
    started: str
    finished: str | None
    status: str
    counts: str | None  # JSON text, as written by :func:`finish_job_run`
    error: str | None


def recent_job_runs(store: Store, limit: int) -> list[JobRunRow]:
    """The `limit` latest job runs, newest first."""
    return [JobRunRow(r["id"], r["job"], r["started"], r["finished"], r["status"], r["counts"], r["error"])
            for r in store.query("SELECT * FROM job_runs ORDER BY started DESC, id DESC LIMIT ?", (limit,))]
