"""The Sources page's Crawl now runs as a background job (progress, job_runs row) and says its result in words.

Real crawls of a local HTTP server (tests/plugins/http_server.py): one feed with an ETag (a 304 the second
time), one that answers only when the test lets it (so the job is seen running), one that fails with a 500.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from bench.corpus import PROFILES_TOML
from config.errors import CrawlBusyError, PermissionDenied
from tests.plugins.app import editor_ctx, viewer_ctx
from tests.plugins.app_ui import open_page
from ui.safe import md
from ui.services import sources
from watcher.records import CrawlSummary
from watcher.store import feeds as feed_store
from watcher.store import runs as run_store


def _rss(name: str, items: int = 2) -> str:
    entries = "".join(
        f"<item><title>{name} item {i}</title><link>http://example.org/{name}/{i}</link>"
        f"<guid>{name}-item-{i}</guid><description>Microlearning note {name}.{i}</description></item>"
        for i in range(items)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {name}</title>'
            f"<link>http://example.org/{name}</link>{entries}</channel></rss>")


class Site:
    """Three feeds on the test server: /a.xml (ETag), /b.xml (held until `release`), /c.xml (HTTP 500)."""

    def __init__(self, server) -> None:
        self.server = server
        self.release = threading.Event()
        self.held = threading.Event()  # /b.xml was requested and waits
        body = _rss("b", 3).encode()

        def hold(handler) -> None:
            self.held.set()
            self.release.wait(30)
            handler.send_response(200)
            handler.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        server.add("/a.xml", _rss("a", 2), etag='"a-1"')
        server.add_handler("/b.xml", hold)
        server.add("/c.xml", "down for maintenance", status=500, content_type="text/plain")
        self.a, self.b, self.c = server.url("/a.xml"), server.url("/b.xml"), server.url("/c.xml")


@pytest.fixture
def site(tmp_config, feed_server):
    """(config path, settings, store, Site): a database whose only feeds are the test server's three."""
    from watcher.db import open_store

    path, settings = tmp_config(PROFILES_TOML + "\n[crawler]\nallow_private_networks = true\n"
                                                "timeout_seconds = 60\nread_timeout_seconds = 60\n")
    store = open_store(settings.database_path)
    served = Site(feed_server)
    ctx = editor_ctx(settings, store)
    for url in (served.a, served.b, served.c):
        sources.add_feed(ctx, url)
    yield path, settings, store, served
    served.release.set()
    sources.wait_crawl(30)
    sources.forget_crawl()
    store.close()


def _error(store, url: str) -> str:
    return feed_store.get_feed(store, url).last_error


def done_summary(result) -> dict:
    return result.summary.figures()


def test_start_crawl_returns_at_once_and_reports_progress_then_the_result_in_words(site):
    _path, settings, store, served = site
    ctx = editor_ctx(settings, store)
    status = sources.start_crawl(ctx, lang="en")
    assert status.running and status.key == "crawl:ui"
    assert served.held.wait(20)  # the crawl waits on /b.xml: start_crawl came back before it ended
    deadline = time.monotonic() + 20
    while (now := sources.crawl_status()).done < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert now.running and (now.step, now.done, now.total) == ("crawl", 2, 3) and now.fraction == pytest.approx(2 / 3)
    assert sources.crawl_result() is None  # nothing to say while it runs
    assert sources.start_crawl(ctx).started == status.started  # a second click joins the running crawl
    served.release.set()
    done = sources.wait_crawl(30)
    assert done.state == "done" and done.fraction == 1.0
    error = _error(store, served.c)
    assert "500" in error
    sentence = f"3 feeds: 2 updated (5 new articles), 0 unchanged, 1 failed: {served.c}: {error}"
    assert done.message == sentence
    result = sources.crawl_result(lang="en")
    assert (result.level, result.message) == ("warning", sentence)
    assert result.summary.failures == [(served.c, error)]
    # French, from the same outcome, in French typography
    french = sources.crawl_result(lang="fr")
    assert french.message == (f"3 flux\u00a0: 2 mis à jour (5 nouveaux articles), 0 inchangé, 1 en échec\u00a0: "
                              f"{served.c}\u00a0: {error}")
    run = run_store.job_runs(store)[-1]
    assert (run.job, run.status) == ("crawl", "ok") and run.finished
    counts = json.loads(run.counts)  # figures (the page words them for its reader), not the starter's sentence
    assert counts == {"job": "crawl:ui", **done_summary(result)}
    assert (counts["feeds"], counts["ok"], counts["failed"], counts["new_articles"], counts["failures"]) == \
        (3, 2, 1, 5, 1)
    listed = sources.job_runs(ctx)
    assert listed[0].job == "crawl" and listed[0].counts["new_articles"] == 5 and "result" not in listed[0].counts
    assert run_store.crawl_runs(store)[-1].trigger == "ui"
    sources.forget_crawl()
    assert sources.crawl_status() is None and sources.crawl_result() is None


