"""The register's scorecard and flow under AppTest on a populated database: each score says what it means,
unscored criteria read "not scored", totals are out of the criteria that apply, fit rows carry profile names,
edits survive navigation until saved (and the save confirms), no decision is preselected, "Open" scrolls to the
tool, lane badges are labelled."""

from __future__ import annotations

from tests.plugins.app import editor_ctx
from ui.safe import md
from ui.services import tools
from ui.services.profiles import list_profiles
from watcher.store import articles as article_store


def clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _open(at, ctx, name: str):
    card = tools.get_card(ctx, name)
    at.button(key=f"open_{card.id}").click().run()
    clean(at)
    assert at.selectbox(key="register_tool").value == name
    return card


def test_each_score_says_what_it_means_and_unscored_reads_not_scored(app_test, populated_store):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    tools.add_tool(ctx, "Quiz bot", note="seen at a fair")
    tools.set_score(ctx, "Quiz bot", "accessibility", 2, "minor gaps")
    for lang, unscored, meaning in (("en", "not scored", "2 · minor gaps, mostly WCAG 2.1 AA"),
                                    ("fr", "non noté", "2 · lacunes mineures, WCAG 2.1 AA pour l'essentiel")):
        at = app_test("register", lang=lang)
        card = _open(at, ctx, "Quiz bot")
        cost = at.selectbox(key=f"scorecard_{card.id}_cost_score")
        assert cost.value == "-" and cost.options[0] == unscored
        access = at.selectbox(key=f"scorecard_{card.id}_accessibility_score")
        assert access.value == "2" and access.options[access.index] == meaning
        ai = at.selectbox(key=f"scorecard_{card.id}_ai_act_score").options
        assert ai[1:5] == [f"{n} · {tools.criterion('ai_act').level(n, lang)}" for n in range(4)]
        assert ai != cost.options


def test_totals_are_out_of_the_criteria_that_apply_and_badges_are_labelled(app_test, populated_store):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    tools.add_tool(ctx, "Quiz bot", note="seen at a fair")
    tools.set_score(ctx, "Quiz bot", "cost", 3, "cheap")
    ids = sorted(r["id"] for r in article_store.iter_export_rows(store))[:2]
    for aid in ids:
        tools.add_evidence(ctx, "Quiz bot", aid, "relevant")
    at = app_test("register")
    card = _open(at, ctx, "Quiz bot")
    badges = [m.value for m in at.markdown if "badge[criteria scored" in m.value]
    assert any("criteria scored: 1/8" in b and "points: 3/24" in b and "evidence: 2" in b for b in badges), badges
    assert any("Total 3 / 24** · 1 of 8 criteria scored" in m.value for m in at.markdown)

    # "does not apply" leaves the yardstick: saved through the page
    at.selectbox(key=f"scorecard_{card.id}_ai_act_score").set_value("na").run()
    at.text_input(key=f"scorecard_{card.id}_ai_act_note").set_value("no AI in it").run()
    at.button(key="save_scorecard").click().run()
    clean(at)
    sc = tools.scorecard(ctx, "Quiz bot")
    assert (sc.total, sc.points_max, sc.applicable) == (3, 21, 7)
    assert any("Total 3 / 21** · 1 of 7 criteria scored" in m.value for m in at.markdown)
    assert any("criteria scored: 1/7" in m.value and "points: 3/21" in m.value for m in at.markdown)
    assert at.selectbox(key=f"scorecard_{card.id}_ai_act_score").value == "na"


def test_fit_per_profile_is_prefilled_with_profile_names(app_test, populated_store):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    ids = sorted(r["id"] for r in article_store.iter_export_rows(store))[:3]
    for aid in ids:
        tools.add_evidence(ctx, "Adaptive learning paths", aid, "relevant")
    prefill = tools.scorecard(ctx, "Adaptive learning paths").fit_prefill
    assert prefill
    at = app_test("register")
    card = _open(at, ctx, "Adaptive learning paths")
    for profile in list_profiles(ctx):
        box = at.selectbox(key=f"scorecard_{card.id}_fit_profile_{profile.key}")
        assert box.label == md(profile.name) and profile.name != profile.key  # the name, as text (escaped Markdown)
        if profile.key in prefill:
            assert box.value == str(tools.fit_points(prefill[profile.key]))
    fit_caption = next(c.value for c in at.caption if c.value.startswith("Fit with the profiles"))
    assert all(md(p.name) in fit_caption for p in list_profiles(ctx) if p.key in prefill)

    # editing one profile's points saves them, by key, with the others as prefilled
    key = next(iter(prefill))
    points = 0 if tools.fit_points(prefill[key]) != 0 else 3
    at.selectbox(key=f"scorecard_{card.id}_fit_profile_{key}").set_value(str(points)).run()
    at.button(key="save_scorecard").click().run()
    clean(at)
    fit = next(e for e in tools.scorecard(ctx, "Adaptive learning paths").entries if e.criterion == "fit")
    assert fit.details["profiles"][key] == points and "prefilled" not in fit.details
    assert set(fit.details["profiles"]) == set(prefill)


