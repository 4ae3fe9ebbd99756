"""The crawler end to end: a real HTTP server on 127.0.0.1, real SQLite, the real fetcher."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from config import clock
from watcher import crawler, ingest
from watcher.cleaner import parse_iso
from watcher.crawler import crawl
from watcher.store import articles as article_store
from watcher.store import feeds as feed_store
from watcher.store import runs, search

FEEDS = Path(__file__).parent / "data" / "feeds"
RSS = "application/rss+xml; charset=utf-8"


def feed_body(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


@pytest.fixture
def setup(tmp_config, store):
    """setup(urls, crawler_toml="") -> settings; private networks allowed unless the TOML says otherwise."""

    def make(urls: list[str], crawler_toml: str = "allow_private_networks = true", extra: str = ""):
        feeds = "".join(f'[[feeds]]\nurl = "{u}"\n' for u in urls)
        _, settings = tmp_config(f"[crawler]\n{crawler_toml}\n{extra}\n{feeds}")
        return settings

    return make


def feed_row(store, url: str):
    return feed_store.get_feed(store, url)


def articles(store, feed_url: str | None = None) -> list[dict]:
    """Every column of the stored articles (those the feed carries, when given), by publication date."""
    return [a._asdict() for a in article_store.stored(store, feed_url=feed_url)]


def test_good_rss2_rss1_atom(feed_server, setup, store):
    feed_server.add("/rss2", feed_body("rss2.xml"))
    feed_server.add("/rss1", feed_body("rss1.rdf"), content_type="application/rdf+xml")
    feed_server.add("/atom", feed_body("atom.xml"), content_type="application/atom+xml")
    urls = [feed_server.url(p) for p in ("/rss2", "/rss1", "/atom")]
    settings = setup(urls)
    summary = crawl(settings, store)
    assert (summary.feeds, summary.ok, summary.failed, summary.new_articles) == (3, 3, 0, 7)
    rss2 = articles(store, urls[0])
    assert {a["url"] for a in rss2} >= {"https://learning-tech.example/2024/ai-tutors"}  # utm_* removed
    tutors = next(a for a in rss2 if a["url"].endswith("ai-tutors"))
    assert tutors["published"] == "2024-03-05T08:30:00+00:00"
    assert tutors["language"] == "en" and tutors["author"] == "Ada Example"
    assert "<strong>AI tutors</strong>" in tutors["content_html"]
    assert tutors["summary_text"].startswith("Warehouse teams now use AI tutors")
    atom = articles(store, urls[2])
    assert {a["language"] for a in atom} == {"fr"}
    assert atom[-1]["title"] == "La réalité virtuelle en formation"
    assert len(articles(store, urls[1])) == 2
    feeds = {f.url: f for f in feed_store.all_feeds(store)}
    assert feeds[urls[0]].title == "Learning Tech Weekly" and feeds[urls[0]].last_status == "ok"
    assert [r.ok for r in runs.crawl_runs(store) if r.id == summary.run_id] == [3]
    # full-text search works on stored articles
    assert len(search.matches(store, "realite")[0]) == 1


def test_second_crawl_is_304_without_parse_or_rewrite(feed_server, setup, store, monkeypatch):
    feed_server.add("/etag", feed_body("rss2.xml"), etag='"v1"')
    feed_server.add("/lm", feed_body("atom.xml"), last_modified="Wed, 06 Mar 2024 10:00:00 GMT",
                    content_type="application/atom+xml")
    settings = setup([feed_server.url("/etag"), feed_server.url("/lm")])
    first = crawl(settings, store)
    assert first.new_articles == 5
    before = articles(store)
    parses = []
    real_prepare = ingest.prepare  # the crawler imports it from there on the first body
    monkeypatch.setattr(ingest, "prepare", lambda *a, **k: parses.append(a) or real_prepare(*a, **k))
    second = crawl(settings, store, all_feeds=True)
    assert (second.not_modified, second.ok, second.new_articles, second.updated_articles) == (2, 0, 0, 0)
    assert parses == []
    assert articles(store) == before
    assert feed_server.requests("/etag")[-1]["headers"]["if-none-match"] == '"v1"'
    assert feed_server.requests("/lm")[-1]["headers"]["if-modified-since"] == "Wed, 06 Mar 2024 10:00:00 GMT"
    assert feed_row(store, feed_server.url("/etag")).last_status == "not_modified"
    feed_server.add("/etag", feed_body("rss2.xml"), etag='"v2"')  # changed: parsed again (the spy is live)
    crawl(settings, store, all_feeds=True)
    assert len(parses) == 1


def test_rerun_without_validators_adds_and_rewrites_nothing(feed_server, setup, store):
    for name in ("rss2.xml", "no_id.xml", "dup_guids.xml", "atom.xml"):
        feed_server.add("/" + name, feed_body(name))  # no ETag/Last-Modified: full 200 every time
    settings = setup([feed_server.url("/" + n) for n in ("rss2.xml", "no_id.xml", "dup_guids.xml", "atom.xml")])
    first = crawl(settings, store)
    assert first.new_articles == 3 + 3 + 2 + 2
    before = articles(store)
    store.conn.execute("CREATE TEMP TABLE writes (n)")  # sql: fabricates a write probe
    store.conn.execute("CREATE TEMP TRIGGER w AFTER UPDATE ON main.articles "  # sql: fabricates a write probe
                       "BEGIN INSERT INTO writes VALUES (1); END")
    second = crawl(settings, store, all_feeds=True)
    assert (second.ok, second.new_articles, second.updated_articles) == (4, 0, 0)
    assert store.scalar("SELECT COUNT(*) FROM writes") == 0  # sql: schema the probe's TEMP table, no store data
    assert articles(store) == before


def test_changed_entry_is_updated(feed_server, setup, store):
    body = feed_body("rss2.xml")
    feed_server.add("/f", body, etag='"1"')
    settings = setup([feed_server.url("/f")])
    crawl(settings, store)
    feed_server.add("/f", body.replace(b"rehearse emergencies", b"rehearse fire emergencies"), etag='"2"')
    summary = crawl(settings, store, all_feeds=True)
    assert (summary.new_articles, summary.updated_articles) == (0, 1)
    row = next(a for a in article_store.stored(store) if (a.url or "").endswith("vr-safety"))
    assert "fire emergencies" in row.summary_text and row.last_changed >= row.first_seen


def test_permanent_redirect_is_reported_not_saved(feed_server, setup, store):
    feed_server.add("/old", status=301, redirect_to=feed_server.url("/new"))
    feed_server.add("/new", feed_body("rss2.xml"))
    settings = setup([feed_server.url("/old")])
    summary = crawl(settings, store)
    assert summary.ok == 1 and summary.new_articles == 3
    feed = feed_row(store, feed_server.url("/old"))
    assert feed.moved_to == feed_server.url("/new")
    assert feed_store.find_feed(store, feed_server.url("/new")) is None  # URL not silently changed


def test_http_errors_timeout_loop_and_html_are_recorded_others_continue(feed_server, setup, store):
    feed_server.add("/good", feed_body("rss2.xml"))
    feed_server.add("/missing", b"nope", status=404, content_type="text/plain")
    feed_server.add("/boom", b"oops", status=500, content_type="text/plain")
    feed_server.add("/slow", feed_body("atom.xml"), delay=5.0)
    feed_server.add("/loop-a", status=302, redirect_to=feed_server.url("/loop-b"))
    feed_server.add("/loop-b", status=302, redirect_to=feed_server.url("/loop-a"))
    feed_server.add("/page", feed_body("page.html"), content_type="text/html; charset=utf-8")
    paths = ["/missing", "/boom", "/slow", "/loop-a", "/page", "/good"]
    settings = setup([feed_server.url(p) for p in paths],
                     "allow_private_networks = true\ntimeout_seconds = 1.5\nread_timeout_seconds = 1.0")
    summary = crawl(settings, store)
    assert (summary.ok, summary.failed, summary.new_articles) == (1, 5, 3)
    errors = {p: feed_row(store, feed_server.url(p)) for p in paths}
    assert errors["/missing"].last_error == "HTTP 404 Not Found" and errors["/missing"].http_status == 404
    assert "500" in errors["/boom"].last_error
    assert "timed out" in errors["/slow"].last_error
    assert "redirect" in errors["/loop-a"].last_error
    assert "HTML page" in errors["/page"].last_error
    for p in paths[:-1]:
        f = errors[p]
        assert f.error_count == 1 and f.last_status == "error" and "\n" not in f.last_error
    assert {u for u, _ in summary.failures} == {feed_server.url(p) for p in paths[:-1]}
    log = runs.fetch_log(store, run_id=summary.run_id)
    assert sorted(r.outcome for r in log) == ["error"] * 5 + ["ok"]


def test_429_retry_after_pushes_next_check(feed_server, setup, store):
    feed_server.add("/busy", b"slow down", status=429, headers={"Retry-After": "7200"}, content_type="text/plain")
    settings = setup([feed_server.url("/busy")], extra="[schedule]\ncrawl_every_minutes = 30")
    before = clock.now()
    summary = crawl(settings, store)
    assert summary.failed == 1
    feed = feed_row(store, feed_server.url("/busy"))
    assert "429" in feed.last_error
    assert parse_iso(feed.next_check) >= before + timedelta(seconds=7200) - timedelta(seconds=5)
    # not due before that: a normal crawl leaves it alone
    assert crawl(settings, store).feeds == 0


def test_backoff_then_disable_after_n_failures(feed_server, setup, store):
    feed_server.add("/down", b"down", status=503, content_type="text/plain")
    settings = setup([feed_server.url("/down")],
                     "allow_private_networks = true\nmax_consecutive_failures = 3\nmax_backoff_hours = 3",
                     extra="[schedule]\ncrawl_every_minutes = 60")
    delays = []
    for _ in range(3):
        started = clock.now()
        crawl(settings, store, all_feeds=True)
        feed = feed_row(store, feed_server.url("/down"))
        delays.append((parse_iso(feed.next_check) - started).total_seconds() / 60)
    assert 50 <= delays[0] <= 61 and 110 <= delays[1] <= 121  # 60 min, then 120 min (minus a little slack)
    assert delays[2] <= 181  # capped at max_backoff_hours
    assert feed.error_count == 3 and feed.disabled
    assert "3 consecutive failures" in feed.disabled_reason and "503" in feed.disabled_reason
    assert crawl(settings, store, all_feeds=True).feeds == 0  # disabled feeds are not fetched
    feed_store.set_feed_enabled(store, feed.url, True)
    assert feed_row(store, feed.url).error_count == 0


def test_gzip_bomb_and_endless_body_hit_the_cap_others_continue(feed_server, setup, store):
    feed_server.add_gzip_bomb("/bomb", decoded_size=200_000_000)
    feed_server.add_endless("/endless")
    feed_server.add("/good", feed_body("rss2.xml"), gzip=True)
    settings = setup([feed_server.url(p) for p in ("/bomb", "/endless", "/good")],
                     "allow_private_networks = true\nmax_bytes = 1_000_000\ntimeout_seconds = 10")
    summary = crawl(settings, store)
    assert (summary.ok, summary.failed, summary.new_articles) == (1, 2, 3)
    for p in ("/bomb", "/endless"):
        assert "exceeds 1000000 bytes" in feed_row(store, feed_server.url(p)).last_error


def test_billion_laughs_and_external_entity_through_the_crawler(feed_server, setup, store):
    feed_server.add("/laughs", feed_body("billion_laughs.xml"))
    feed_server.add("/xxe", feed_body("xxe.xml"))
    settings = setup([feed_server.url("/laughs"), feed_server.url("/xxe")])
    summary = crawl(settings, store)
    assert summary.ok == 2 and summary.new_articles == 2
    dump = "\n".join(str(a) for a in articles(store))
    assert "lollollol" not in dump and "root:" not in dump
    assert "DOCTYPE" in feed_row(store, feed_server.url("/laughs")).warning


def test_truncated_feed_keeps_entries_with_warning(feed_server, setup, store):
    feed_server.add("/cut", feed_body("truncated.xml"))
    settings = setup([feed_server.url("/cut")])
    summary = crawl(settings, store)
    assert summary.ok == 1 and summary.new_articles >= 2
    feed = feed_row(store, feed_server.url("/cut"))
    assert feed.last_status == "ok" and "ill-formed" in feed.warning


def test_latin1_feed_header_and_declaration(feed_server, setup, store):
    body = feed_body("latin1.xml")
    feed_server.add("/declared", body, content_type="application/rss+xml")
    feed_server.add("/header", body.replace(b"guid>latin-1<", b"guid>latin-2<").replace(b"/reforme", b"/reforme2"),
                    content_type="application/rss+xml; charset=ISO-8859-1")
    settings = setup([feed_server.url("/declared"), feed_server.url("/header")])
    crawl(settings, store)
    rows = articles(store)
    assert len(rows) == 2
    for row in rows:
        assert row["title"] == "Réforme de l'apprentissage : ce qu'il faut savoir à la rentrée"
        assert "Été chargé à l'école, ça va." in row["summary_text"]
        assert row["language"] == "fr"
    assert feed_row(store, feed_server.url("/header")).title == "Actualités de la formation"


def test_hostile_html_is_sanitised_in_the_database(feed_server, setup, store):
    feed_server.add("/hostile", feed_body("hostile.xml"))
    settings = setup([feed_server.url("/hostile")])
    crawl(settings, store)
    rows = articles(store)
    html = " ".join(r["content_html"] + r["title"] for r in rows).lower()
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<style", "data:", "<object",
                "<embed", "<form", "<svg"):
        assert bad not in html, bad
    assert 'href="https://good.example/"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert {r["url"] for r in rows} == {"https://hostile.example/1", None}  # javascript: link not stored


def test_duplicate_guids_and_entries_without_id(feed_server, setup, store):
    feed_server.add("/dup", feed_body("dup_guids.xml"))
    feed_server.add("/noid", feed_body("no_id.xml"))
    settings = setup([feed_server.url("/dup"), feed_server.url("/noid")])
    summary = crawl(settings, store)
    assert summary.new_articles == 2 + 3
    assert {a["url"] for a in articles(store, feed_server.url("/dup"))} == {
        "https://dup.example/one", "https://dup.example/two"}
    assert len(articles(store, feed_server.url("/noid"))) == 3
    again = crawl(settings, store, all_feeds=True)
    assert (again.new_articles, again.updated_articles) == (0, 0)


def test_same_article_in_two_feeds_with_tracking_params(feed_server, feed_server2, setup, store):
    feed_server.add("/a", feed_body("tracking_a.xml"))
    feed_server2.add("/b", feed_body("tracking_b.xml"))
    settings = setup([feed_server.url("/a"), feed_server2.url("/b")])
    summary = crawl(settings, store)
    assert summary.new_articles == 3
    shared = [a for a in article_store.stored(store) if a.url == "https://news.example.com/ai-act"]
    assert len(shared) == 1
    assert len(article_store.entries(store, shared[0].id)) == 2


def test_private_addresses_refused_directly_and_through_a_redirect(feed_server, feed_server2, setup, store):
    feed_server.add("/direct", feed_body("rss2.xml"))
    feed_server.add("/hop", status=302, redirect_to=feed_server2.url("/inside"))
    feed_server2.add("/inside", feed_body("atom.xml"))
    feed_server2.add("/ok", feed_body("rss1.rdf"))
    # feed_server2 is allow-listed; feed_server is not, and a redirect from feed_server2 into it must be refused too
    feed_server2.add("/hop2", status=302, redirect_to=feed_server.url("/direct"))
    urls = [feed_server.url("/direct"), feed_server2.url("/hop2"), feed_server2.url("/ok")]
    settings = setup(urls, f'allow_private_networks = false\nprivate_allowlist = ["{feed_server2.host_port}"]')
    summary = crawl(settings, store)
    assert (summary.ok, summary.failed) == (1, 2)
    for url in urls[:2]:
        feed = feed_row(store, url)
        assert feed.last_status == "error" and "loopback" in feed.last_error, feed.last_error
    assert feed_server.hits("/direct") == 0  # refused before any request reached it
    assert feed_server2.hits("/hop2") == 1


def test_many_feeds_parse_in_a_process_pool(feed_server, setup, store, monkeypatch):
    monkeypatch.setattr(crawler, "POOL_MIN_FEEDS", 4)  # the real threshold is tuned for big crawls
    pools = []
    real_make_pool = crawler._make_pool
    monkeypatch.setattr(crawler, "_make_pool", lambda *a: pools.append(real_make_pool(*a)) or pools[-1])
    n = 6
    template = feed_body("rss2.xml")
    for i in range(n):
        feed_server.add(f"/f{i}", template.replace(b"learning-tech.example/2024", f"site{i}.example/p".encode()))
    settings = setup([feed_server.url(f"/f{i}") for i in range(n)],
                     "allow_private_networks = true\nparse_workers = 2")
    summary = crawl(settings, store)
    assert (summary.ok, summary.new_articles) == (n, 3 * n)
    assert len({a.url for a in article_store.stored(store) if a.url is not None}) == 3 * n
    assert len(pools) == 1 and pools[0] is not None  # the pool was really used
