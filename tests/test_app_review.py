"""The register page's critical review under AppTest, English and French: trial reviews due at the top, the open
trial on its card, closing it from the decision form with its outcome, and the card's dossier tab."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config import clock
from tests.plugins.app import editor_ctx
from tests.test_app_register import _open, clean
from ui.safe import md
from ui.services import tools, trials

CARD = "AI role-play for managers"  # in `assess` in the demo register


@pytest.mark.parametrize("lang, due, running", [("en", "Trial reviews due", "Trial running"),
                                                ("fr", "Revues d’essai à faire", "Essai en cours")])
def test_a_due_review_shows_then_the_trial_closes_from_the_page(app_test, populated_store, lang, due, running):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    today = clock.today(settings.schedule.timezone)
    trials.start_trial(ctx, CARD, owner="Inès", review_on=today + timedelta(days=7), kpi="feedback +20%",
                       ltem_target=6, profiles=[settings.profiles[0].key], rationale="worth a pilot")
    clock.set_now(clock.now() + timedelta(days=8))
    at = app_test("register", lang=lang)
    clean(at)
    assert any(due in w.value and md(CARD) in w.value for w in at.warning), [w.value for w in at.warning]
    _open(at, ctx, CARD)
    assert any(running in i.value and "Inès" in i.value for i in at.info)
    assert at.radio(key="trial_outcome").value is None
    if lang != "en":
        return  # AppTest formats a selectbox value in the test's own language: the decision is driven in English
    at.selectbox(key="decision_status").set_value("adopted")
    at.text_area(key="decision_rationale").set_value("Roll out")
    form_button = next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:decision-"))
    form_button.click().run()
    assert at.error  # no outcome given: refused, nothing written
    assert tools.get_card(ctx, CARD).status == "trial"
    at.selectbox(key="decision_status").set_value("adopted")
    at.text_area(key="decision_rationale").set_value("Roll out")
    at.radio(key="trial_outcome").set_value("met")
    at.text_input(key="trial_result").set_value("feedback +24% over 40 managers")
    next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:decision-")).click().run()
    clean(at)
    assert tools.get_card(ctx, CARD).status == "adopted"
    assert "criteria met" in tools.history(ctx, CARD)[-1].rationale
    assert not any(due in w.value for w in at.warning)


def test_the_dossier_tab_lists_the_articles_naming_the_card(app_test, populated_store):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    at = app_test("register")
    name = tools.tool_names(ctx)[0]
    _open(at, ctx, name)
    tabs = [t.label for t in at.tabs]
    assert "Dossier" in tabs
    texts = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Stance:" in texts or "No article names this card yet" in texts
