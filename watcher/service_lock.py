"""Process locks next to the database file (fcntl): one `veille serve` per database, one digest run at a time,
one crawl at a time.

The kernel drops an fcntl lock when its process dies, even on SIGKILL, so a crash never leaves a
stale lock behind; the pid written into the file is only there to name the holder in messages.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import TextIO

from config.errors import CrawlBusyError, ServiceLockedError


class FileLock:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._handle: TextIO | None = None

    def holder_pid(self) -> int | None:
        try:
            text = self.path.read_text().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def acquire(self, *, timeout: float = 0.0, what: str = "lock") -> FileLock:
        """Take the lock, waiting up to `timeout` seconds; raise ServiceLockedError naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held for the lifetime of the lock
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    pid = self.holder_pid()
                    holder = f" (pid {pid})" if pid else ""
                    raise ServiceLockedError(f"{what} is held by another process{holder}: {self.path}") from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            try:
                self._handle.seek(0)
                self._handle.truncate()
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            finally:
                self._handle.close()
                self._handle = None

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def service_lock(database_path: Path) -> FileLock:
    """Lock held by `veille serve` for its whole life."""
    lock = FileLock(f"{database_path}.serve.lock")
    try:
        return lock.acquire(what="veille serve")
    except ServiceLockedError:
        pid = lock.holder_pid()
        who = f" (pid {pid})" if pid else ""
        raise ServiceLockedError(
            f"another `veille serve`{who} already runs on {database_path}; stop it first "
            f"(lock file {lock.path})"
        ) from None


def score_lock(database_path: Path | str, *, timeout: float = 900.0) -> FileLock:
    """Serialise the scorers of one database (`veille score`, the scheduler's score, the app's rescoring jobs):
    two at once would compute the same profiles twice and wait on each other's write transactions."""
    return FileLock(f"{database_path}.score.lock").acquire(timeout=timeout, what="the scorer")


def digest_lock(database_path: Path, *, timeout: float = 600.0) -> FileLock:
    """Serialise digest runs, so a `pending` send seen under this lock was left by a dead process."""
    return FileLock(f"{database_path}.digest.lock").acquire(timeout=timeout, what="the digest sender")


def crawl_lock(database_path: Path | str) -> FileLock:
    """Lock held for the whole of one crawl (`veille crawl`/`update`, the scheduler's job, the app's Crawl now).

    Never waits: a second crawl would fetch the same feeds again (with --all, every one of them), so it is
    skipped with CrawlBusyError naming the holder. Flock, not a row: a killed crawl never leaves it behind.
    """
    lock = FileLock(f"{database_path}.crawl.lock")
    try:
        return lock.acquire(what="the crawl lock")
    except ServiceLockedError:
        pid = lock.holder_pid()
        deadline = time.monotonic() + 1.0
        while pid is None and time.monotonic() < deadline:  # the holder writes its pid just after flock
            time.sleep(0.02)
            pid = lock.holder_pid()
        raise CrawlBusyError(pid) from None
