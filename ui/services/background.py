"""Batch work started from a page (rescoring an edited profile) runs here, off the request thread.

Each job runs in its own thread with its own connection to the database, reports progress as it goes, and is
recorded in `job_runs` like the scheduler's jobs, so the Sources page lists it. There is at most one job per
key at a time: a second start while one runs returns the running one. The page polls `status()` to draw a
progress bar; the state lives in this process, shared by every browser session of one `veille ui`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from config.errors import Message, VeilleError
from watcher.cleaner import now_iso

log = logging.getLogger("veille.ui.jobs")

Progress = Callable[[str, int, int], None]
Work = Callable[[object, Progress], str | tuple[str, dict]]  # the result in words, or (words, figures)


@dataclass(frozen=True)
class JobStatus:
    key: str
    label: str
    state: str = "running"  # running | done | failed
    step: str = ""
    done: int = 0
    total: int = 0
    message: str = ""  # the result in words, or the one-line error (English for a failure)
    error: Message | None = None  # a failure's message, for the page to word in its reader's language
    started: str = ""
    finished: str = ""

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0


class BackgroundJobs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, JobStatus] = {}
        self._threads: dict[str, threading.Thread] = {}

    def start(self, key: str, label: str, database_path: Path | str,
              work: Work) -> JobStatus:
        """Run `work(store, progress)` in a thread; `job_runs` gets a row. `work` returns the result in words
        (for the page), or the words and the run's figures: figures are what `job_runs` keeps, since the
        Sources page words them in its reader's language (a sentence is kept in the starter's only)."""
        with self._lock:
            current = self._jobs.get(key)
            if current is not None and current.running:
                return current
            status = JobStatus(key, label, started=now_iso())
            self._jobs[key] = status
            thread = threading.Thread(target=self._run, args=(key, database_path, work), name=f"veille-{key}",
                                      daemon=True)
            self._threads[key] = thread
        thread.start()
        return status

    def _update(self, key: str, **changes) -> None:
        with self._lock:
            self._jobs[key] = replace(self._jobs[key], **changes)

    def _run(self, key: str, database_path: Path | str, work: Work) -> None:
        from watcher.db import open_store
        from watcher.job_runs import record_job

        def progress(step: str, done: int, total: int) -> None:
            self._update(key, step=step, done=done, total=total)

        outcome: dict[str, object] = {}
        try:
            with open_store(database_path) as store:
                with record_job(store, key.split(":", 1)[0]) as run:  # swallows (and records) a failure
                    try:
                        result = work(store, progress)
                    except VeilleError as exc:  # one line for the page, and the job run says failed
                        outcome = {"state": "failed", "message": str(exc), "error": exc.message}
                        raise
                    except Exception as exc:
                        log.error("background job %s failed", key, exc_info=exc)
                        outcome = {"state": "failed", "message": f"{type(exc).__name__}: {exc}"}
                        raise
                    message, counts = (result, None) if isinstance(result, str) else result
                    run.counts = counts if counts is not None else {"job": key, "result": message}
                    outcome = {"state": "done", "message": message}
        except Exception as exc:  # the store could not be opened: the page still hears of it
            outcome = outcome or {"state": "failed", "message": str(exc)}
        # only now, with the job_runs row written: a page that sees "done" also finds the run listed
        self._update(key, finished=now_iso(), **(outcome or {"state": "failed", "message": "stopped"}))

    def status(self, key: str) -> JobStatus | None:
        with self._lock:
            return self._jobs.get(key)

    def wait(self, key: str, timeout: float | None = None) -> JobStatus | None:
        """Block until the job ends (tests, scripts); its last status."""
        thread = self._threads.get(key)
        if thread is not None:
            thread.join(timeout)
        return self.status(key)

    def forget(self, key: str) -> None:
        """Drop a finished job's status once the page has shown its result."""
        with self._lock:
            status = self._jobs.get(key)
            if status is not None and not status.running:
                del self._jobs[key]


JOBS = BackgroundJobs()  # one per process: every session of one `veille ui` sees the same jobs
