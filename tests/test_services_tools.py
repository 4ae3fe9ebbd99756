"""The tool & trend register: decisions need a rationale, history is append-only, scorecards, suggestions."""

from __future__ import annotations

import sqlite3

import pytest

from config.errors import NotFoundError, PermissionDenied, ValidationError
from tests.plugins.app import editor_ctx, viewer_ctx
from ui.services import tools
from ui.services.demo_tools import DEMO_TOOLS, seed_demo_tools
from watcher.store import articles as article_store
from watcher.store import scores as score_store


@pytest.fixture
def ctx(populated_store):
    _, settings, store = populated_store
    return editor_ctx(settings, store)


def history_count(ctx, name):
    return len(tools.history(ctx, name))


def test_demo_register_covers_every_lane(ctx):
    cards = tools.list_tools(ctx)
    assert len(cards) >= 8
    assert {c.status for c in cards} == set(tools.STATUSES)
    rejected = [c for c in cards if c.status == "rejected"]
    assert rejected and all(len(c.last_rationale) > 20 for c in rejected)
    assert seed_demo_tools(ctx) == 0  # idempotent
    assert len(tools.list_tools(ctx)) == len(DEMO_TOOLS)


def test_status_change_without_rationale_is_refused(ctx):
    before = history_count(ctx, "Adaptive learning paths")
    for empty in ("", "   ", None):
        with pytest.raises(ValidationError, match="rationale"):
            tools.set_status(ctx, "Adaptive learning paths", "assess", empty)
    assert tools.get_card(ctx, "Adaptive learning paths").status == "signal"
    assert history_count(ctx, "Adaptive learning paths") == before


def test_status_change_is_recorded_with_who_when_why(ctx):
    card = tools.set_status(ctx, "adaptive LEARNING paths", "assess", "Diagnostic quiz could halve seat time.")
    assert card.status == "assess"
    last = tools.history(ctx, "Adaptive learning paths")[-1]
    assert (last.change, last.from_status, last.to_status) == ("status", "signal", "assess")
    assert last.by == ctx.user.name and last.rationale == "Diagnostic quiz could halve seat time." and last.at
    assert card.last_rationale == last.rationale


def test_transitions_are_checked(ctx):
    with pytest.raises(ValidationError, match="cannot go from signal to adopted"):
        tools.set_status(ctx, "Adaptive learning paths", "adopted", "skip everything")
    with pytest.raises(ValidationError, match="already"):
        tools.set_status(ctx, "Adaptive learning paths", "signal", "again")
    with pytest.raises(ValidationError, match="status"):
        tools.set_status(ctx, "Adaptive learning paths", "maybe", "why not")
    with pytest.raises(NotFoundError):
        tools.set_status(ctx, "No such tool", "assess", "x")
    for status, nexts in tools.TRANSITIONS.items():
        assert status not in nexts and set(nexts) <= set(tools.STATUSES)


def test_history_rows_cannot_be_updated_or_deleted(ctx):
    row_id = tools.history(ctx, "VR safety simulation")[0].id
    with pytest.raises(sqlite3.DatabaseError, match="append-only"), ctx.store.write() as db:
        db.execute("UPDATE tool_history SET rationale = 'rewritten' WHERE id = ?",  # sql: fabricates tampering
                   (row_id,))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"), ctx.store.write() as db:
        db.execute("DELETE FROM tool_history WHERE id = ?", (row_id,))  # sql: fabricates tampering
    assert tools.history(ctx, "VR safety simulation")[0].rationale != "rewritten"


def test_viewer_cannot_edit(populated_store):
    _, settings, store = populated_store
    viewer = viewer_ctx(settings, store)
    assert tools.list_tools(viewer)  # reading is fine
    with pytest.raises(PermissionDenied):
        tools.add_tool(viewer, "Chatbot X", note="seen at a fair")
    with pytest.raises(PermissionDenied):
        tools.set_status(viewer, "Adaptive learning paths", "assess", "I think so")
    with pytest.raises(PermissionDenied):
        tools.set_score(viewer, "Adaptive learning paths", "cost", 2, "cheap")
    with pytest.raises(PermissionDenied):
        tools.add_evidence(viewer, "Adaptive learning paths", next(article_store.iter_export_rows(store))["id"])


