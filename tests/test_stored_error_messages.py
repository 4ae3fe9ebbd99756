"""A feed's last error and a failed job's error are stored with their catalogue message (issue 12, "French,
complete"), so the Sources page words them in its reader's language; rows stored before keep their English.

Real parts: feeds served on 127.0.0.1 failing in several ways (404, 500, an HTML page, a read timeout, a refused
connection, a private address the guard refuses), the real crawler and job runner, a real SQLite file, and the
Sources page in AppTest in French and in English.
"""

from __future__ import annotations

import socket

import pytest

from config.errors import Message, Term, ValidationError, message_from_json, message_json
from tests.plugins.app_ui import open_page
from tests.test_french_complete import english_in, strip_data

# --- the JSON round-trip ---------------------------------------------------------------------------------


def test_a_message_goes_through_json_and_back_with_its_terms_and_inner_messages():
    inner = Message("err.fetch.blocked", {"host": "10.0.0.1", "reason": Term("term.address", "private")})
    message = Message("err.import.row", {
        "row": 3, "score": 0.25, "ratio": 2.0, "name": "L'été « chaud » 💡", "reason": inner,
        "allowed": (Term("status", "trial"), Term("status", "adopted")), "none": (),
    })
    text = message_json(message)
    assert isinstance(text, str)
    back = message_from_json(text)
    assert back == message
    assert back is not None
    assert isinstance(back.params["row"], int) and isinstance(back.params["ratio"], float)
    assert back.params["allowed"] == (Term("status", "trial"), Term("status", "adopted"))
    assert isinstance(back.params["reason"], Message) and back.params["reason"].params["reason"] == Term(
        "term.address", "private")
    assert message_json(Message("err.parse.html")) is not None
    assert message_from_json(message_json(Message("err.parse.html"))) == Message("err.parse.html", {})
    assert message_json(None) is None and message_from_json(None) is None and message_from_json("") is None


@pytest.mark.parametrize("text", ["not json", "[]", '{"params": {}}', '{"key": ""}', '{"key": 3}',
                                  '{"key": "k", "params": []}', '{"key": "k", "params": {"a": null}}',
                                  '{"key": "k", "params": {"a": {"term": ["x"]}}}',
                                  '{"key": "k", "params": {"a": {"what": 1}}}', '{"key": "k", "params": {"a": true}}'])
def test_text_that_is_not_a_stored_message_reads_as_none(text):
    assert message_from_json(text) is None  # the row's English text is shown instead


def test_a_value_that_is_not_a_message_value_is_refused():
    with pytest.raises(TypeError):
        message_json(Message("k", {"flag": True}))


# --- the migration ---------------------------------------------------------------------------------------


def test_a_database_from_before_m013_keeps_its_english_errors(tmp_path):
    from tests.plugins.db import database_before
    from watcher import db as dbm
    from watcher.db import open_store
    from watcher.store import feeds as feed_store
    from watcher.store import runs

    path = tmp_path / "old.db"
    conn = database_before(path, "m013_errors_as_messages")
    conn.execute("INSERT INTO feeds "  # sql: fabricates a database from before m013
                 "(id, url, added_at, last_status, error_count, last_error) "
                 "VALUES (1, 'https://f.example.org/rss', '2025-01-01', 'error', 2, 'HTTP 404 Not Found')")
    conn.execute("INSERT INTO job_runs "  # sql: fabricates a database from before m013
                 "(job, started, finished, status, error) "
                 "VALUES ('retention', '2025-01-01', '2025-01-01', 'failed', 'StoreError: disk full')")
    conn.close()

    with open_store(path) as store:
        assert dbm.migrations.pending_names(store.conn) == []
        [feed] = feed_store.list_feeds(store)
        assert (feed.last_error, feed.last_error_message) == ("HTTP 404 Not Found", None)
        assert "last_error_message" not in feed.as_dict()  # `veille feeds list --json` keeps its fields
        [run] = runs.job_runs(store)
        assert (run.error, run.error_message) == ("StoreError: disk full", None)


# --- a crawl with failing feeds, then the Sources page ------------------------------------------------------

FAILING = ("/missing", "/down", "/page", "/slow", "refused")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def failed(tmp_config, feed_server, monkeypatch):
    """(store, {name: feed url}, settings): one crawl of feeds failing each its way, one of a private address
    with the guard on, a failed job run with a message and rows written the old way (English only)."""
    from watcher.crawler import crawl
    from watcher.db import open_store
    from watcher.job_runs import record_job
    from watcher.store import feeds as feed_store
    from watcher.store import runs

    feed_server.add("/missing", b"nope", status=404, content_type="text/plain")
    feed_server.add("/down", b"down for maintenance", status=500, content_type="text/plain")
    feed_server.add("/page", b"<!doctype html><html><body><p>Hello</p></body></html>",
                    content_type="text/html; charset=utf-8")
    feed_server.add("/slow", b"<rss/>", delay=4.0)
    urls = {name: feed_server.url(name) for name in FAILING[:-1]}
    urls["refused"] = f"http://127.0.0.1:{_closed_port()}/feed.xml"
    feeds = "".join(f'[[feeds]]\nurl = "{u}"\n' for u in urls.values())
    path, settings = tmp_config("[crawler]\nallow_private_networks = true\ntimeout_seconds = 2\n"
                                f"read_timeout_seconds = 1\n{feeds}")
    monkeypatch.setenv("VEILLE_CONFIG", str(path))
    store = open_store(settings.database_path)
    summary = crawl(settings, store)
    assert (summary.ok, summary.failed) == (0, 5)
    # the guard on: the same server is a loopback address (the others wait for their backoff)
    urls["blocked"] = feed_server.url("/blocked")
    path, settings = tmp_config(f'[crawler]\nallow_private_networks = false\n[[feeds]]\nurl = "{urls["blocked"]}"\n')
    assert (crawl(settings, store).failed, feed_server.hits("/blocked")) == (1, 0)
    # rows from before the messages were stored: English text only
    urls["old"] = "https://old.example.org/rss"
    feed_store.ensure_feed(store, urls["old"], added_at="2025-01-01", last_status="error", error_count=1,
                           last_error="HTTP 410 Gone")
    old_run = runs.start_job_run(store, "retention", "2025-01-01T00:00:00Z")
    runs.finish_job_run(store, old_run, "2025-01-01T00:01:00Z", "failed", "{}", "StoreError: disk full")
    with record_job(store, "daily_digest"):  # a job that fails on an error carrying its message
        raise ValidationError("feed 'gone.example.org': not found", key="err.feed.not_found",
                              feed="gone.example.org")
    yield store, urls, settings
    store.close()


