"""The Sources page's job-run table is words, in English and in French (issue 12): never a job's internal name
(`crawl:ui`, `rescore:<profile>`), a profile key, a figure's raw key, a Python repr or a stored sentence.

The jobs are the real ones a first week runs, on a real SQLite file and feeds served on 127.0.0.1 (one of them
failing): Crawl now from the page, the scheduler's crawl and score (once while another crawl holds the lock),
its weekly digest through a real SMTP server (sent, then nothing new), its daily digest with no daily reader,
retention, and a profile rescored in the background from the app.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.utils import format_datetime

import pytest

from config import clock
from tests.plugins.app import editor_ctx
from tests.plugins.app_ui import open_page

PROFILE_KEY, PROFILE_NAME = "ops_floor", "Shop-floor operators"

TOML = f"""
[crawler]
allow_private_networks = true

[[profiles]]
key = "{PROFILE_KEY}"
name = "{PROFILE_NAME}"
interests = ["safety training for warehouse staff", "formation sécurité des préparateurs de commandes"]
"""

RECIPIENT = f"""
[[email.recipients]]
address = "dlm@example.org"
profiles = ["{PROFILE_KEY}"]
frequency = "weekly"
language = "fr"
min_score = 0.2
"""

ITEMS = {
    "en": [("Forklift refresher goes mobile at a parcel hub",
            "A parcel hub replaced its yearly forklift refresher with four short phone lessons for 300 drivers."),
           ("Warehouse onboarding checklist moves to a chat app",
            "New pickers now get their first-week safety checklist as daily chat messages.")],
    "fr": [("Entrepôt : la sécurité des préparateurs en micro-leçons",
            "Un logisticien forme 250 préparateurs de commandes avec des leçons de trois minutes sur mobile.")],
}

TIME = re.compile(r"\b\d{1,2}:\d{2}\b")  # a time of day in a date cell: the one colon inside a word allowed
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _rss(server, lang: str) -> str:
    now = clock.now()
    items = "".join(
        f"<item><title>{title}</title><link>{server.url(f'/{lang}/{n}.html')}</link><description>{text}"
        f"</description><pubDate>{format_datetime(now - timedelta(hours=5 + n), usegmt=True)}</pubDate></item>"
        for n, (title, text) in enumerate(ITEMS[lang]))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {lang}</title>'
            f"<link>{server.url('/')}</link><language>{lang}</language>{items}</channel></rss>")


@pytest.fixture
def first_week(tmp_config, feed_server, smtp_server, monkeypatch):
    """(config path, settings, store): three feeds (one answering HTTP 500) and one weekly reader."""
    from ui.services import sources
    from watcher.db import open_store

    for lang in ("en", "fr"):
        feed_server.add(f"/{lang}.xml", _rss(feed_server, lang))
    feed_server.add("/down.xml", "down for maintenance", status=500, content_type="text/plain")
    path, settings = tmp_config(TOML + smtp_server.email_toml(recipients=RECIPIENT) + "".join(
        f'\n[[feeds]]\nurl = "{feed_server.url(p)}"\n' for p in ("/en.xml", "/fr.xml", "/down.xml")))
    monkeypatch.setenv("VEILLE_CONFIG", str(path))
    store = open_store(settings.database_path)
    yield path, settings, store
    sources.wait_crawl(30)
    sources.forget_crawl()
    store.close()


def _page(lang: str):
    at = open_page("sources", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _vocabulary(lang: str) -> set[str]:
    """Every word of the catalogue in `lang`, the months as dates are written, and the profile's name."""
    from ui.i18n import STRINGS, format_date

    text = " ".join(pair[lang == "fr"] for pair in STRINGS.values())
    text += " " + " ".join(format_date(date(2026, m, 1), lang) for m in range(1, 13)) + " " + PROFILE_NAME
    return {w.lower() for w in WORD.findall(text)}


def _job_table(at, lang: str):
    from ui.i18n import translate

    column = translate("sources.counts", lang)
    [frame] = [f.value for f in at.dataframe if column in f.value.columns]
    return frame


@pytest.mark.slow
def test_the_job_runs_of_a_first_week_are_words_in_english_and_french(first_week):
    from ui.i18n import translate
    from ui.services import profiles, sources
    from veille import jobs
    from watcher.service_lock import crawl_lock
    from watcher.store import runs as run_store

    path, settings, store = first_week
    # Crawl now, from the page (in English)
    at = _page("en")
    next(b for b in at.button if b.key == "sources_crawl").click().run()
    assert sources.wait_crawl(60).state == "done"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # the scheduler's jobs, as `veille serve` runs them
    jobs.crawl_and_score(str(path))
    held = crawl_lock(settings.database_path)  # a `veille crawl` running meanwhile
    try:
        jobs.crawl_and_score(str(path))
    finally:
        held.release()
    jobs.weekly_digest(str(path))
    jobs.weekly_digest(str(path))  # nothing new since: not sent
    jobs.daily_digest(str(path))  # no daily reader
    jobs.retention(str(path))
    # a profile rescored in the background from the app
    profiles.start_rescore(editor_ctx(settings, store), PROFILE_KEY)
    assert profiles.wait_rescore(PROFILE_KEY, 60).state == "done"

    recorded = run_store.job_runs(store)
    assert sorted(r.job for r in recorded) == sorted(
        ["crawl", "crawl", "score", "crawl", "score", "weekly_digest", "weekly_digest", "daily_digest", "retention",
         "rescore"]), [(r.job, r.status) for r in recorded]
    assert [r.status for r in recorded if r.job == "crawl"] == ["ok", "ok", "skipped"]
    assert "crawl:ui" in " ".join(r.counts for r in recorded) and PROFILE_KEY in " ".join(r.counts for r in recorded)

    for lang in ("en", "fr"):
        frame = _job_table(_page(lang), lang)
        assert len(frame) == len(recorded)
        vocabulary = _vocabulary(lang)
        for row in frame.itertuples(index=False):
            for cell in row:
                text = str(cell)
                assert text.strip(), (lang, list(row))
                assert "{" not in text and "}" not in text and "None" not in text, (lang, text)
                assert not re.search(r"\w_\w", text), (lang, text)  # no snake_case key (ops_floor, daily_digest)
                assert not re.search(r"\S:\S", TIME.sub("", text)), (lang, text)  # no crawl:ui, no URL
                assert not re.search(r"\w\(|\[|'\w+':|<\w", text), (lang, text)  # no Python repr
                strangers = {w for w in WORD.findall(text) if w.lower() not in vocabulary}
                assert not strangers, (lang, strangers, text)  # every word from the catalogue
        cells = frame.to_csv()
        colon = "\u00a0:" if lang == "fr" else ":"
        for key, value in (("count.job", translate("job.crawl:ui", lang)),  # Crawl now, named in words
                           ("count.failed", "1"),  # the failing feed counted; its error is on the feed's row
                           ("count.new_articles", "3"),
                           ("count.skipped", translate("sources.job_busy", lang)),
                           ("count.nothing_new", "1"), ("count.sent", "1"), ("count.recipients", "0"),
                           ("count.profile", PROFILE_NAME),  # the rescored profile by its name, not its key
                           ("count.embedded", "3")):
            assert f"{translate(key, lang)}{colon} {value}" in cells, (lang, key, cells)
        assert translate("job.rescore", lang) in cells and translate("outcome.skipped", lang) in cells
