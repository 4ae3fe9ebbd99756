"""Storage: feeds management, article upsert (insert / untouched / update), cross-feed de-duplication."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from config.errors import NotFoundError, ValidationError
from watcher.ingest import prepare
from watcher.store import articles, runs, scores, search
from watcher.store import feeds as feed_store
from watcher.store.feeds import FetchOutcome

FEEDS = Path(__file__).parent / "data" / "feeds"
RSS = {"content-type": "application/rss+xml"}
NOW = "2024-06-01T12:00:00+00:00"
LATER = "2024-06-01T13:00:00+00:00"


def prepared(name: str, feed_url: str):
    return prepare((FEEDS / name).read_bytes(), RSS, feed_url, now_iso=NOW)


def save(store, feed, prep, now=NOW):
    return feed_store.save_fetched(store, feed, prep, FetchOutcome(200, etag='"1"'), run_id=None, now=now,
                                next_check=LATER)


def writes_counter(store):
    """Count row writes to `articles` on this connection (temp trigger, test-only)."""
    store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS article_writes (op TEXT)")  # sql: fabricates a counter
    store.conn.execute("""CREATE TEMP TRIGGER IF NOT EXISTS aw_u AFTER UPDATE ON main.articles
                          BEGIN INSERT INTO article_writes VALUES ('update'); END""")  # sql: fabricates a counter
    store.conn.execute("""CREATE TEMP TRIGGER IF NOT EXISTS aw_i AFTER INSERT ON main.articles
                          BEGIN INSERT INTO article_writes VALUES ('insert'); END""")  # sql: fabricates a counter
    return lambda: store.scalar("SELECT COUNT(*) FROM article_writes")  # sql: schema the probe's TEMP table


def test_add_list_enable_disable_remove(store):
    feed = feed_store.add_feed(store, "https://a.example/feed", title="A", topics=["ai"], language="EN")
    assert feed.topics == ("ai",) and feed.language == "en"
    with pytest.raises(ValidationError, match="already exists"):
        feed_store.add_feed(store, "https://a.example/feed")
    with pytest.raises(ValidationError, match="http"):
        feed_store.add_feed(store, "ftp://a.example/feed")
    with pytest.raises(ValidationError):
        feed_store.add_feed(store, "file:///etc/passwd")
    feed_store.set_feed_enabled(store, feed.url, False, reason="too noisy")
    listing = feed_store.list_feeds(store)
    assert listing[0].status == "disabled" and listing[0].disabled_reason == "too noisy"
    assert feed_store.due_feeds(store, NOW) == []
    for _ in range(7):
        feed_store.save_failure(store, feed, "HTTP 503", FetchOutcome(503), run_id=None, now=NOW, next_check=LATER)
    enabled = feed_store.set_feed_enabled(store, feed.url, True)
    assert not enabled.disabled and enabled.error_count == 0 and enabled.disabled_reason is None
    assert [f.url for f in feed_store.due_feeds(store, NOW)] == [feed.url]
    feed_store.remove_feed(store, feed.url)
    assert feed_store.list_feeds(store) == []
    with pytest.raises(NotFoundError):
        feed_store.remove_feed(store, feed.url)
    with pytest.raises(NotFoundError):
        feed_store.set_feed_enabled(store, "https://nope.example/", True)


def test_sync_config_feeds_adds_missing_never_deletes(store, tmp_config):
    feed_store.add_feed(store, "https://user.example/feed")
    _, settings = tmp_config(
        '[[feeds]]\nurl = "https://cfg.example/a"\ntopics = ["ai"]\nlanguage = "fr"\n'
        '[[feeds]]\nurl = "https://cfg.example/b"\n'
    )
    assert feed_store.sync_config_feeds(store, settings) == 2
    assert feed_store.sync_config_feeds(store, settings) == 0
    urls = {f.url for f in feed_store.all_feeds(store)}
    assert urls == {"https://user.example/feed", "https://cfg.example/a", "https://cfg.example/b"}
    a = feed_store.get_feed(store, "https://cfg.example/a")
    assert a.topics == ("ai",) and a.language == "fr"


def test_upsert_insert_untouched_update(store):
    feed = feed_store.add_feed(store, "https://learning-tech.example/feed")
    prep = prepared("rss2.xml", feed.url)
    assert save(store, feed, prep) == (3, 0)
    count_writes = writes_counter(store)
    before = articles.stored(store)
    assert len(before) == 3
    assert save(store, feed, prep, now=LATER) == (0, 0)
    assert count_writes() == 0
    assert articles.stored(store) == before
    # one entry changes: only it is rewritten, with last_changed
    d = prep.drafts[1]
    changed = replace(d, summary_text=d.summary_text + " Updated.", content_hash="changed-hash")
    prep2 = replace(prep, drafts=(prep.drafts[0], changed, prep.drafts[2]))
    assert save(store, feed, prep2, now=LATER) == (0, 1)
    assert count_writes() == 1
    row = {a.id: a for a in articles.stored(store)}[d.id]
    assert row.summary_text.endswith("Updated.") and row.last_changed == LATER and row.first_seen == NOW
    assert row.published == d.published
    # full-text search follows the update
    assert len(search.matches(store, "Updated")[0]) == 1
    # status and log
    f = feed_store.get_feed(store, feed.url)
    assert f.last_status == "ok" and f.etag == '"1"' and f.title == "Learning Tech Weekly"
    assert len(runs.fetch_log(store, feed_id=feed.id)) == 3


def test_same_article_in_two_feeds_is_one_article_two_entries(store):
    a = feed_store.add_feed(store, "https://outlet-a.example/feed")
    b = feed_store.add_feed(store, "https://outlet-b.example/feed")
    assert save(store, a, prepared("tracking_a.xml", a.url)) == (2, 0)
    assert save(store, b, prepared("tracking_b.xml", b.url)) == (1, 0)
    rows = [a for a in articles.stored(store) if (a.url or "").startswith("https://news.example.com/")]
    assert [r.url for r in rows] == ["https://news.example.com/ai-act"]
    assert len(articles.entries(store, rows[0].id)) == 2
    counts = {r.url: r.articles for r in feed_store.list_feeds(store)}
    assert counts == {a.url: 2, b.url: 2}
    # removing the first feed keeps the shared article (handed to the other feed)
    assert feed_store.remove_feed(store, a.url) == 1
    assert [a.feed_id for a in articles.stored(store) if a.id == rows[0].id] == [b.id]


def test_undated_entries_keep_their_first_seen_date(store):
    feed = feed_store.add_feed(store, "https://noid.example/feed")
    save(store, feed, prepared("no_id.xml", feed.url))
    again = prepare((FEEDS / "no_id.xml").read_bytes(), RSS, feed.url, now_iso=LATER)
    assert save(store, feed, again, now=LATER) == (0, 0)
    published = {r.title: r.published for r in articles.stored(store)}
    assert published["Undated note without link"] == NOW
    assert published["From the far future"] == NOW  # clamped
    assert published["Announcement without link"] == "2024-03-01T10:00:00+00:00"


def test_tombstoned_urls_are_not_reingested(store):
    feed = feed_store.add_feed(store, "https://learning-tech.example/feed")
    prep = prepared("rss2.xml", feed.url)
    save(store, feed, prep)
    assert articles.prune_old_batch(store, "9999-12-31", 1, NOW) == 1  # retention removes the oldest one
    kept = {a.id for a in articles.stored(store)}
    (victim,) = [d for d in prep.drafts if d.id not in kept]
    with store.write() as conn:
        # even without its entry row, the URL stays out
        conn.execute("DELETE FROM entries")  # sql: fabricates a tombstoned URL with no entries left
    assert save(store, feed, prep, now=LATER) == (0, 0)  # the two others exist already
    assert victim.id not in {a.id for a in articles.stored(store)}
    assert len(articles.entries(store)) == 2


def test_failure_and_not_modified_records(store):
    feed = feed_store.add_feed(store, "https://x.example/feed")
    feed_store.save_failure(store, feed, "HTTP 500 Internal\nServer Error", FetchOutcome(500), run_id=None, now=NOW,
                         next_check=LATER)
    f = feed_store.get_feed(store, feed.url)
    assert f.error_count == 1 and f.last_error == "HTTP 500 Internal Server Error" and f.last_status == "error"
    feed_store.save_not_modified_many(store, [(f, FetchOutcome(304, moved_to="https://y.example/feed"), NOW, LATER)],
                                   run_id=None)
    f = feed_store.get_feed(store, feed.url)
    assert f.error_count == 0 and f.last_status == "not_modified" and f.moved_to == "https://y.example/feed"
    outcomes = [r.outcome for r in runs.fetch_log(store)]
    assert outcomes == ["error", "not_modified"]


def test_export_rows_join_topics_and_scores(store):
    feed = feed_store.add_feed(store, "https://learning-tech.example/feed")
    prep = prepared("rss2.xml", feed.url)
    save(store, feed, prep)
    art = prep.drafts[0].id
    with store.write():
        scores.set_topics(store, [art], [(art, "ai", 0.9), (art, "microlearning", 0.2)], "")
        scores.upsert(store, [(art, "frontline", 0.734567, "")])
    rows = {r["id"]: r for r in articles.iter_export_rows(store, batch=2)}
    assert len(rows) == 3
    assert rows[art]["topics"] == ["ai", "microlearning"]
    assert rows[art]["scores"] == {"frontline": 0.7346}
    assert rows[art]["feed_url"] == feed.url
    other = next(r for k, r in rows.items() if k != art)
    assert other["topics"] == [] and other["scores"] == {}
    since = list(articles.iter_export_rows(store, "2024-03-04T00:00:00+00:00"))
    assert len(since) == 2


def test_new_database_migrates_without_loading_pandas_or_numpy(tmp_path):
    """Migrations need sqlite-utils only; its optional pandas/numpy imports cost ~0.5 s per new database."""
    import subprocess
    import sys

    script = (
        "import sys; from watcher.db import open_store; "
        f"store = open_store({str(tmp_path / 'new.db')!r}); "
        "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules)); "
        "from watcher.db import migrations; "
        "print(bool(migrations.functions) and migrations.pending_names(store.conn) == []); "
        "import numpy; print(numpy.arange(3).sum())"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["[]", "True", "3"]
