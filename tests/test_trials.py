"""Managed trials on a real SQLite register (the demo register): a trial needs its plan, its review comes due on the
fixed clock's calendar, closing it records the outcome against its criteria in the history, the veille log and
the card's brief; documents attach by URL; viewers only read."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from config import clock
from config.errors import PermissionDenied, ValidationError
from tests.plugins.app import editor_ctx, viewer_ctx
from ui.services import briefing, tools, trials, veille_log
from veille.cli import main

CARD = "AI role-play for managers"  # in `assess` in the demo register


def _plan(ctx, **change):
    today = clock.today(ctx.settings.schedule.timezone)
    args = dict(owner="Inès (L&D)", review_on=today + timedelta(days=14), kpi="feedback quality +20% in 360 reviews",
                ltem_target=6, profiles=["managers"], rationale="Promising in the demo sessions.")
    return {**args, **change}


def test_a_trial_needs_its_plan_and_nothing_is_written_without_it(populated_store):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    today = clock.today(settings.schedule.timezone)
    for bad, message in ((dict(owner=" "), "owner"), (dict(kpi=""), "KPI"), (dict(ltem_target=9), "LTEM"),
                         (dict(profiles=[]), "profiles"), (dict(profiles=["drivers"]), "unknown profile"),
                         (dict(review_on=today - timedelta(days=1)), "past"), (dict(review_on="soon"), "YYYY-MM-DD")):
        with pytest.raises(ValidationError, match=message):
            trials.start_trial(ctx, CARD, **_plan(ctx, **bad))
    assert tools.get_card(ctx, CARD).status == "assess" and trials.trials_of(ctx, CARD) == []
    with pytest.raises(PermissionDenied):
        trials.start_trial(viewer_ctx(settings, store), CARD, **_plan(ctx))


def test_review_comes_due_and_the_outcome_is_recorded_everywhere(populated_store):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    zone = settings.schedule.timezone
    trial = trials.start_trial(ctx, CARD, **_plan(ctx))
    assert tools.get_card(ctx, CARD).status == "trial" and trial.profiles == ("managers",)
    with pytest.raises(ValidationError, match="already open"):
        trials.start_trial(ctx, CARD, **_plan(ctx))
    assert CARD not in {d.trial.tool for d in trials.due_reviews(ctx)}  # review in 14 days
    started = clock.now()
    clock.set_now(started + timedelta(days=15))
    due = {d.trial.tool: d for d in trials.due_reviews(ctx)}
    assert CARD in due and due[CARD].days_late == 1
    assert trials.attach_document(ctx, CARD, "https://docs.example/dpia.pdf", kind="dpia", title="DPIA v1")
    assert not trials.attach_document(ctx, CARD, "https://docs.example/dpia.pdf", kind="dpia")
    with pytest.raises(ValidationError, match="http"):
        trials.attach_document(ctx, CARD, "javascript:alert(1)")
    closed = trials.close_trial(ctx, CARD, outcome="met", result="feedback quality +24% over 40 managers",
                                status="adopted", rationale="Roll out to all new managers.")
    assert closed.outcome == "met" and closed.closed_at
    assert CARD not in {d.trial.tool for d in trials.due_reviews(ctx)}
    assert tools.get_card(ctx, CARD).status == "adopted"
    last = tools.history(ctx, CARD)[-1]
    assert last.to_status == "adopted" and "Trial outcome: criteria met" in last.rationale
    assert "+24%" in last.rationale and "LTEM level 6" in last.rationale
    today = clock.today(zone)
    log = veille_log.build_log(ctx, today - timedelta(days=30), today)
    assert any(d.tool == CARD and "criteria met" in d.rationale for d in log.decisions if veille_log.is_decision(d))
    brief = briefing.card_brief(ctx, CARD, "fr")
    assert "critères atteints" in brief and "Inès (L&amp;D)" in brief and "AIPD" in brief
    assert "Aucun essai" not in brief


def test_the_command_line_runs_a_trial(populated_store):
    path, _settings, _store = populated_store
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--config", str(path), *args])

    refused = run("tools", "set", CARD, "--status", "trial", "--note", "go")
    assert refused.exit_code == 2 and "veille tools trial" in refused.stderr
    today = clock.today("Europe/Paris")
    ok = run("tools", "trial", CARD, "--owner", "Inès", "--review", today.isoformat(), "--kpi", "x +10%",
             "--ltem", "5", "--profile", "managers", "--note", "try it")
    assert ok.exit_code == 0, ok.output
    assert run("tools", "set", CARD, "--status", "adopted", "--note", "x").exit_code == 2  # close it first
    due = json.loads(run("tools", "reviews", "--json").stdout)
    assert [d["tool"] for d in due if d["tool"] == CARD] == [CARD] and due[0]["days_late"] >= 0
    closed = run("tools", "close-trial", CARD, "--outcome", "not_met", "--result", "no change", "--status", "rejected",
                 "--note", "not worth it")
    assert closed.exit_code == 0, closed.output
    assert CARD not in run("tools", "reviews").stdout
    assert run("tools", "doc", CARD, "https://docs.example/c.pdf", "--kind", "contract").exit_code == 0


@pytest.mark.parametrize("language, heading", [("en", "Trial reviews due"), ("fr", "Revues d’essai à faire")])
def test_a_review_due_is_in_the_digest(populated_store, language, heading):
    from ui.digest.records import DigestRecipient
    from ui.digest.render import render_digest
    from ui.digest.select import select_digest

    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    trials.start_trial(ctx, CARD, **_plan(ctx))
    recipient = DigestRecipient("dlm@example.org", language=language)
    assert select_digest(settings, store, recipient).reviews_due == ()  # in 14 days
    later = clock.now() + timedelta(days=14)
    digest = select_digest(settings, store, recipient, now=later)
    assert [r.tool for r in digest.reviews_due] == [CARD] and not digest.is_empty
    mail = render_digest(digest)
    assert heading in mail.html and heading in mail.text and CARD in mail.text
    assert "feedback quality" in mail.html
