"""Digest service: ranking, one card per cluster, filters, search, pagination, actions (real SQLite file)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from config import clock
from config.errors import PermissionDenied, ValidationError
from tests.plugins.app import editor_ctx, viewer_ctx
from ui.services import stories
from ui.services.records import DigestFilter
from watcher.store import articles as article_store
from watcher.store import feedback as feedback_store
from watcher.store import feeds as feed_store
from watcher.store import scores as score_store
from watcher.store import stories as story_store
from watcher.store import tools as tool_store


@pytest.fixture
def ctx(populated_store):
    _, settings, store = populated_store
    return editor_ctx(settings, store)


def all_pages(ctx, **kw):
    flt = DigestFilter(page_size=25, **kw)
    first = stories.list_stories(ctx, flt)
    cards = list(first.stories)
    page = 1
    while stories.list_stories(ctx, DigestFilter(page_size=25, page=page, **kw)).has_next:
        page += 1
        cards += stories.list_stories(ctx, DigestFilter(page_size=25, page=page, **kw)).stories
    return first, cards


def expected_ranking(store, profile=None):
    """Independent computation in Python: best (score, then id) article per cluster, ranked by score."""
    cluster_of = {a.id: a.cluster_id for a in article_store.stored(store)}
    rows = [(aid, key, score) for aid, key, score, _why in score_store.all_rows(store)
            if aid in cluster_of and (not profile or key == profile)]
    best_article: dict[str, tuple] = {}
    for aid, profile_key, score in rows:  # best profile per article
        key = (-score, profile_key)
        if aid not in best_article or key < best_article[aid][0]:
            best_article[aid] = (key, cluster_of[aid] or aid, score)
    best_cluster: dict[str, tuple] = {}
    for aid, (_k, cluster, score) in best_article.items():
        cand = (-score, aid)
        if cluster not in best_cluster or cand < best_cluster[cluster]:
            best_cluster[cluster] = cand
    return [aid for _s, aid in sorted(best_cluster.values())]


@pytest.mark.parametrize("profile", [None, "frontline", "compliance"])
def test_ranking_one_card_per_cluster_in_score_order(ctx, profile):
    first, cards = all_pages(ctx, profile=profile)
    assert [c.article_id for c in cards] == expected_ranking(ctx.store, profile)
    assert len({c.cluster_id for c in cards}) == len(cards)
    assert first.total == len(cards)
    scores = [c.score for c in cards]
    assert scores == sorted(scores, reverse=True)


def test_card_lists_every_source_of_its_cluster(ctx):
    stored = article_store.stored(ctx.store)
    clusters = [cluster for cluster, n in Counter(a.cluster_id for a in stored).items() if n > 1]
    assert clusters, "fixture has multi-article clusters"
    _, cards = all_pages(ctx)
    by_cluster = {c.cluster_id: c for c in cards}
    for cluster in clusters:
        card = by_cluster[cluster]
        member_ids = {a.id for a in stored if a.cluster_id == cluster}
        assert {s.article_id for s in card.sources} == member_ids
        assert len({s.feed_id for s in card.sources}) >= 2
        assert all(s.feed_title for s in card.sources)


def test_board_and_email_digest_read_a_story_through_one_query(ctx):
    """ui.services.stories.story_members is the one query for a story's mates: the board's card and the email
    digest list the same outlets for a story, the digest's lead article first."""
    import inspect

    from ui.digest import select

    assert "cluster_id" not in inspect.getsource(select._sources)  # no second copy of the SQL
    _, cards = all_pages(ctx)
    multi = [c for c in cards if len({s.article_id for s in c.sources}) > 1][:5]
    assert multi, "fixture has multi-article clusters"
    for card in multi:
        sources = select._sources(ctx.store, card.cluster_id, card.article_id)
        assert {s.name for s in sources} == {select.plain(s.feed_title, 80) for s in card.sources}
        lead_feeds = {select.plain(s.feed_title, 80) for s in card.sources if s.article_id == card.article_id}
        assert sources[0].name in lead_feeds
    lone = next(c for c in cards if len(c.sources) == 1)
    members = stories.story_members(ctx.store, {lone.article_id: None})
    assert list(members) == [lone.cluster_id] and [m.id for m in members[lone.cluster_id]] == [lone.article_id]
    assert stories.story_members(ctx.store, {}) == {}


@pytest.mark.dates
def test_filters_change_results(ctx):
    base = stories.list_stories(ctx, DigestFilter(profile="frontline", page_size=100))
    xr = stories.list_stories(ctx, DigestFilter(profile="frontline", topics=("xr",), page_size=100))
    assert 0 < xr.total < base.total
    assert all("xr" in c.topics for c in xr.stories)
    fr = stories.list_stories(ctx, DigestFilter(languages=("fr",), page_size=100))
    assert fr.total > 0 and all(c.language == "fr" for c in fr.stories)
    high = stories.list_stories(ctx, DigestFilter(profile="frontline", min_score=0.6, page_size=100))
    assert 0 < high.total < base.total and all(c.score >= 0.6 for c in high.stories)
    feed_id = next(f.id for f in feed_store.all_feeds(ctx.store) if f.title == "XR Training Weekly")
    by_feed = stories.list_stories(ctx, DigestFilter(feed_ids=(feed_id,), page_size=100))
    assert 0 < by_feed.total < base.total
    assert all(any(s.feed_id == feed_id for s in c.sources) for c in by_feed.stories)
    zone = ctx.settings.schedule.timezone
    recent = clock.today(zone) - timedelta(days=21)
    dated = stories.list_stories(ctx, DigestFilter(date_from=recent, page_size=100))
    since = clock.day_start_iso(recent, zone)  # the day starts at midnight in the configured zone
    assert 0 < dated.total < base.total and all(c.published >= since for c in dated.stories)
    old = stories.list_stories(ctx, DigestFilter(date_to=recent, page_size=100))
    assert dated.total + old.total >= base.total - 3  # a cluster can straddle the boundary


