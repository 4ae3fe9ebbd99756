"""Trends: weekly topic counts, rising topics and terms, per-source volume (checked against Python counts)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from config import clock
from tests.plugins.app import editor_ctx
from ui.services import trends

pytestmark = pytest.mark.dates


@pytest.fixture
def ctx(populated_store):
    _, settings, store = populated_store
    return editor_ctx(settings, store)


def monday(iso: str, zone: str) -> date:
    """The Monday of the week `iso` falls in, in `zone` (Python's zone rules, not the SQL under test)."""
    return clock.week_start(datetime.fromisoformat(iso).astimezone(clock.zone(zone)).date())


def add_articles(ctx, titles, topic, days_ago):
    now = clock.now()
    feed = ctx.store.scalar("SELECT id FROM feeds ORDER BY id LIMIT 1")
    with ctx.store.write() as db:
        for i, (title, ago) in enumerate(zip(titles, days_ago, strict=True)):
            when = (now - timedelta(days=ago)).isoformat()
            db.execute("INSERT INTO articles (id, feed_id, title, published, content_hash, first_seen, last_changed)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)", (f"t{topic}{i}", feed, title, when, "h", when, when))
            db.execute("INSERT INTO article_topics VALUES (?, ?, 0.9)", (f"t{topic}{i}", topic))


def test_topic_weeks_match_raw_counts(ctx):
    weeks = trends.topic_weeks(ctx, weeks=6)
    zone = ctx.settings.schedule.timezone
    start = clock.week_start(clock.today(zone)) - timedelta(weeks=5)
    expected = Counter()
    for r in ctx.store.query("SELECT a.published, t.topic_key FROM articles a JOIN article_topics t "
                             "ON t.article_id = a.id"):
        m = monday(r[0], zone)
        if m >= start:
            expected[(m.isoformat(), r[1])] += 1
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
    expected = {r[0]: r[1] for r in ctx.store.query("SELECT feed_id, COUNT(*) FROM articles GROUP BY feed_id")}
    assert {v.feed_id: v.articles for v in volumes if v.articles} == expected
    assert [v.articles for v in volumes] == sorted((v.articles for v in volumes), reverse=True)
    assert volumes[-1].title == "Broken Feed" and volumes[-1].articles == 0