def test_a_crawl_where_every_feed_answers_is_a_success_and_french_is_worded_in_french(site):
    _path, settings, store, served = site
    ctx = editor_ctx(settings, store)
    served.release.set()
    sources.start_crawl(ctx, lang="en")
    sources.wait_crawl(30)
    sources.forget_crawl()
    sources.set_enabled(ctx, served.c, False)
    status = sources.start_crawl(ctx, lang="fr")  # the job's own message in the starter's language
    done = sources.wait_crawl(30)
    assert done.started == status.started and done.state == "done"
    assert done.message == "2 flux\u00a0: 1 mis à jour (0 nouvel article), 1 inchangé, 0 en échec"
    result = sources.crawl_result(lang="en")
    assert (result.level, result.message) == ("success", "2 feeds: 1 updated (0 new articles), 1 unchanged, 0 failed")


def test_the_sentence_in_both_languages():
    many = CrawlSummary(feeds=12, ok=9, not_modified=2, failed=1, new_articles=1, updated_articles=2,
                        failures=[("https://x.example.org/feed", "HTTP 404 from   server\n(not found)")])
    assert sources.crawl_sentence(many, "en") == ("12 feeds: 9 updated (1 new article, 2 edited), 2 unchanged, "
                                                  "1 failed: https://x.example.org/feed: HTTP 404 from server "
                                                  "(not found)")
    assert sources.crawl_sentence(many, "fr") == ("12 flux\u00a0: 9 mis à jour (1 nouvel article, 2 modifiés), "
                                                  "2 inchangés, 1 en échec\u00a0: https://x.example.org/feed\u00a0: "
                                                  "HTTP 404 from server (not found)")
    one = CrawlSummary(feeds=1, not_modified=1)
    assert sources.crawl_sentence(one, "en") == "1 feed: 0 updated, 1 unchanged, 0 failed"
    assert sources.crawl_sentence(one, "fr") == "1 flux\u00a0: 0 mis à jour, 1 inchangé, 0 en échec"
    assert sources.crawl_sentence(CrawlSummary(), "en") == "No feed to crawl."
    assert sources.crawl_sentence(CrawlSummary(), "fr") == "Aucun flux à collecter."
    failing = [(f"https://f{i}.example.org/feed", "x" * 500) for i in range(7)]
    text = sources.crawl_sentence(CrawlSummary(feeds=7, failed=7, failures=failing), "en")
    assert text.startswith("7 feeds: 0 updated, 0 unchanged, 7 failed: https://f0.example.org/feed: xxx")
    assert text.count("https://") == 5 and text.endswith("…; … and 2 more")
    assert len(text) < 5 * (sources.ERROR_CHARS + 40) + 100
    french = sources.crawl_sentence(CrawlSummary(feeds=7, failed=7, failures=failing), "fr")
    assert french.endswith("…\u202f; … et 2 autres")
    busy = CrawlBusyError(4242)
    assert sources.busy_sentence(busy, "en") == "Another crawl is already running (pid 4242); this one was skipped."
    assert sources.busy_sentence(busy, "fr") == ("Une autre collecte est déjà en cours (pid 4242)\u202f; "
                                                 "celle-ci n'a pas été lancée.")