def _page(lang: str):
    at = open_page("sources", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _last_errors(at) -> dict[str, str]:
    [frame] = [f.value for f in at.dataframe if "last_error" in f.value.columns]
    return dict(zip(frame["url"], frame["last_error"], strict=True))


def _outcomes(at, lang: str) -> list[str]:
    from ui.i18n import translate

    column = translate("sources.outcome", lang)
    [frame] = [f.value for f in at.dataframe if column in f.value.columns]
    return list(frame[column])


def _data(store, urls: dict[str, str]) -> list[str]:
    """What a message says as it came (feed and library text: URLs, hosts, reason phrases, OS details) and the
    config setting it names (TOML, the same in both languages)."""
    from watcher.store import feeds as feed_store

    data = [*urls.values(), "127.0.0.1", "gone.example.org", "[crawler] allow_private_networks = true"]
    for f in feed_store.list_feeds(store):
        message = f.last_error_message
        for value in (message.params.values() if message else ()):
            if isinstance(value, str):
                data.append(value)
    return sorted(set(data), key=len, reverse=True)


@pytest.mark.slow
def test_the_sources_page_words_stored_errors_in_french_and_english(failed):
    from ui.i18n import colon, message_text
    from watcher.store import feeds as feed_store

    store, urls, _settings = failed
    stored = {f.url: f for f in feed_store.list_feeds(store)}
    keys = {name: (m.key if (m := stored[url].last_error_message) else None) for name, url in urls.items()}
    assert keys == {"/missing": "err.fetch.http", "/down": "err.fetch.http", "/page": "err.parse.html",
                    "/slow": "err.fetch.read_timeout", "refused": "err.fetch.connect",
                    "blocked": "err.fetch.blocked", "old": None}
    blocked = stored[urls["blocked"]].last_error_message
    assert blocked is not None and isinstance(blocked.params["reason"], Term)  # the term came back a term

    data = _data(store, urls)
    french = _last_errors(_page("fr"))
    english = _last_errors(_page("en"))
    for name, url in urls.items():
        message = stored[url].last_error_message
        if message is None:  # an old row: its English text, in both languages
            assert french[url] == english[url] == "HTTP 410 Gone"
            continue
        assert french[url] == message_text(message, "fr") and french[url] != english[url], name
        assert english_in(strip_data(french[url], data)) == [], (name, french[url])
        assert english[url] == message_text(message, "en") and english[url] == stored[url].last_error, name
    assert french[urls["/missing"]].startswith("erreur HTTP 404") and "le serveur a renvoyé une page HTML" in \
        french[urls["/page"]]

    gone = Message("err.feed.not_found", {"feed": "gone.example.org"})
    fr_runs, en_runs = _outcomes(_page("fr"), "fr"), _outcomes(_page("en"), "en")
    assert fr_runs[0] == f"échec{colon('fr')} {message_text(gone, 'fr')}" and "introuvable" in fr_runs[0], fr_runs
    assert en_runs[0] == "failed: feed “gone.example.org”: not found", en_runs
    assert english_in(strip_data(fr_runs[0], data)) == []
    assert fr_runs[1] == f"échec{colon('fr')} disk full" and en_runs[1] == "failed: disk full"  # the old run


def test_an_unforeseen_parse_failure_is_stored_with_its_message(tmp_config, feed_server, monkeypatch):
    """A bug in the parser (simulated: no real feed makes the parser raise, every known failure is a ParseError)
    is recorded on its feed with a message, so the Sources page words it in French too."""
    import watcher.ingest
    from ui.i18n import message_text
    from watcher.crawler import crawl
    from watcher.db import open_store
    from watcher.store import feeds as feed_store

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    feed_server.add("/feed.xml", b"<rss version='2.0'><channel><title>t</title></channel></rss>",
                    content_type="application/rss+xml")
    url = feed_server.url("/feed.xml")
    path, settings = tmp_config(f'[crawler]\nallow_private_networks = true\n[[feeds]]\nurl = "{url}"\n')
    monkeypatch.setattr(watcher.ingest, "prepare", broken)
    with open_store(settings.database_path) as store:
        assert crawl(settings, store).failed == 1
        [feed] = [f for f in feed_store.list_feeds(store) if f.url == url]
    assert feed.last_error == "parse error: RuntimeError: boom"
    assert feed.last_error_message is not None
    assert message_text(feed.last_error_message, "fr") == "flux illisible\u00a0: RuntimeError: boom"
    assert message_text(feed.last_error_message, "en") == "parse error: RuntimeError: boom"
