"""Worker processes that end when the process that started them dies, even by SIGKILL.

A parse worker of the crawl's pool is forked by multiprocessing's forkserver, not by the crawl, and it
holds the forkserver's "alive" pipe open: after a `kill -9` of the crawl, neither notices, and both
would live on as orphans. So the crawl keeps the write end of a pipe (a :class:`Lifeline`) that it
never writes to; each worker gets the read end and a daemon thread blocked on it. The kernel closes
the write end when the crawl dies, however it dies; the read returns EOF and the worker exits at once.
The forkserver and the resource tracker then see their own pipes close and exit too.

On Linux the worker also asks for SIGKILL when its parent process dies (``PR_SET_PDEATHSIG``): a
forkserver that is killed takes its workers with it, and with the "fork" start method the parent is
the crawl itself. Kept small on purpose: a worker imports this module, not the crawler.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1


class Lifeline:
    """The parent's side: create it before the workers start, close it after they have been joined."""

    def __init__(self, ctx=None):
        ctx = ctx or multiprocessing.get_context()
        # Non-inheritable fds: only the workers get the read end (multiprocessing passes it on explicitly).
        self.reader, self._writer = ctx.Pipe(duplex=False)

    def close(self) -> None:
        for conn in (self.reader, self._writer):
            conn.close()


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the lifeline thread alone does it
        pass


def _watch(reader) -> None:
    try:
        while True:
            reader.recv_bytes()  # the parent never writes: this returns only with EOF (raised)
    except (EOFError, OSError):
        pass
    os._exit(1)  # no cleanup: the parent that would collect this worker's results is gone


def worker_init(reader) -> None:
    """Pool initializer: exit when the parent holding the other end of `reader` dies."""
    _die_with_parent()
    threading.Thread(target=_watch, args=(reader,), name="veille-lifeline", daemon=True).start()
