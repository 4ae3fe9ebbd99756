"""Crawl now in a real browser: `veille ui` (local single-user editor) on a database whose feeds are on the
test HTTP server. The click comes back at once with the button disabled and a progress bar; when the crawl
ends, the page redraws by itself (the fragment's poller) with the result in words and the new job run."""

from __future__ import annotations

import json

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _settle, running_ui
from tests.test_crawl_now_background import Site
from watcher.store import runs as run_store

pytestmark = pytest.mark.slow


def test_crawl_now_runs_in_the_background_and_the_page_redraws_with_the_result(tmp_config, feed_server):
    from playwright.sync_api import sync_playwright

    from bench.corpus import PROFILES_TOML
    from tests.plugins.app import editor_ctx
    from ui.services import sources
    from watcher.db import open_store

    path, settings = tmp_config(PROFILES_TOML + "\n[crawler]\nallow_private_networks = true\n")
    served = Site(feed_server)
    with open_store(settings.database_path) as store:
        for url in (served.a, served.b, served.c):
            sources.add_feed(editor_ctx(settings, store), url)
    try:
        with running_ui(path, path.with_name("ui.log")) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(url)
            page.get_by_test_id("stSidebarNav").wait_for(timeout=30_000)
            page.get_by_test_id("stSidebarNav").get_by_role("link", name="Sources").click()
            _settle(page)
            button = page.get_by_role("button", name="Crawl now")
            assert button.is_enabled()
            button.click()
            assert served.held.wait(30)  # the crawl waits on /b.xml
            page.get_by_test_id("stProgress").wait_for(timeout=30_000)
            page.get_by_test_id("stProgress").get_by_text("Crawling: 2 of 3 feeds").wait_for(timeout=30_000)
            assert page.get_by_role("button", name="Crawl now").is_disabled()
            served.release.set()
            alert = page.get_by_test_id("stAlertContentWarning")
            alert.wait_for(timeout=30_000)  # no click: the poller saw the end and redrew the page
            text = alert.inner_text().replace("\u2060", "")
            assert "3 feeds: 2 updated (5 new articles), 0 unchanged, 1 failed: " in text  # after the icon
            assert served.c in text
            page.get_by_test_id("stProgress").wait_for(state="detached", timeout=10_000)
            assert page.get_by_role("button", name="Crawl now").is_enabled()
            browser.close()
    finally:
        served.release.set()
    with open_store(settings.database_path) as store:
        run = run_store.job_runs(store)[-1]
    counts = json.loads(run.counts)  # figures, worded by the page in the reader's language
    assert (run.job, run.status) == ("crawl", "ok")
    assert (counts["job"], counts["feeds"], counts["ok"], counts["failed"], counts["new_articles"]) == \
        ("crawl:ui", 3, 2, 1, 5)
