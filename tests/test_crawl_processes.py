"""Processes clean up: a killed crawl leaves no parse workers and is marked `interrupted` at the next start;
two crawls started together do not both fetch the feeds (issue 9, item 7).

Everything is real: `veille crawl` runs as a subprocess against a local HTTP server, it is killed with
SIGKILL, and the process table is read with psutil.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest

from tests.conftest import write_config
from watcher.store import articles as article_store
from watcher.store import runs as run_store

ROOT = Path(__file__).resolve().parent.parent
NOW = "2025-03-30T01:30:00+00:00"  # the spring DST change in Paris: any fixed instant would do


def _rss(n: int, items: int = 2) -> str:
    entries = "".join(
        f"<item><title>Feed {n} item {i}</title><link>http://example.org/{n}/{i}</link>"
        f"<guid>feed-{n}-item-{i}</guid><description>Microlearning note {n}.{i}</description></item>"
        for i in range(items)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>'
            f"<link>http://example.org/{n}</link>{entries}</channel></rss>")


def _config(folder: Path, urls: list[str], workers: int = 2) -> Path:
    feeds = "".join(f'\n[[feeds]]\nurl = "{u}"\n' for u in urls)
    return write_config(folder, f'[database]\npath = "veille.db"\n\n[crawler]\nallow_private_networks = true\n'
                                f"parse_workers = {workers}\ntimeout_seconds = 120\nconcurrency = 64\n"
                                f"per_host = 64\n{feeds}")


def _crawl(config: Path, out=subprocess.PIPE, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "veille", "--config", str(config), "crawl", "--all"],
                            cwd=ROOT, stdout=out, stderr=out, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", "VEILLE_NOW": NOW, **env})


def _tagged(tag: str) -> list[psutil.Process]:
    """Live processes whose environment carries `tag`: the crawl and all it started, at any depth, even
    after they were reparented (the environment is inherited by the forkserver, the workers, the tracker)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("VEILLE_TEST_TAG") == tag and _alive(proc):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _alive(proc: psutil.Process) -> bool:
    """Running and not a zombie (an orphan reparented to a PID 1 that does not reap stays a zombie)."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_for(predicate, what: str, timeout: float = 60.0, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the crawl ended before {what} (exit {proc.returncode})")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_sigkill_of_a_crawl_ends_its_parse_workers_and_the_next_crawl_marks_the_run_interrupted(
        tmp_path, feed_server):
    from watcher.db import open_store

    # 60 feeds with a body (the pool starts with the crawl): 50 answer at once, so parse tasks reach the
    # workers, 10 hang until the server stops, so the crawl is still running when it is killed.
    urls = []
    for n in range(60):
        feed_server.add(f"/f{n}.xml", _rss(n), delay=0 if n < 50 else 300)
        urls.append(feed_server.url(f"/f{n}.xml"))
    config = _config(tmp_path, urls)
    # A file, not a pipe: an orphaned worker holding the pipe would keep a reader of it waiting forever.
    tag = f"crawl-{os.getpid()}-{time.monotonic_ns()}"
    with open(tmp_path / "crawl.log", "w") as log:
        proc = _crawl(config, out=log, VEILLE_TEST_TAG=tag)
    parent = psutil.Process(proc.pid)

    def workers_up():
        try:
            kids = parent.children(recursive=True)
            # the forkserver is the crawl's child; the pool's workers are the forkserver's children
            workers = [k for k in kids if k.ppid() != proc.pid]
        except psutil.NoSuchProcess:  # a process ended while being listed: look again
            return None
        return kids if len(workers) >= 2 else None

    descendants = _wait_for(workers_up, "two parse workers", proc=proc)
    # every descendant still alive carries the tag, so the orphan check below sees them all (a short-lived helper
    # process may have ended between the two listings: it is gone, not untagged)
    def living(p: psutil.Process) -> bool:
        try:
            return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    tagged = {p.pid for p in _tagged(tag)}
    assert tagged >= {proc.pid} | {p.pid for p in descendants if living(p)}
    _wait_for(lambda: sum(feed_server.hits(f"/f{n}.xml") for n in range(50, 60)) == 10, "the slow requests",
              proc=proc)
    with open_store(tmp_path / "veille.db") as store:
        _wait_for(lambda: article_store.count(store) > 0, "stored articles", proc=proc)

    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _tagged(tag):
        time.sleep(0.1)
    left = _tagged(tag)
    for orphan in left:  # do not leave them behind for the rest of the suite
        orphan.kill()
    assert not left, f"processes outlived the killed crawl: {left}; log: {(tmp_path / 'crawl.log').read_text()}"

    with open_store(tmp_path / "veille.db") as store:
        rows = run_store.crawl_runs(store)
    assert [(r.status, r.finished, r.interrupted_at) for r in rows] == [("running", None, None)]

    # The next crawl (all feeds answer now) finds the run the killed process left and marks it.
    for n in range(50, 60):
        feed_server.add(f"/f{n}.xml", _rss(n))
    found = "2025-03-30T02:45:00+00:00"
    second = subprocess.run([sys.executable, "-m", "veille", "--config", str(config), "crawl", "--all"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "VEILLE_NOW": found})
    assert second.returncode == 0, (second.stdout, second.stderr)
    assert f"  crawl run 1 started {NOW} by pid {proc.pid}: interrupted (found at {found})\n" in second.stdout
    with open_store(tmp_path / "veille.db") as store:
        rows = run_store.crawl_runs(store)
        articles = article_store.count(store)
    assert [(r.status, r.finished, r.interrupted_at) for r in rows] == [
        ("interrupted", None, found), ("ok", found, None)]
    assert articles == 60 * 2


@pytest.mark.slow
def test_two_crawls_started_together_fetch_each_feed_once(tmp_path, feed_server):
    from watcher.db import open_store

    # Every feed holds its answer until the test opens the gate: the crawl that got the lock cannot
    # finish before the other one has decided, whatever the start-up times of the two processes.
    gate = threading.Event()
    hits: dict[str, int] = {}
    lock = threading.Lock()

    def handler(n: int):
        body = _rss(n).encode()

        def serve(h) -> None:
            with lock:
                hits[h.path] = hits.get(h.path, 0) + 1
            gate.wait(60)
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

        return serve

    urls = []
    for n in range(12):
        feed_server.add_handler(f"/g{n}.xml", handler(n))
        urls.append(feed_server.url(f"/g{n}.xml"))
    config = _config(tmp_path, urls)
    with open_store(tmp_path / "veille.db"):
        pass  # the schema exists before the race: the race under test is the crawl, not the migration
    first, second = _crawl(config), _crawl(config)
    try:
        # Without a crawl lock both would block at the gate and neither would exit: then the gate opens
        # after the deadline and the request counts below fail.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and first.poll() is None and second.poll() is None:
            time.sleep(0.05)
    finally:
        gate.set()
    outs = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outs
    skipped = [out for (out, _err) in outs if out.startswith("another crawl is running")]
    ran = [(proc.pid, out) for proc, (out, _err) in zip((first, second), outs, strict=True)
           if out.startswith("feeds: ")]
    assert len(skipped) == 1 and len(ran) == 1, outs
    assert skipped[0] == f"another crawl is running (pid {ran[0][0]}), skipped\n"
    assert "12 ok" in ran[0][1]
    assert hits == {f"/g{n}.xml": 1 for n in range(12)}
    with open_store(tmp_path / "veille.db") as store:
        assert len(run_store.crawl_runs(store)) == 1
        assert len(run_store.fetch_log(store)) == 12
        assert article_store.count(store) == 24
        assert [url for url, n in Counter(a.url for a in article_store.stored(store)).items() if n > 1] == []


def test_a_job_run_left_by_a_killed_serve_is_marked_interrupted_at_the_next_start_and_shown(
        populated_store, app_test):
    from config import clock
    from veille.scheduler import Service

    path, settings, store = populated_store
    # A real process records a crawl job run the way `veille serve` does, then dies by SIGKILL inside it.
    code = ("import sys, time\nfrom config.settings import load_settings\nfrom watcher.db import open_store\n"
            "from veille.jobs import record_job\n"
            "store = open_store(load_settings(sys.argv[1]).database_path)\n"
            "with record_job(store, 'crawl'):\n    print('in job', flush=True)\n    time.sleep(300)\n")
    child = subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "in job\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    left = run_store.job_runs(store)[-1]
    assert (left.job, left.status, left.pid, left.finished) == ("crawl", "running", child.pid, None)

    lines: list[str] = []
    service = Service(settings, str(path), echo=lines.append, first_crawl_now=False)
    try:
        service.start()
    finally:
        service.close()
    found = clock.now().isoformat()
    [row] = [r for r in run_store.job_runs(store) if r.id == left.id]
    assert (row.status, row.interrupted_at, row.finished) == ("interrupted", found, None)
    assert row.error == f"found at {found}: its process (pid {child.pid}) ended before the run finished"
    assert f"  crawl job run {left.id} started {left.started} by pid {child.pid}: interrupted " \
           f"(found at {found})" in lines
    assert run_store.job_runs(store, status="running") == []

    at = app_test("sources")
    assert not at.exception
    shown = [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    assert f"interrupted: found at {found}: its process (pid {child.pid}) ended before the run finished" in shown


def test_the_scheduled_crawl_and_the_apps_crawl_now_take_the_same_lock(populated_store, monkeypatch):
    from types import SimpleNamespace

    from config.errors import CrawlBusyError
    from scoring import pipeline
    from tests.plugins.app import editor_ctx
    from ui.services import sources
    from veille import jobs
    from watcher.service_lock import crawl_lock

    path, settings, store = populated_store
    # the job scores after its crawl; scoring (a model load) is not what this test is about
    monkeypatch.setattr(pipeline, "score", lambda *a, **kw: SimpleNamespace(as_dict=lambda: {"scored": 0}))
    held = crawl_lock(settings.database_path)  # as a running `veille crawl` holds it
    try:
        assert held.holder_pid() == os.getpid()
        jobs.crawl_and_score(str(path))
        with pytest.raises(CrawlBusyError, match=rf"^another crawl is running \(pid {os.getpid()}\), skipped$"):
            sources.crawl_now(editor_ctx(settings, store))
    finally:
        held.release()
    run = run_store.job_runs(store, job="crawl")[0]
    assert run.status == "skipped" and run.finished
    assert json.loads(run.counts) == {"skipped": f"another crawl is running (pid {os.getpid()}), skipped"}
    assert run_store.crawl_runs(store) == []
    # released: the app's Crawl now runs (the populated feeds are unreachable: recorded as failures)
    assert sources.crawl_now(editor_ctx(settings, store))["run_id"] == 1
