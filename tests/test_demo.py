"""The offline demo: the feed server, `veille demo --once`, and the whole thing with the app in a browser."""

from __future__ import annotations

import calendar
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import feedparser
import httpx
import pytest
from defusedxml import ElementTree as SafeET

from config import clock
from tests.plugins.smtp import free_port

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "demo" / "corpus"
VERSIONS = {"rss2": "rss20", "atom": "atom10", "rss1": "rss10"}


def test_demo_server_serves_valid_feeds_with_conditional_get():
    from demo.server import ROUNDUP, DemoServer

    feeds = json.loads((CORPUS / "feeds.json").read_text(encoding="utf-8"))
    assert len(feeds) >= 10
    with DemoServer() as server:
        total = 0
        for feed in feeds:
            url = f"{server.base_url}/feeds/{feed['key']}.xml"
            r = httpx.get(url)
            assert r.status_code == 200 and "xml" in r.headers["content-type"]
            SafeET.fromstring(r.content)  # well-formed XML
            parsed = feedparser.parse(r.content, response_headers=dict(r.headers))
            articles = json.loads((CORPUS / "articles" / f"{feed['key']}.json").read_text(encoding="utf-8"))
            assert parsed.version == VERSIONS[feed["format"]], feed["key"]
            assert not parsed.bozo, (feed["key"], parsed.get("bozo_exception"))
            assert parsed.feed.title == feed["title"]  # "&" and accents survive the escaping
            assert len(parsed.entries) == len(articles)
            assert {e.title for e in parsed.entries} == {a["title"] for a in articles}
            assert all(e.link.startswith(f"{server.base_url}/{feed['key']}/") for e in parsed.entries)
            newest = min(articles, key=lambda a: a["days_ago"])
            entry = next(e for e in parsed.entries if e.title == newest["title"])
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            age_days = (clock.now().timestamp() - calendar.timegm(stamp)) / 86400 if stamp else None
            assert age_days is not None and abs(age_days - newest["days_ago"]) < 0.1
            total += len(parsed.entries)
            # conditional GET: same ETag or Last-Modified -> 304 without a body
            assert httpx.get(url, headers={"If-None-Match": r.headers["etag"]}).status_code == 304
            assert httpx.get(url, headers={"If-Modified-Since": r.headers["last-modified"]}).status_code == 304
        assert total >= 200
        roundup = feedparser.parse(httpx.get(f"{server.base_url}/feeds/{ROUNDUP}.xml").content)
        assert roundup.entries and all("utm_source=roundup" in e.link for e in roundup.entries)
        page = httpx.get(roundup.entries[0].link)
        assert page.status_code == 200 and roundup.entries[0].title.split()[0] in page.text
        assert httpx.get(f"{server.base_url}/nope/nothing").status_code == 404


def _demo_cmd(folder: Path, *extra: str, feed_port: int = 0) -> list[str]:
    return [sys.executable, "-m", "veille", "demo", "--dir", str(folder), "--feed-port", str(feed_port or free_port()),
            "--smtp-port", str(free_port()), *extra]


@pytest.mark.slow
def test_demo_once_fills_the_database_and_sends_the_demo_digests(tmp_path):
    from config.settings import load_settings
    from watcher.db import open_store
    from watcher.store import articles, digests, feeds, scores, tools

    folder = tmp_path / "demo"
    feed_port = free_port()  # the same feeds on both runs, as with the default port
    result = subprocess.run(_demo_cmd(folder, "--once", feed_port=feed_port), cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    settings = load_settings(folder / "veille.toml")
    assert settings.crawler.allow_private_networks is True and len(settings.profiles) == 4
    with open_store(settings.database_path) as store:
        assert articles.count(store) >= 200
        assert [f.url for f in feeds.all_feeds(store) if f.last_error] == []
        assert len({profile for _id, profile, _score, _why in scores.all_rows(store)}) == 4
        assert len(tools.names(store)) >= 5
        sent = [s for s in digests.sends(store) if s.status == "sent"]
        carriers = Counter(e.article_id for e in articles.entries(store))  # article id -> feeds carrying it
        duplicated = sum(1 for n in carriers.values() if n > 1)
        tracked = sum(1 for a in articles.stored(store) if "utm" in (a.url or "").lower())
    assert len(sent) == 2 and all(len(s.story_ids) >= 3 for s in sent)
    mails = sorted((folder / "mailbox").glob("*.eml"))
    assert len(mails) == 2
    for path in mails:
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert msg.get_content_type() == "multipart/alternative"
    assert (folder / "mailbox" / "latest-dlm@example.org.html").exists()
    # a second run finds nothing new to send (and re-crawls the unchanged feeds with 304s)
    again = subprocess.run(_demo_cmd(folder, "--once", feed_port=feed_port), cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(list((folder / "mailbox").glob("*.eml"))) == 2
    # the roundup re-links articles with utm_* parameters: each stored once, carried by two feeds
    assert tracked == 0
    assert duplicated >= 5


@pytest.mark.slow
def test_demo_with_app_answers_and_lists_demo_stories_then_ctrl_c_stops_all(tmp_path):
    import psutil
    from playwright.sync_api import sync_playwright

    folder = tmp_path / "demo"
    port = free_port()
    proc = subprocess.Popen(_demo_cmd(folder, "--port", str(port)), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if f"open http://127.0.0.1:{port}" in line:
                break
        assert any(f"open http://127.0.0.1:{port}" in x for x in lines), "".join(lines)
        health = f"http://127.0.0.1:{port}/_stcore/health"
        while time.monotonic() < deadline:
            try:
                if httpx.get(health, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "the app child process is running"
        titles = set()
        for path in (CORPUS / "articles").glob("*.json"):
            titles |= {a["title"] for a in json.loads(path.read_text(encoding="utf-8"))}
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                page.goto(f"http://127.0.0.1:{port}/", wait_until="networkidle")
                page.wait_for_timeout(1000)
                seen = set()
                for _ in range(60):
                    text = page.inner_text("body")
                    seen = {t for t in titles if t in text}
                    if len(seen) >= 3:
                        break
                    page.wait_for_timeout(500)
                out = ROOT / "artifacts" / "screenshots"
                out.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out / "demo_app.png"))
                assert len(seen) >= 3, text[:2000]
            finally:
                browser.close()
        proc.send_signal(signal.SIGINT)  # what Ctrl-C does
        out_rest, _ = proc.communicate(timeout=120)
        lines.append(out_rest)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, "".join(lines)[-3000:]
    time.sleep(0.5)
    assert not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children)
