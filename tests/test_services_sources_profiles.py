"""Sources (feed health, add/remove/enable, OPML, job runs) and learner profiles (edit, preview)."""

from __future__ import annotations

import pytest

from config.errors import NotFoundError, PermissionDenied, ValidationError
from tests.plugins.app import editor_ctx, viewer_ctx
from ui.services import profiles, sources
from watcher.db import open_store
from watcher.store import articles as article_store
from watcher.store import runs as run_store
from watcher.store import scores as score_store


@pytest.fixture
def ctx(populated_store):
    _, settings, store = populated_store
    return editor_ctx(settings, store)


def test_feed_health(ctx):
    feeds = sources.feed_health(ctx)
    assert feeds[0].title == "Broken Feed" and feeds[0].status == "error"
    assert feeds[0].last_error == "HTTP 503 from server" and feeds[0].error_count == 3
    expected = article_store.entries_by_feed(ctx.store)
    assert {f.id: f.articles for f in feeds if f.articles} == expected
    assert all(f.next_check for f in feeds)


def test_add_enable_remove_feed(ctx, populated_store):
    _, settings, store = populated_store
    with pytest.raises(PermissionDenied):
        sources.add_feed(viewer_ctx(settings, store), "https://new.example.org/feed")
    feed = sources.add_feed(ctx, "https://new.example.org/feed", topics=("ai",), language="en")
    assert feed.status == "new" and feed.articles == 0
    with pytest.raises(ValidationError):
        sources.add_feed(ctx, "https://new.example.org/feed")
    with pytest.raises(ValidationError):
        sources.add_feed(ctx, "not a url")
    disabled = sources.set_enabled(ctx, feed.id, False)
    assert disabled.status == "disabled" and disabled.disabled_reason
    assert sources.set_enabled(ctx, feed.url, True).status == "new"
    sources.remove_feed(ctx, feed.url)
    with pytest.raises(NotFoundError):
        sources.get_feed(ctx, feed.url)
    broken = next(f for f in sources.feed_health(ctx) if f.title == "XR Training Weekly")
    n_before = article_store.count(ctx.store)
    assert sources.remove_feed(ctx, broken.id, delete_articles=False) == 0
    assert sources.get_feed(ctx, broken.id).disabled
    assert article_store.count(ctx.store) == n_before


def test_opml_round_trip(ctx, tmp_path):
    text = sources.export_opml(ctx)
    (tmp_path / "other").mkdir()
    other_store = open_store(tmp_path / "other" / "veille.db")
    try:
        other = editor_ctx(ctx.settings, other_store)
        result = sources.import_opml(other, text.encode())
        assert result.added == len(sources.feed_health(ctx)) and result.errors == ()
        assert {f.url for f in sources.feed_health(other)} == {f.url for f in sources.feed_health(ctx)}
        assert sources.import_opml(other, text.encode()).skipped == result.added
        with pytest.raises(ValidationError):
            sources.import_opml(other, b"<html>not opml</html>")
    finally:
        other_store.close()


def test_job_runs(ctx):
    run_id = run_store.start_job_run(ctx.store, "crawl", "2026-01-01T08:00:00+00:00")
    run_store.finish_job_run(ctx.store, run_id, "2026-01-01T08:01:00+00:00", "ok", '{"feeds": 6}', None)
    runs = sources.job_runs(ctx)
    assert runs[0].job == "crawl" and runs[0].counts == {"feeds": 6} and runs[0].status == "ok"


@pytest.mark.slow
def test_profiles_list_save_preview(ctx, populated_store, encoder):
    from scoring.embedder import embed_pending

    _, settings, store = populated_store
    top = profiles.top_articles(ctx, "managers", limit=5)
    assert len(top) == 5 and top[0].score >= top[-1].score
    embed_pending(store, encoder)
    listed = profiles.list_profiles(ctx)
    assert [p.key for p in listed] == ["frontline", "managers", "compliance"]
    assert all(p.source == "config" for p in listed)
    with pytest.raises(PermissionDenied):
        profiles.save_profile(viewer_ctx(settings, store), "frontline", name="X", interests=["y"])
    with pytest.raises(ValidationError):
        profiles.save_profile(ctx, "frontline", name="Frontline", interests=["  "])
    # the preview is the scorer itself (same signals, same calibration), not a keyword search
    items = profiles.preview(ctx, "frontline", interests=["SafeSim forklift"], avoid=[])
    assert items and all("safesim" in (c.title + c.summary_html).lower() or "forklift" in c.title.lower()
                         for c in items[:3])
    assert all(0 <= c.score <= 1 for c in items) and [c.score for c in items] == sorted(
        (c.score for c in items), reverse=True)
    # same scorer as the ranking: previewing the saved profile gives exactly the scores rescoring stores
    from scoring.pipeline import rescore_profile

    rescore_profile(settings, store, "frontline", encoder=encoder)
    saved = profiles.preview(ctx, "frontline", limit=10)
    stored = dict(sorted(score_store.of_profile(store, "frontline").items(), key=lambda kv: (-kv[1], kv[0]))[:10])
    assert {c.article_id: c.score for c in saved} == pytest.approx({k: round(v, 3) for k, v in stored.items()},
                                                                   abs=1e-3)
    with pytest.raises(NotFoundError):
        profiles.get_profile(ctx, "nobody")