def test_a_viewer_cannot_start_a_crawl(site):
    _path, settings, store, served = site
    with pytest.raises(PermissionDenied):
        sources.start_crawl(viewer_ctx(settings, store))
    assert sources.crawl_status() is None and served.server.all_requests == []
    assert run_store.job_runs(store) == []


def test_a_crawl_running_elsewhere_makes_this_one_a_skip_said_as_info(site):
    import os

    from watcher.service_lock import crawl_lock

    _path, settings, store, _served = site
    held = crawl_lock(settings.database_path)  # as a running `veille crawl` holds it
    try:
        sources.start_crawl(editor_ctx(settings, store), lang="en")
        done = sources.wait_crawl(30)
    finally:
        held.release()
    sentence = f"Another crawl is already running (pid {os.getpid()}); this one was skipped."
    assert done.state == "done" and done.message == sentence
    assert sources.crawl_result(lang="en") == sources.CrawlResult("info", sentence)
    assert run_store.crawl_runs(store) == []


# --- the page -----------------------------------------------------------------------------------


@pytest.fixture
def sources_page(site, monkeypatch):
    """A factory: sources_page(lang) -> an AppTest on the Sources page of the `site` database."""
    path = site[0]
    monkeypatch.setenv("VEILLE_CONFIG", str(path))

    def make(lang: str = "en"):
        at = open_page("sources", lang=lang)
        assert not at.exception, [e.value for e in at.exception]
        return at

    return make


def _crawl_button(at):
    return next(b for b in at.button if b.key == "sources_crawl")


def _shown(at) -> list[str]:
    return [e.value for kind in ("success", "warning", "info", "error") for e in getattr(at, kind)]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_crawl_now_on_the_page_shows_progress_then_the_sentence_and_the_new_job_run(sources_page, site, lang):
    _path, _settings, store, served = site
    at = sources_page(lang)
    assert not _crawl_button(at).disabled
    _crawl_button(at).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert served.held.wait(20)
    # the crawl waits on /b.xml: the page came back with the button disabled and a progress bar
    assert _crawl_button(at).disabled
    assert at.get("progress"), "no progress bar while the crawl runs"
    served.release.set()
    assert sources.wait_crawl(30).state == "done"
    at.run()  # what the poller's rerun does once the job has ended
    assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
    error = _error(store, served.c)
    sentence = {
        "en": f"3 feeds: 2 updated (5 new articles), 0 unchanged, 1 failed: {served.c}: {error}",
        "fr": f"3 flux\u00a0: 2 mis à jour (5 nouveaux articles), 0 inchangé, 1 en échec\u00a0: {served.c}\u00a0: "
              f"{error}",
    }[lang]
    assert [w.value for w in at.warning] == [md(sentence)], _shown(at)
    assert not at.success
    assert not _crawl_button(at).disabled
    # the job run's row: its figures in the page's words (tests/test_sources_job_runs.py checks every cell)
    job_words = {"en": "job: crawl from the app · feeds: 3 · fetched: 2",
                 "fr": "tâche\u00a0: collecte depuis l'application · flux\u00a0: 3 · collectés\u00a0: 2"}[lang]
    assert any(job_words in frame.value.to_csv() for frame in at.dataframe), [f.value for f in at.dataframe]
    at.run()
    assert not at.warning  # the result is said once


def test_a_crawl_with_no_failure_is_a_success_on_the_page(sources_page, site):
    _path, settings, store, served = site
    served.release.set()
    sources.set_enabled(editor_ctx(settings, store), served.c, False)
    at = sources_page("en")
    _crawl_button(at).click().run()
    if not at.success:  # still running when the page reran: the result comes with the next run
        assert sources.wait_crawl(30).state == "done"
        at.run()
    assert [s.value for s in at.success] == [md("2 feeds: 2 updated (5 new articles), 0 unchanged, 0 failed")], \
        _shown(at)
    assert not at.warning and not at.error