def test_scorecard_knockout_blocks_trial_until_fixed(ctx):
    tools.add_tool(ctx, "Emotion-detection LMS", note="vendor pitch", quadrant="AI & automation")
    tools.set_status(ctx, "Emotion-detection LMS", "assess", "board asked")
    sc = tools.set_score(ctx, "Emotion-detection LMS", "data_protection", 0, "biometric data, US hosting",
                         {"hosting": "US", "data_collected": "webcam frames", "retention": "unknown"})
    assert sc.knocked_out == ("data_protection",) and sc.is_knocked_out
    with pytest.raises(ValidationError, match="knocked out by data_protection"):
        tools.set_status(ctx, "Emotion-detection LMS", "trial", "let's try anyway")
    tools.set_status(ctx, "Emotion-detection LMS", "rejected", "knock-out on GDPR")  # rejecting stays possible
    tools.set_status(ctx, "Emotion-detection LMS", "assess", "vendor moved hosting to the EU")
    sc = tools.set_score(ctx, "Emotion-detection LMS", "data_protection", 2, "EU hosting now")
    assert not sc.is_knocked_out
    assert tools.set_status(ctx, "Emotion-detection LMS", "trial", "pilot with consent").status == "trial"
    scores = [h for h in tools.history(ctx, "Emotion-detection LMS") if h.change == "score"]
    assert [(h.details["from"], h.details["to"]) for h in scores] == [(None, 0), (0, 2)]
    assert sc.total == 2 and sc.max_total == 3


def test_score_validation(ctx):
    with pytest.raises(ValidationError):
        tools.set_score(ctx, "Adaptive learning paths", "cost", 4, "too high")
    with pytest.raises(ValidationError):
        tools.set_score(ctx, "Adaptive learning paths", "vibes", 2, "unknown criterion")
    with pytest.raises(ValidationError):
        tools.set_score(ctx, "Adaptive learning paths", "cost", 2, "")
    with pytest.raises(ValidationError):
        tools.set_score(ctx, "Adaptive learning paths", "maturity", 2, "x", {"hype_stage": "moon"})


def test_fit_is_prefilled_from_linked_evidence(ctx):
    ids = sorted(r["id"] for r in article_store.iter_export_rows(ctx.store))[:3]
    for aid in ids:
        tools.add_evidence(ctx, "Adaptive learning paths", aid, "relevant")
    by_profile: dict[str, list[float]] = {}
    for article_id, profile_key, score, _why in score_store.all_rows(ctx.store):
        if article_id in ids:
            by_profile.setdefault(profile_key, []).append(score)
    expected = {k: round(sum(v) / len(v), 3) for k, v in by_profile.items()}
    assert expected  # the linked articles are scored
    sc = tools.scorecard(ctx, "Adaptive learning paths")
    assert sc.fit_prefill == expected
    fit = next(e for e in sc.entries if e.criterion == "fit")
    assert fit.score is None and fit.details["profiles"] == {k: tools.fit_points(v) for k, v in expected.items()}
    tools.set_score(ctx, "Adaptive learning paths", "fit", 2, "edited", {"profiles": {"frontline": 3}})
    fit = next(e for e in tools.scorecard(ctx, "Adaptive learning paths").entries if e.criterion == "fit")
    assert fit.score == 2 and fit.details["profiles"] == {"frontline": 3}


def test_add_tool_validation(ctx):
    with pytest.raises(ValidationError, match="already"):
        tools.add_tool(ctx, "vr SAFETY simulation", note="dup")
    with pytest.raises(ValidationError):
        tools.add_tool(ctx, "New thing", note="")
    with pytest.raises(ValidationError):
        tools.add_tool(ctx, "New thing", note="x", quadrant="Nowhere")
    card = tools.add_tool(ctx, "  Holo  coach ", note="seen twice", kind="trend")
    assert card.name == "Holo coach" and card.status == "signal" and card.kind == "trend"


