"""Trends: weekly topic counts, rising topics and terms, per-source volume (checked against Python counts)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from config import clock
from tests.plugins.app import editor_ctx
from ui.services import trends
from watcher.ingest import ArticleDraft
from watcher.store import articles, feeds, scores

pytestmark = pytest.mark.dates


@pytest.fixture
def ctx(populated_store):
    _, settings, store = populated_store
    return editor_ctx(settings, store)


def monday(iso: str, zone: str) -> date:
    """The Monday of the week `iso` falls in, in `zone` (Python's zone rules, not the SQL under test)."""
    return clock.week_start(datetime.fromisoformat(iso).astimezone(clock.zone(zone)).date())


def draft(article_id: str, title: str, published: str) -> ArticleDraft:
    return ArticleDraft(id=article_id, entry_key=article_id, url=None, title=title, author="", published=published,
                        dated=True, updated=None, language="", content_html="", summary_text="", content_hash="h")


def store_articles(store, feed_id: int, items: list[tuple[str, str, str]], topic: str) -> None:
    """(id, title, published) articles of `feed_id`, first seen when published, all in `topic` (0.9)."""
    with store.write() as conn:
        for art, title, when in items:
            articles.upsert_articles(conn, feed_id, [draft(art, title, when)], when)
    ids = [art for art, _, _ in items]
    scores.set_topics(store, ids, [(art, topic, 0.9) for art in ids], "test")


def add_articles(ctx, titles, topic, days_ago):
    now = clock.now()
    feed = feeds.all_feeds(ctx.store)[0].id  # the first feed, by id
    store_articles(ctx.store, feed, [(f"t{topic}{i}", title, (now - timedelta(days=ago)).isoformat())
                                     for i, (title, ago) in enumerate(zip(titles, days_ago, strict=True))], topic)


def test_topic_weeks_match_raw_counts(ctx):
    weeks = trends.topic_weeks(ctx, weeks=6)
    zone = ctx.settings.schedule.timezone
    start = clock.week_start(clock.today(zone)) - timedelta(weeks=5)
    expected = Counter()
    rows = list(articles.iter_export_rows(ctx.store))
    assert len(rows) == articles.count(ctx.store)
    for r in rows:
        m = monday(r["published"], zone)
        if m >= start:
            for topic in r["topics"]:
                expected[(m.isoformat(), topic)] += 1
    assert {(w.week_start, w.topic): w.articles for w in weeks} == dict(expected)
    assert all(w.week == f"{date.fromisoformat(w.week_start).isocalendar()[0]}-W"
                         f"{date.fromisoformat(w.week_start).isocalendar()[1]:02d}" for w in weeks)
    assert {w.label for w in weeks if w.topic == "xr"} == {"VR / AR / XR"}


def test_rising_topic_and_term(ctx):
    # the recent window (2 weeks) starts on last week's Monday in the zone: at least 7 days ago, any weekday
    add_articles(ctx, [f"Hologram classrooms arrive, part {i}" for i in range(12)], "metaverse",
                 [0.5 * i for i in range(12)])
    rising = trends.rising_topics(ctx, recent_weeks=2, baseline_weeks=8)
    assert rising[0].key == "metaverse" and rising[0].ratio > 1 and rising[0].recent >= 12
    terms = trends.rising_terms(ctx, recent_weeks=2, baseline_weeks=8)
    keys = [t.key for t in terms]
    assert "hologram" in keys and "classrooms" in keys
    assert not set(keys) & trends.STOPWORDS
    hologram = terms[keys.index("hologram")]
    assert hologram.recent == 12 and hologram.before == 0


def test_source_volume_matches_counts(ctx):
    volumes = trends.source_volume(ctx, weeks=30)
    expected = articles.count_by_feed(ctx.store)
    assert {v.feed_id: v.articles for v in volumes if v.articles} == expected
    assert [v.articles for v in volumes] == sorted((v.articles for v in volumes), reverse=True)
    assert volumes[-1].title == "Broken Feed" and volumes[-1].articles == 0


@pytest.fixture
def zone_ctx(tmp_config):
    """An empty database (one feed) with `[schedule] timezone = "Europe/Paris"` (the default, said explicitly)."""
    from watcher.db import open_store

    _, settings = tmp_config('[schedule]\ntimezone = "Europe/Paris"\n')
    store = open_store(settings.database_path)
    assert feeds.add_feed(store, "https://z.example.org/feed", title="Z").id == 1
    yield editor_ctx(settings, store)
    store.close()


def put(ctx, stamps: list[str], topic: str = "xr") -> None:
    store_articles(ctx.store, 1, [(f"z{stamp}", f"Zone story {stamp}", stamp) for stamp in stamps], topic)


@pytest.mark.parametrize(("now", "stamps", "weeks"), [
    # Monday 00:30 in Paris: Monday 00:15 is this week, Sunday 23:45 the week before (both are Sunday in UTC)
    ("2026-11-30T00:30:00+01:00", ["2026-11-29T23:15:00+00:00", "2026-11-29T22:45:00+00:00"],
     {"2026-11-30": 1, "2026-11-23": 1}),
    # New Year's Eve 23:30 UTC is already 2027 in Paris; ISO week 2026-W53 starts on Monday 2026-12-28
    ("2026-12-31T23:30:00+00:00", ["2026-12-31T23:10:00+00:00", "2026-12-27T23:30:00+00:00",
                                   "2026-12-27T22:30:00+00:00"], {"2026-12-28": 2, "2026-12-21": 1}),
    # the autumn change (Sunday 2026-10-25, 03:00 CEST -> 02:00 CET) inside the window
    ("2026-10-26T12:00:00+00:00", ["2026-10-24T22:30:00+00:00", "2026-10-25T22:30:00+00:00",
                                   "2026-10-25T23:30:00+00:00"], {"2026-10-19": 2, "2026-10-26": 1}),
    # the spring change (Sunday 2027-03-28, 02:00 CET -> 03:00 CEST) inside the window
    ("2027-03-29T12:00:00+00:00", ["2027-03-27T23:30:00+00:00", "2027-03-28T21:30:00+00:00",
                                   "2027-03-28T22:30:00+00:00"], {"2027-03-22": 2, "2027-03-29": 1}),
])
def test_weeks_are_weeks_of_the_configured_zone(zone_ctx, now, stamps, weeks):
    put(zone_ctx, stamps)
    with clock.fixed(now):
        got = {w.week_start: w.articles for w in trends.topic_weeks(zone_ctx, weeks=3)}
        assert got == weeks
        assert {w.week_start: w.articles for w in trends.topic_weeks(zone_ctx, weeks=1)} == {
            max(weeks): weeks[max(weeks)]}  # the current week only, from Monday 00:00 in Paris
        recent, before = weeks[max(weeks)], weeks[min(weeks)]
        rising = trends.rising_topics(zone_ctx, recent_weeks=1, baseline_weeks=1, min_recent=0)
        assert [(r.key, r.recent, r.before) for r in rising] == ([("xr", recent, before)] if recent > before else [])
        falling = trends.rising_topics(zone_ctx, recent_weeks=2, baseline_weeks=1, min_recent=0)
        assert [(r.key, r.recent, r.before) for r in falling] == [("xr", recent + before, 0)]
        assert sum(v.articles for v in trends.source_volume(zone_ctx, weeks=1)) == weeks[max(weeks)]
        labels = {w.week_start: w.week for w in trends.topic_weeks(zone_ctx, weeks=3)}
    assert labels.get("2026-12-28", "2026-W53") == "2026-W53"  # ISO year and week of the zone's Monday


def test_rising_terms_are_words_not_numbers_amounts_or_stop_words(zone_ctx):
    """Numbers, years, amounts, currency and percent signs and stop words of both languages are never terms;
    French capitals fold ("École" = "école"), an elision splits at its apostrophe ("l'IA", "d’apprentissage")."""
    titles = [
        "The 2025 budget: €500 for the LMS, 500 learners and les 10x gains",
        "Les parcours d'apprentissage adaptatifs : 2025, 50% plus vite, $500M levés",
        "École et Être : l'IA dans les parcours, €500k pour 2026",
        "Adaptive pathways: 1,000 learners, 2025's €1.5M round, more than the others",
    ]
    stamps = ["2026-06-15T08:00:00+00:00", "2026-06-15T09:00:00+00:00", "2026-06-16T08:00:00+00:00",
              "2026-06-16T09:00:00+00:00"]
    store_articles(zone_ctx.store, 1, [(f"w{i}", title, stamp)
                                        for i, (title, stamp) in enumerate(zip(titles, stamps, strict=True))], "xr")
    with clock.fixed("2026-06-17T10:15:00+00:00"):  # a Wednesday
        terms = {t.key: t.recent for t in trends.rising_terms(zone_ctx, recent_weeks=1, baseline_weeks=1,
                                                              min_recent=1)}
    for noise in ("2025", "2026", "€500", "500", "€500k", "$500m", "10x", "50%", "1,000", "2025's", "€1.5m",
                  "the", "les", "pour", "dans", "plus", "than", "more", "être", "Être", "l'ia", "d'apprentissage"):
        assert noise not in terms, (noise, terms)
    assert not set(terms) & trends.STOPWORDS
    assert not [k for k in terms if k[0].isdigit() or set(k) & set("€$£%")]
    assert terms["parcours"] == 2 and terms["école"] == 1 and terms["apprentissage"] == 1
    assert terms["learners"] == 2 and terms["budget"] == 1 and terms["adaptive"] == 1
    assert set(terms) == {"budget", "learners", "gains", "parcours", "apprentissage", "adaptatifs", "vite",
                          "levés", "école", "adaptive", "pathways", "round", "others"}


def test_current_week_is_partial_and_windows_are_defined(zone_ctx):
    put(zone_ctx, ["2026-06-15T08:00:00+00:00", "2026-06-08T08:00:00+00:00"])
    with clock.fixed("2026-06-17T10:15:00+00:00"):  # Wednesday: 3 days of the week so far
        weeks = {w.week_start: w for w in trends.topic_weeks(zone_ctx, weeks=3)}
        window = trends.windows(zone_ctx, recent_weeks=4, baseline_weeks=12)
    assert weeks["2026-06-15"].partial and weeks["2026-06-15"].days == 3
    assert not weeks["2026-06-08"].partial and weeks["2026-06-08"].days == 7
    assert (window.recent_first, window.recent_last) == ("2026-05-25", "2026-06-17")
    assert (window.before_first, window.before_last) == ("2026-03-02", "2026-05-24")
    assert (window.current_week, window.current_days) == ("2026-06-15", 3)
    with clock.fixed("2026-06-21T21:30:00+00:00"):  # Sunday 23:30 in Paris: the whole week is there
        assert not any(w.partial for w in trends.topic_weeks(zone_ctx, weeks=2))
    with clock.fixed("2026-06-21T22:30:00+00:00"):  # Monday 00:30 in Paris: a new week, one day in
        current = [w for w in trends.topic_weeks(zone_ctx, weeks=2) if w.week_start == "2026-06-22"]
        assert current == [] and trends.windows(zone_ctx).current_days == 1