# --- adding a feed, OPML, times: the rest of the page in words ----------------------------------------


def test_a_new_feed_is_test_fetched_before_it_is_accepted(sources_page, site, feed_server):
    """A feed is added with what was found in it; a page that is not a feed and an address nobody answers are
    refused in one line each, nothing added."""
    _path, settings, store, _served = site
    feed_server.add("/new.xml", _rss("new", 4))
    feed_server.add("/page.html", "<html><body>Hello</body></html>", content_type="text/html")
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/feed.xml"
    before = len(feed_store.all_feeds(store))
    at = sources_page("en")

    def add(url: str):
        at.text_input(key="feed_url").set_value(url)
        at.button(key="FormSubmitter:add_feed-Add feed").click().run()
        assert not at.exception, [e.value for e in at.exception]

    add(feed_server.url("/page.html"))
    # the sentence's words as written, its URL and reason escaped (ui.safe.md)
    assert len(at.error) == 1 and at.error[0].value.startswith(f"Not added: {md(feed_server.url('/page.html'))} "
                                                               "is not a feed"), _shown(at)
    add(dead)
    assert len(at.error) == 1 and at.error[0].value.startswith(f"Not added: {md(dead)} is unreachable"), _shown(at)
    assert "\n" not in at.error[0].value
    assert len(feed_store.all_feeds(store)) == before
    add(feed_server.url("/new.xml"))
    assert not at.error, _shown(at)
    assert [s.value for s in at.success] == [f"Feed added: {md(feed_server.url('/new.xml'))}, 4 entries found."]
    added = feed_store.find_feed(store, feed_server.url("/new.xml"))
    assert added is not None and added.title == "Feed new"
    assert len(feed_store.all_feeds(store)) == before + 1


def test_opml_import_is_a_sentence_and_times_are_in_the_configured_zone(site):
    from ui.services.records import OpmlImportResult

    assert sources.opml_sentence(OpmlImportResult(added=3, skipped=1, errors=("x: bad",))) == \
        "OPML imported: 3 feeds added, 1 already present, 1 refused."
    assert sources.opml_sentence(OpmlImportResult(added=1, skipped=0, errors=()), "fr") == \
        "OPML importé\u00a0: 1 flux ajouté."


def test_sources_page_times_carry_the_zone_and_statuses_are_words(sources_page, site):
    """The fixed test clock: a crawl at 12:00 UTC is shown 14:00 in Europe/Paris (summer), the zone said."""
    from ui.i18n import format_date

    _path, settings, store, served = site
    served.release.set()
    sources.crawl_now(editor_ctx(settings, store))
    zone = settings.schedule.timezone
    assert zone and zone != "UTC"
    at = sources_page("en")
    assert not at.exception and not at.error
    assert any(c.value == f"Times are in {md(zone)}." for c in at.caption), [c.value for c in at.caption]
    feeds = at.dataframe[0].value
    fetched = feed_store.get_feed(store, served.a).last_fetched
    local = format_date(fetched, with_time=True, zone=zone)
    assert local != format_date(fetched, with_time=True)  # Paris is never UTC's clock time
    assert local in set(feeds.iloc[:, list(feeds.columns).index("last_fetched")])
    assert "failing" in set(feeds["status"]) and "error" not in set(feeds["status"])  # a word, not the code
    assert list(feeds.columns).index("last_error") < list(feeds.columns).index("url")  # errors in view
    failing = feeds[feeds["url"] == served.c].iloc[0]
    assert failing["errors"] == 1 and "500" in failing["last_error"]
    at = sources_page("fr")
    assert any(c.value == f"Heures en {md(zone)}." for c in at.caption)
    assert "en échec" in set(at.dataframe[0].value["status"])