def test_suggestions_find_recurring_names_not_in_register(ctx):
    names = {s.name for s in tools.suggest_signals(ctx, limit=50)}
    assert "SafeSim Reality" in names and "Quizlo Daily" in names
    assert not names & set(tools.tool_names(ctx))
    assert not any(n.lower().startswith(("how ", "the ")) for n in names)
    expected = sum("safesim reality" in f"{r['title'] or ''}\n{r['summary_text'] or ''}".lower()
                   for r in article_store.iter_export_rows(ctx.store))
    safesim = next(s for s in tools.suggest_signals(ctx, limit=50) if s.name == "SafeSim Reality")
    assert 3 <= safesim.articles <= expected
    assert safesim.quadrant == "Immersive (VR/AR/metaverse)"
    assert safesim.sources >= 2 and "safesim reality" in safesim.example.lower()  # why: several outlets, its best
    assert tools.suggest_signals(ctx, limit=50, min_sources=99) == []  # one outlet repeating a name is no trend
    tools.add_tool(ctx, "SafeSim Reality", note="from suggestions")
    assert "SafeSim Reality" not in {s.name for s in tools.suggest_signals(ctx, limit=50)}


def test_extract_names():
    found = tools.extract_names("How CourseForge Studio writes courses. The new ChatGPT tutor by Acme Learning")
    assert {"CourseForge Studio", "ChatGPT", "Acme Learning"} <= found
    assert not any(n.startswith(("How", "The")) for n in found)


def test_suggested_names_are_never_dates_laws_or_article_numbers():
    text = ("The EU AI Act Article 4 applies from February 2025 to SafeSim Reality users. Le décret du 12 Mars 2024 "
            "et la Loi Avenir Professionnel; Regulation (EU) 2024/1689 and GDPR Article 22. Quizlo Daily in January.")
    assert tools.extract_names(text) == {"SafeSim Reality", "Quizlo Daily"}


def test_statuses_have_one_definition():
    """Order, labels (English and French), moves and rings are defined once, in ui.services.statuses; the register,
    the radar, the app's labels, the digest, the veille log and the CLI's choices all use it."""
    import ast
    from pathlib import Path

    import click

    from ui import i18n, radar_svg, theme
    from ui.digest import strings as digest_strings
    from ui.services import radar, statuses
    from veille.cli import register as cli_register

    assert tools.STATUSES is statuses.STATUSES and tools.TRANSITIONS is statuses.TRANSITIONS
    assert set(statuses.TRANSITIONS) == set(statuses.STATUSES) == set(statuses.LABELS)
    assert radar.STATUS_TO_RING is statuses.STATUS_TO_RING and radar.RINGS is radar_svg.RINGS is statuses.RINGS
    for status, (en, fr) in statuses.LABELS.items():
        assert i18n.STRINGS[f"status.{status}"] == (en, fr)
        assert statuses.label(status, "en") == en and statuses.label(status, "fr") == fr
    assert statuses.label(None) == "" and statuses.label("other", "fr") == "other"
    assert set(theme.STATUS_COLORS) == set(digest_strings.STATUS_COLOURS) == set(statuses.STATUSES)
    assert set(theme.RING_COLORS) == {*statuses.RINGS, statuses.OUTSIDE}
    for command, name in ((cli_register.tools_list, "status"), (cli_register.tools_add, "status"),
                          (cli_register.tools_set, "status")):
        option = next(p for p in command.params if p.name == name)
        assert isinstance(option.type, click.Choice) and tuple(option.type.choices) == statuses.STATUSES

    # no second list of statuses anywhere else (a literal naming four or more of them)
    root = Path(__file__).resolve().parent.parent
    names = set(statuses.STATUSES)
    found = []
    for package in ("ui", "veille", "config", "watcher", "scoring"):
        for path in sorted((root / package).rglob("*.py")):
            if path == root / "ui" / "services" / "statuses.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Tuple | ast.List | ast.Set):
                    items = node.elts
                elif isinstance(node, ast.Dict):
                    if all(isinstance(v, ast.Constant) and str(v.value).startswith("#") for v in node.values):
                        continue  # a colour palette keyed by status
                    items = [k for k in node.keys if k is not None]
                else:
                    continue
                if len({i.value for i in items if isinstance(i, ast.Constant)} & names) >= 4:
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not found, found