def test_a_scorecard_edit_survives_navigation_and_the_save_confirms(app_test, populated_store):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    at = app_test("register")
    name = tools.tool_names(ctx)[-1]  # not the tool the page opens first
    card = _open(at, ctx, name)
    before = tools.scorecard(ctx, name)
    old = next(e for e in before.entries if e.criterion == "cost").score
    new = "1" if old != 1 else "2"
    assert at.button(key="save_scorecard").disabled  # nothing to save yet
    at.selectbox(key=f"scorecard_{card.id}_cost_score").set_value(new).run()
    at.text_input(key=f"scorecard_{card.id}_cost_note").set_value("Licence doubled this year").run()
    assert [w.value for w in at.warning] and "Cost & value" in at.warning[0].value

    # another page, then back: the edit is still there, not saved
    at.switch_page("views/digest.py").run()
    clean(at)
    at.switch_page("views/register.py").run()
    clean(at)
    assert at.selectbox(key="register_tool").value == name  # the tool under review is still open
    assert at.selectbox(key=f"scorecard_{card.id}_cost_score").value == new
    assert at.text_input(key=f"scorecard_{card.id}_cost_note").value == "Licence doubled this year"
    assert "Cost & value" in at.warning[0].value
    assert tools.scorecard(ctx, name).entries == before.entries

    # another tool, then back: still there, and the lanes say which tool holds unsaved edits
    other = next(n for n in tools.tool_names(ctx) if n != name)
    _open(at, ctx, other)
    assert any("unsaved edits" in m.value for m in at.markdown)
    _open(at, ctx, name)
    assert at.selectbox(key=f"scorecard_{card.id}_cost_score").value == new

    at.button(key="save_scorecard").click().run()
    clean(at)
    assert [s.value for s in at.success] == ["Scorecard saved: Cost & value."]
    assert [t.value for t in at.toast] == ["Scorecard saved: Cost & value."]
    assert not at.warning and at.button(key="save_scorecard").disabled
    cost = next(e for e in tools.scorecard(ctx, name).entries if e.criterion == "cost")
    assert (cost.score, cost.note) == (int(new), "Licence doubled this year")
    last = tools.history(ctx, name)[-1]
    assert (last.change, last.by, last.rationale) == ("score", "local", "Licence doubled this year")


def test_discard_puts_the_saved_scores_back(app_test, populated_store):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    at = app_test("register")
    name = at.selectbox(key="register_tool").value
    card = tools.get_card(ctx, name)
    saved = at.selectbox(key=f"scorecard_{card.id}_maturity_score").value
    at.selectbox(key=f"scorecard_{card.id}_maturity_score").set_value("na" if saved != "na" else "0").run()
    at.button(key="discard_scorecard").click().run()
    clean(at)
    assert at.selectbox(key=f"scorecard_{card.id}_maturity_score").value == saved and not at.warning


def test_no_next_status_is_preselected_before_or_after_a_decision(app_test, populated_store):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    tools.add_tool(ctx, "Quiz bot", note="seen at a fair")
    tools.set_status(ctx, "Quiz bot", "assess", "worth a look")  # assess -> trial | adopted | hold | rejected
    at = app_test("register")
    _open(at, ctx, "Quiz bot")
    assert at.selectbox(key="decision_status").value is None
    at.text_area(key="decision_rationale").set_value("Pilot it")
    at.button(key="FormSubmitter:decision-Record decision").click().run()
    assert [e.value for e in at.error] == ["Choose the new status first."]
    assert tools.get_card(ctx, "Quiz bot").status == "assess"

    at.selectbox(key="decision_status").set_value("trial")
    at.text_area(key="decision_rationale").set_value("Pilot it with 20 learners")
    at.button(key="FormSubmitter:decision-Record decision").click().run()
    assert [e.value for e in at.error] == ["Could not do it: a trial needs an owner"]  # a trial needs its plan
    assert tools.get_card(ctx, "Quiz bot").status == "assess"
    at.selectbox(key="decision_status").set_value("trial")
    at.text_area(key="decision_rationale").set_value("Pilot it with 20 learners")
    at.text_input(key="trial_owner").set_value("Inès")
    at.text_input(key="trial_kpi").set_value("quiz scores +15% after four weeks")
    at.multiselect(key="trial_profiles").set_value([settings.profiles[0].key])
    at.button(key="FormSubmitter:decision-Record decision").click().run()
    clean(at)
    assert tools.get_card(ctx, "Quiz bot").status == "trial"  # trial -> adopted first in its moves
    from ui.services import trials

    [trial] = trials.trials_of(ctx, "Quiz bot")
    assert trial.owner == "Inès" and trial.profiles == (settings.profiles[0].key,) and trial.ltem_target == 5
    box = at.selectbox(key="decision_status")
    assert box.value is None and box.options[0] == "Adopted"


def test_open_scrolls_the_tool_into_view_once(app_test, populated_store):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    at = app_test("register")
    assert not [h for h in at.get("html") if "register-tool" in h.proto.body]  # the page's own styles aside
    last = tools.tool_names(ctx)[-1]
    _open(at, ctx, last)
    scripts = [h.proto.body for h in at.get("html") if "register-tool" in h.proto.body]
    assert len(scripts) == 1 and 'getElementById("register-tool")' in scripts[0]
    assert any(s.proto.anchor == "register-tool" for s in at.subheader)
    at.run()
    assert not [h for h in at.get("html") if "register-tool" in h.proto.body]  # only right after "Open"