@pytest.mark.slow
def test_save_profile_writes_override_and_rescores(ctx, encoder):
    from scoring.pipeline import score

    score(ctx.settings, ctx.store, encoder=encoder)  # as `veille score` has done before anyone edits a profile
    managers = score_store.of_profile(ctx.store, "managers")
    before = score_store.of_profile(ctx.store, "frontline")
    result = profiles.save_profile(ctx, "frontline", name="Frontline staff",
                                   interests=["forklift VR safety drills", "forklift VR safety drills", "quizzes"],
                                   encoder=encoder)
    assert result.profile.source == "override" and result.profile.name == "Frontline staff"
    assert result.profile.interests == ("forklift VR safety drills", "quizzes")
    assert result.profile.updated_by == ctx.user.name and result.rescored
    assert profiles.get_profile(ctx, "frontline").name == "Frontline staff"
    after = score_store.of_profile(ctx.store, "frontline")
    assert set(after) == set(before) and after != before
    # only the edited profile was rescored
    assert score_store.of_profile(ctx.store, "managers") == managers

    def mean_where_title_has(word: str) -> float:
        found = [after[r["id"]] for r in article_store.iter_export_rows(ctx.store)
                 if word.lower() in (r["title"] or "").lower() and r["id"] in after]
        assert found, word
        return sum(found) / len(found)

    safesim = mean_where_title_has("forklift")
    other = mean_where_title_has("Qualiopi")
    assert safesim > other


def test_one_profile_record_config_scoring_ui():
    """config.ProfileSettings is the profile record; scoring's Profile adds only `source`, the boards' only who
    edited it last: no field is defined twice, and scoring's as_dict (the profile signature, `profiles list
    --json`) keeps its keys."""
    import dataclasses

    from config.settings import ProfileSettings
    from scoring.records import Profile as ScoringProfile
    from ui.services.records import Profile as BoardProfile

    base = [f.name for f in dataclasses.fields(ProfileSettings)]
    assert base == ["key", "name", "description", "interests", "avoid"]
    assert [f.name for f in dataclasses.fields(ScoringProfile)] == [*base, "source"]
    assert [f.name for f in dataclasses.fields(BoardProfile)] == [*base, "source", "updated_at", "updated_by"]
    assert issubclass(BoardProfile, ScoringProfile) and issubclass(ScoringProfile, ProfileSettings)
    assert set(vars(ScoringProfile)["__annotations__"]) == {"source"}  # nothing redefined
    assert set(vars(BoardProfile)["__annotations__"]) == {"updated_at", "updated_by"}
    p = ScoringProfile("ops", "Ops", "Shift staff", ("safety",), ("games",))
    assert p.as_dict() == {"key": "ops", "name": "Ops", "description": "Shift staff", "interests": ["safety"],
                           "avoid": ["games"], "source": "config"}
    board = BoardProfile(key="ops", name="Ops", interests=("safety",), source="app", updated_by="Claire")
    assert isinstance(board, ProfileSettings) and board.description == "" and board.updated_at is None


def test_listed_profiles_are_scoring_profiles(ctx):
    """The boards' profiles are scoring profiles too: the preview hands one to the scorer as it is."""
    from scoring.records import Profile as ScoringProfile

    listed = profiles.list_profiles(ctx)
    config = {p.key: p for p in ctx.settings.profiles}
    assert listed and all(isinstance(p, ScoringProfile) for p in listed)
    for p in listed:
        c = config[p.key]
        assert (p.name, p.description, p.interests, p.avoid) == (c.name, c.description, c.interests, c.avoid)
