"""The register page's critical-review parts: trial reviews due, a card's evidence dossier (with stance
corrections), and the fields a decision needs to start or close a trial. Strings in English and French here,
with the catalogue's French typography."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pandas as pd
import streamlit as st

from config import clock
from ui import shell
from ui.i18n import colon, current_language, format_date, format_number, french_typography, t
from ui.safe import md, md_link
from ui.services import dossier as dossier_service
from ui.services import trials
from ui.services.briefing import dossier_lines

WORDS: dict[str, tuple[str, str]] = {
    "due": ("Trial reviews due", "Revues d’essai à faire"),
    "due_line": ("{tool}: review on {day} ({late}), owner {owner}; KPI: {kpi}",
                 "{tool} : revue le {day} ({late}), responsable {owner} ; indicateur : {kpi}"),
    "today": ("due today", "aujourd’hui"), "late": ("{n} days late", "{n} jours de retard"),
    "late_one": ("1 day late", "1 jour de retard"),
    "dossier": ("Dossier", "Dossier"),
    "timeline": ("Mentions per week: critical and promotional", "Mentions par semaine : critiques et promotionnelles"),
    "critical": ("critical", "critiques"), "promotional": ("promotional", "promotionnelles"),
    "other": ("neutral", "neutres"),
    "stance.promotional": ("promotional", "promotionnel"), "stance.neutral": ("neutral", "neutre"),
    "stance.critical": ("critical", "critique"),
    "because": ("because", "parce que"), "claim": ("claim", "promesse"), "vendor": ("vendor", "fournisseur"),
    "corrected": ("corrected", "corrigé"),
    "correct": ("Correct a stance", "Corriger un ton"), "article": ("Article", "Article"),
    "stance": ("Stance", "Ton"), "auto": ("as read from its words", "lu dans le texte"),
    "save_stance": ("Save the stance", "Enregistrer le ton"), "saved_stance": ("Stance saved.", "Ton enregistré."),
    "no_articles": ("No article names this card yet (add aliases with `veille tools aliases`).",
                    "Aucun article ne cite encore cette fiche (ajoutez des alias avec `veille tools aliases`)."),
    "plan": ("Trial plan (needed to move to Trial)", "Plan d’essai (nécessaire pour passer en Essai)"),
    "owner": ("Owner", "Responsable"), "review": ("Review date", "Date de revue"),
    "kpi": ("Success criterion (KPI)", "Critère de réussite (indicateur)"),
    "ltem": ("LTEM level targeted", "Niveau LTEM visé"), "profiles": ("Learner profiles", "Profils d’apprenants"),
    "outcome": ("Trial outcome (needed to leave Trial)", "Résultat de l’essai (nécessaire pour sortir de l’essai)"),
    "outcome_pick": ("Against its criteria", "Au regard de ses critères"),
    "outcome.met": ("criteria met", "critères atteints"), "outcome.partly": ("criteria partly met",
                                                                           "critères en partie atteints"),
    "outcome.not_met": ("criteria not met", "critères non atteints"),
    "result": ("What was measured", "Ce qui a été mesuré"),
    "running": ("Trial running: owner {owner}, review on {day}; KPI: {kpi}; LTEM level {ltem} targeted.",
                "Essai en cours : responsable {owner}, revue le {day} ; indicateur : {kpi} ; niveau LTEM visé {ltem}."),
}


def w(key: str, **values) -> str:
    en, fr = WORDS[key]
    if current_language() == "fr":
        return french_typography(fr.format(**values))
    return en.format(**values)


def _late(days: int) -> str:
    return w("today") if days == 0 else w("late_one") if days == 1 else w("late", n=days)


def reviews_due(ctx) -> None:
    """A warning listing the trial reviews that have come (the configured zone's today)."""
    due = trials.due_reviews(ctx)
    if not due:
        return
    lines = [w("due_line", tool=md(d.trial.tool), day=format_date(d.trial.review_on), owner=md(d.trial.owner),
               kpi=md(d.trial.kpi), late=_late(d.days_late))
             for d in due]
    st.warning(f"**{w('due')}**  \n" + "  \n".join(lines), icon=":material/event:")


def trial_running(ctx, name: str):
    """The card's open trial, said in one line; returned for the decision form (None when there is none)."""
    open_ = [t for t in trials.trials_of(ctx, name) if not t.closed_at]
    if open_:
        tr = open_[-1]
        st.info(w("running", owner=md(tr.owner), day=format_date(tr.review_on), kpi=md(tr.kpi), ltem=tr.ltem_target),
                icon=":material/science:")
        return tr
    return None


def trial_fields(ctx, card, allowed_next, editor: bool, open_trial=None) -> dict:
    """Inside the decision form: the plan fields when Trial is a possible move, the outcome fields when the card
    is in a trial. Returns the values."""
    values: dict = {}
    if "trial" in allowed_next:
        with st.expander(w("plan")):
            today = clock.today(ctx.settings.schedule.timezone)
            values["owner"] = st.text_input(w("owner"), disabled=not editor, key="trial_owner")
            values["review_on"] = st.date_input(w("review"), value=today + timedelta(days=42), min_value=today,
                                                disabled=not editor, key="trial_review",
                                                format="DD/MM/YYYY" if current_language() == "fr" else "YYYY-MM-DD")
            values["kpi"] = st.text_input(w("kpi"), disabled=not editor, key="trial_kpi")
            values["ltem_target"] = st.slider(w("ltem"), 1, 8, 5, disabled=not editor, key="trial_ltem")
            names = {p.key: p.name for p in ctx.settings.profiles}
            values["profiles"] = st.multiselect(w("profiles"), list(names), format_func=lambda k: names[k],
                                                disabled=not editor, key="trial_profiles")
    if card.status == "trial" and open_trial is not None:
        with st.expander(w("outcome"), expanded=True):
            values["outcome"] = st.radio(w("outcome_pick"), trials.OUTCOMES, index=None, horizontal=True,
                                         format_func=lambda o: w(f"outcome.{o}"), disabled=not editor,
                                         key="trial_outcome")
            values["result"] = st.text_input(w("result"), disabled=not editor, key="trial_result")
    return values


def decide(ctx, card, new_status: str, rationale: str, values: dict) -> bool:
    """Record the decision through the trial rules when they apply; True when it succeeded."""
    if "outcome" in values:
        return shell.attempt(partial(trials.close_trial, ctx, card.name, outcome=values.get("outcome") or "",
                                     result=values.get("result", ""), status=new_status, rationale=rationale))
    if new_status == "trial":
        return shell.attempt(partial(trials.start_trial, ctx, card.name, owner=values.get("owner", ""),
                                     review_on=values.get("review_on") or "", kpi=values.get("kpi", ""),
                                     ltem_target=values.get("ltem_target", 5), profiles=values.get("profiles", []),
                                     rationale=rationale))
    return False  # not a trial move: the page records it as before


def is_trial_move(card, new_status: str | None, values: dict) -> bool:
    return new_status == "trial" or "outcome" in values


def dossier_tab(ctx, card, editor: bool) -> None:
    """The card's evidence dossier: five lines, the timeline, the articles with their stance and why."""
    language = current_language()
    d = dossier_service.build(ctx, card.name)
    if not d.articles:
        st.caption(w("no_articles"))
        return
    for line in dossier_lines(d, language):
        st.markdown(f"- {md(line)}")
    if not d.learned_model:
        st.caption(t("dossier.rules_alone", model=md(ctx.settings.scoring.model)))
    elif d.rules_only:
        st.caption(t("dossier.rules_only", n=d.rules_only))
    if d.learned_corrections:
        st.caption(t("dossier.refitted", n=d.learned_corrections))
    weeks = list(d.timeline)
    if weeks:
        frame = pd.DataFrame({
            w("critical"): [x.critical for x in weeks], w("promotional"): [x.promotional for x in weeks],
            w("other"): [x.mentions - x.critical - x.promotional for x in weeks]}, index=[x.week for x in weeks])
        st.caption(w("timeline"))
        st.bar_chart(frame, color=["#c2410c", "#2563eb", "#9ca3af"], height=180)
    for a in d.articles[:30]:
        bits = [f"**{w('stance.' + a.stance)}**" + (f" ({w('corrected')})" if a.corrected else ""),
                md(a.source_kind), format_date(a.published)]
        because = (f"  \n  {w('because')}{colon()} " + ", ".join(f"“{md(c)}”" for c in a.cues[:3])) if a.cues else ""
        if a.learned is not None:
            because += "  \n  " + t("dossier.learned", stance=t(f"term.stance.{a.stance}"),
                                     p=format_number(a.learned, language, digits=2))
        claim_word = w("claim") + (f" ({w('vendor')})" if a.vendor_claims else "")
        claims = "".join(f"  \n  {claim_word}{colon()} “{md(c)}”" for c in a.claims[:2])
        st.markdown(f"- {md_link(a.title, a.url)} · " + " · ".join(bits) + because + claims)
    if editor:
        with st.form(f"stance_{card.id}", border=False):
            st.caption(w("correct"))
            titles = {a.id: a.title for a in d.articles}
            article = st.selectbox(w("article"), list(titles), format_func=lambda i: titles[i], key="stance_article")
            stance = st.radio(w("stance"), ("auto", "promotional", "neutral", "critical"), horizontal=True,
                              format_func=lambda s: w("auto") if s == "auto" else w(f"stance.{s}"), key="stance_pick")
            if st.form_submit_button(w("save_stance")) and shell.attempt(partial(
                    dossier_service.correct_stance, ctx, card.name, article, None if stance == "auto" else stance)):
                shell.flash(w("saved_stance"))
                st.rerun()