def test_full_text_search(ctx):
    page = stories.list_stories(ctx, DigestFilter(query="SafeSim", page_size=100))
    assert page.total > 0
    for c in page.stories:
        assert "safesim" in (c.title + c.summary_html).lower()
    expected = len({a.cluster_id or a.id for a in article_store.stored(ctx.store)
                    if "safesim" in (a.title or "").lower() or "safesim" in (a.summary_text or "").lower()})
    assert page.total == expected
    prefix = stories.list_stories(ctx, DigestFilter(query="safes*", page_size=100))
    assert prefix.total == expected
    none = stories.list_stories(ctx, DigestFilter(query='zzzunknownword "(', page_size=10))
    assert none.total == 0 and none.stories == ()


def test_pagination_pages_are_disjoint(ctx):
    p1 = stories.list_stories(ctx, DigestFilter(page=1, page_size=10))
    p2 = stories.list_stories(ctx, DigestFilter(page=2, page_size=10))
    assert len(p1.stories) == len(p2.stories) == 10
    assert not {c.cluster_id for c in p1.stories} & {c.cluster_id for c in p2.stories}
    assert p1.pages >= 10 and p2.page == 2
    with pytest.raises(ValidationError):
        stories.list_stories(ctx, DigestFilter(page_size=0))


def test_recent_sort_is_newest_first(ctx):
    page = stories.list_stories(ctx, DigestFilter(sort="recent", page_size=30))
    dates = [c.published for c in page.stories]
    assert dates == sorted(dates, reverse=True)
    assert all(c.score is not None for c in page.stories)


def test_read_saved_feedback_persist(ctx, populated_store):
    card = stories.list_stories(ctx, DigestFilter(profile="managers", unread_only=True, page_size=5)).stories[0]
    stories.mark_read(ctx, card.article_id)
    members = [a.id for a in article_store.stored(ctx.store) if a.cluster_id == card.cluster_id]
    for m in members:
        assert {r.user: r.read_at for r in story_store.state_rows(ctx.store, m)}.get(ctx.user.name)
    unread = stories.list_stories(ctx, DigestFilter(profile="managers", unread_only=True, page_size=100))
    assert card.cluster_id not in {c.cluster_id for c in unread.stories}
    assert stories.get_story(ctx, card.article_id).read

    assert stories.toggle_saved(ctx, card.article_id) is True
    saved = stories.list_stories(ctx, DigestFilter(saved_only=True, page_size=100))
    assert card.cluster_id in {c.cluster_id for c in saved.stories}
    assert stories.toggle_saved(ctx, card.article_id) is False

    stories.give_feedback(ctx, card.article_id, "managers", relevant=False)
    [row] = [j for j in feedback_store.judgements(ctx.store)
             if j.article_id == card.article_id and j.profile_key == "managers"]
    assert row.label == -1 and row.user == ctx.user.name
    _, settings, store = populated_store
    with pytest.raises(PermissionDenied):
        stories.give_feedback(viewer_ctx(settings, store), card.article_id, "managers", True)


def test_summary_is_sanitized(ctx):
    aid = article_store.stored(ctx.store)[0].id
    with ctx.store.write() as db:
        db.execute("UPDATE articles SET summary_text = ? WHERE id = ?",  # sql: fabricates a summary with markup
                   ('<script>alert(1)</script><img src=x onerror="boom()"> text', aid))
    html = stories.get_story(ctx, aid).summary_html
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_link_article_to_tool_records_history(ctx):
    aid = max(a.id for a in article_store.stored(ctx.store))
    assert stories.link_article_to_tool(ctx, aid, "Adaptive learning paths", "shows skipping works")
    assert not stories.link_article_to_tool(ctx, aid, "Adaptive learning paths")
    tool = tool_store.by_name(ctx.store, "Adaptive learning paths")
    assert tool is not None
    assert [h.rationale for h in tool_store.history(ctx.store, tool.id) if h.change == "evidence"] == \
        ["shows skipping works"]


def test_digest_options(ctx):
    opts = stories.digest_options(ctx)
    assert [p.key for p in opts.profiles] == ["frontline", "managers", "compliance"]
    assert set(opts.languages) == {a.language for a in article_store.stored(ctx.store)}
    assert len(opts.feeds) == feed_store.count_feeds(ctx.store)
    counts = defaultdict(int)
    for t in opts.topics:
        counts[t.key] += 1
    assert counts["xr"] == 1


@pytest.mark.slow
def test_a_judgement_in_the_app_re_ranks_at_once_and_can_be_undone(ctx, encoder):
    from scoring.pipeline import score

    score(ctx.settings, ctx.store, encoder=encoder)  # real vectors and scores, as after `veille score`
    managers = score_store.of_profile(ctx.store, "managers")
    aid = min(managers, key=managers.__getitem__)  # the lowest-scored

    def current():
        placed = score_store.place(ctx.store, aid, "managers")
        return placed[0] if placed else None

    before = current()
    stories.give_feedback(ctx, aid, "managers", relevant=True)
    assert current() == 1.0 > before  # no scheduled score needed
    stories.give_feedback(ctx, aid, "managers", relevant=None)
    assert current() == pytest.approx(before, abs=1e-4)
