"""Runs of the service's jobs, recorded in `job_runs` (start, end, status, counts, error).

A job that raises is recorded as `failed` and logged in one line; the exception goes no further, so a
scheduler or a page that started the job keeps going. `STOP` is set on SIGTERM/SIGINT: jobs check it between
batches, and a run that stopped early is recorded as `stopped`.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from config.errors import VeilleError
from watcher.cleaner import now_iso
from watcher.store import runs

log = logging.getLogger("veille.jobs")

STOP = threading.Event()


class JobRun:
    def __init__(self, name: str):
        self.name = name
        self.counts: dict = {}
        self.status = "ok"


@contextmanager
def record_job(store, name: str) -> Iterator[JobRun]:
    """Record one run of `name` in job_runs; exceptions are recorded and swallowed (logged)."""
    run_id = runs.start_job_run(store, name, now_iso())
    run = JobRun(name)
    error = None
    message = None  # the error as a catalogue message, when the exception carries one (the app words it)
    try:
        yield run
    except Exception as exc:  # noqa: BLE001 - a job failure is data, not a crash
        run.status = "failed"
        error = f"{type(exc).__name__}: {exc}"
        message = exc.message if isinstance(exc, VeilleError) else None
        log.error("job %s failed: %s", name, error)
        log.debug("%s", traceback.format_exc())
    if run.status == "ok" and STOP.is_set() and run.counts.get("stopped"):
        run.status = "stopped"
    if run.status != "failed":
        log.info("job %s %s: %s", name, run.status, json.dumps(run.counts, default=str)[:300])
    runs.finish_job_run(store, run_id, now_iso(), run.status, json.dumps(run.counts, default=str), error,
                         message)


def mark_interrupted(settings) -> list[str]:
    """At the start of `veille serve` (under its lock): job runs left `running` by a dead process become
    `interrupted`, with when that was found. Returns one line per run marked."""
    from watcher.db import open_store

    with open_store(settings.database_path) as store:
        return runs.mark_interrupted_runs(store, "job_runs", now_iso())