def test_each_score_says_what_it_means_per_criterion():
    """0..3 read differently for each criterion (in English and French): the scorecard shows the words."""
    for c in tools.CRITERIA:
        for language in ("en", "fr"):
            words = [c.level(score, language) for score in range(4)]
            assert all(words) and len(set(words)) == 4, (c.key, language, words)
        assert c.level(2, "fr") != c.level(2, "en")
    assert tools.criterion("ai_act").level(3) == "no exposure"
    assert tools.criterion("accessibility").level(0).endswith("(knock-out)")
    assert len({c.level(3) for c in tools.CRITERIA}) == len(tools.CRITERIA)


def test_totals_are_out_of_the_criteria_that_apply(ctx):
    """Two tools with the same points compare equal whatever was scored; a criterion that does not apply leaves
    the yardstick, and the lane card says how many criteria are scored out of those that apply."""
    tools.add_tool(ctx, "Quiz bot", note="seen at a fair")
    tools.add_tool(ctx, "Badge wall", note="seen at a fair")
    tools.set_score(ctx, "Quiz bot", "cost", 3, "cheap")
    for key in ("cost", "evidence", "maturity"):
        tools.set_score(ctx, "Badge wall", key, 1, "so so")
    quiz, wall = tools.scorecard(ctx, "Quiz bot"), tools.scorecard(ctx, "Badge wall")
    assert (quiz.total, quiz.points_max, quiz.scored, quiz.applicable) == (3, 24, 1, 8)
    assert (wall.total, wall.points_max, wall.scored, wall.applicable) == (3, 24, 3, 8)
    assert quiz.max_total == 3 and wall.max_total == 9  # the CLI's figures are unchanged

    sc = tools.set_score(ctx, "Quiz bot", "ai_act", None, "no AI in it", applies=False)
    ai_act = next(e for e in sc.entries if e.criterion == "ai_act")
    assert not ai_act.applies and ai_act.score is None
    assert (sc.total, sc.points_max, sc.scored, sc.applicable) == (3, 21, 1, 7)
    card = next(c for c in tools.lanes(ctx)["signal"] if c.name == "Quiz bot")
    assert (card.criteria_scored, card.criteria_applicable, card.points_max, card.score_total) == (1, 7, 21, 3)
    assert tools.get_card(ctx, "Badge wall").criteria_applicable == 8
    with pytest.raises(ValidationError, match="does not apply"):
        tools.set_score(ctx, "Quiz bot", "ai_act", 2, "x", applies=False)
    sc = tools.set_score(ctx, "Quiz bot", "ai_act", 3, "it does apply after all")
    assert next(e for e in sc.entries if e.criterion == "ai_act").applies and sc.applicable == 8
    assert tools.get_card(ctx, "Quiz bot").criteria_applicable == 8
    last = tools.history(ctx, "Quiz bot")[-2]
    assert last.details["details"] == {"applies": False}


def test_fit_rows_carry_profile_names(ctx):
    from ui.services.profiles import list_profiles

    names = {p.key: p.name for p in list_profiles(ctx)}
    assert names and any(k != v for k, v in names.items())
    ids = sorted(r["id"] for r in article_store.iter_export_rows(ctx.store))[:3]
    for aid in ids:
        tools.add_evidence(ctx, "Adaptive learning paths", aid, "relevant")
    sc = tools.scorecard(ctx, "Adaptive learning paths")
    assert set(sc.fit_prefill) <= set(sc.profile_names)
    assert {k: sc.profile_names[k] for k in names} == names
