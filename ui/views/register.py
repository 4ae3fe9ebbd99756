"""The tool & trend register: lanes, then one tool's decision, scorecard, evidence and history."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from ui import review_panel, shell
from ui.i18n import (
    change_label,
    colon,
    current_language,
    format_date,
    format_percent,
    french_typography,
    kind_label,
    quadrant_label,
    status_label,
    t,
    translate,
)
from ui.safe import md, md_lines, md_link
from ui.services import tools, veille_log
from ui.services.records import ToolCard
from ui.services.statuses import STATUSES
from ui.theme import STATUS_COLORS

TOOL_KEY = "register_tool"
PENDING_KEY = "register_tool_next"  # chosen after the selectbox exists: applied on the next run
SCROLL_KEY = "register_scroll"  # set by "Open" (and an email's link): the next run scrolls the tool into view
SAVED_KEY = "register_scorecard_saved"  # the scorecard's save confirmation, shown next to its button
DRAFTS_KEY = "register_scorecard_drafts"  # tool id -> criteria edited, not saved yet
DETAIL_ANCHOR = "register-tool"
LANES = STATUSES
NOT_SCORED, NOT_APPLICABLE = "-", "na"
CHOICES = (NOT_SCORED, "0", "1", "2", "3", NOT_APPLICABLE)  # a criterion's score as its selectbox offers it
POINTS = (NOT_SCORED, "0", "1", "2", "3")  # a profile's fit points
# scroll the tool's heading into view once it is drawn (our own fixed script, no user text)
SCROLL_SCRIPT = f"""<script>
(() => {{
  let tries = 0;
  const go = () => {{
    const el = document.getElementById("{DETAIL_ANCHOR}");
    if (el) {{ el.scrollIntoView({{block: "start"}}); return; }}
    if (tries++ < 40) setTimeout(go, 50);
  }};
  go();
}})();
</script>"""

ctx = shell.context()
shell.header("register.title", "register.intro")
shell.readonly_notice(ctx)
shell.show_flash()
editor = ctx.user.is_editor
lang = current_language()


def _criterion_label(c) -> str:
    return french_typography(c.label_fr) if lang == "fr" else c.label_en


def _guidance(c) -> str:
    return french_typography(c.guidance_fr) if lang == "fr" else c.guidance_en


def _lane_card(card: ToolCard) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(card.name)}**")
        bits = [f":gray-badge[{md(kind_label(card.kind))}]"]
        if card.criteria_scored:
            scored = t("register.badge_criteria", scored=card.criteria_scored, applicable=card.criteria_applicable)
            bits.append(f":blue-badge[{scored}]")
            bits.append(f":blue-badge[{t('register.badge_points', total=card.score_total, max=card.points_max)}]")
        else:
            bits.append(f":gray-badge[{t('register.badge_unscored')}]")
        if card.evidence_count:
            evidence = t("register.badge_evidence", count=card.evidence_count)
            bits.append(f":green-badge[:material/description: {evidence}]")
        if card.knocked_out:
            bits.append(f":red-badge[:material/block: {t('register.knockout')}]")
        if _drafts(card.id) and st.session_state.get(TOOL_KEY) != card.name:
            bits.append(f":orange-badge[:material/edit: {t('register.scorecard_unsaved_badge')}]")
        st.markdown(" ".join(bits))
        if card.quadrant:
            st.caption(md(quadrant_label(card.quadrant)))
        if st.button(t("register.open"), key=f"open_{card.id}", type="tertiary", icon=":material/open_in_full:"):
            st.session_state[TOOL_KEY] = card.name
            st.session_state[SCROLL_KEY] = True
            st.rerun()


def _drafts(tool_id: int) -> list[str]:
    """The criteria of a tool with edits not saved yet (kept for the session: see _scorecard)."""
    return st.session_state.get(DRAFTS_KEY, {}).get(tool_id, [])


def _choice(entry) -> str:
    if not entry.applies:
        return NOT_APPLICABLE
    return NOT_SCORED if entry.score is None else str(entry.score)


def _choice_label(c, language: str, choice: str) -> str:
    """A score in words for criterion `c` (the language is bound: Streamlit may format options later)."""
    if choice == NOT_SCORED:
        return translate("register.not_scored", language)
    if choice == NOT_APPLICABLE:
        return translate("register.not_applicable", language)
    meaning = c.level(int(choice), language)
    return translate("register.level", language, score=choice,
                     meaning=french_typography(meaning) if language == "fr" else meaning)


def _points_label(language: str, points: str) -> str:
    return translate("register.not_scored", language) if points == NOT_SCORED else points


def _shown_note(note: str) -> str:
    """The note as the editor wrote it: the note saved for them when they wrote none reads empty."""
    return "" if note in (translate("register.score_note", "en"), translate("register.score_note", "fr")) else note


def _profiles_of(entry) -> dict[str, str]:
    return {k: str(v) for k, v in (entry.details.get("profiles") or {}).items()}


def _reset_scorecard(tool_id: int, keys: dict[str, str]) -> None:
    """Discard: every widget of the tool's scorecard back to the value saved in the register."""
    for key, value in keys.items():
        st.session_state[key] = value
    st.session_state.get(DRAFTS_KEY, {}).pop(tool_id, None)


def _scorecard(card: ToolCard, sc) -> None:
    """One row per criterion: its score in words (what 0-3 mean for it), "not scored" or "does not apply", and a
    note; fit also per learner profile (by name), prefilled from the linked evidence. The widgets keep their
    values for the session (persist_state), so edits survive visiting other pages or tools until saved."""
    st.caption(t("register.scorecard_help"))
    st.markdown(f"**{t('register.total', score=sc.total, max=sc.points_max)}** · "
                + t("register.coverage", scored=sc.scored, applicable=sc.applicable))
    if sc.knocked_out:
        labels = [_criterion_label(tools.criterion(k)) for k in sc.knocked_out]
        st.error(t("register.knocked_out", criteria=", ".join(labels)), icon=":material/block:")
    saved: dict[str, str] = {}  # widget key -> the value saved in the register
    changed: list = []  # (entry, choice, note, profiles) for criteria edited and not saved
    for entry in sc.entries:
        c = tools.criterion(entry.criterion)
        prefix = f"scorecard_{card.id}_{c.key}"
        row = st.columns([3, 4, 4], vertical_alignment="center")
        row[0].markdown(f"**{_criterion_label(c)}**"
                        + (f" :red-badge[{t('register.knockout')}]" if c.knockout else ""))
        saved[f"{prefix}_score"], saved[f"{prefix}_note"] = _choice(entry), _shown_note(entry.note)
        choice = row[1].selectbox(
            t("register.score"), CHOICES, index=CHOICES.index(saved[f"{prefix}_score"]),
            format_func=partial(_choice_label, c, lang), key=f"{prefix}_score", disabled=not editor,
            placeholder=t("widget.choose_option"),
            label_visibility="collapsed", persist_state="session",
        )
        note = row[2].text_input(t("register.note"), value=saved[f"{prefix}_note"], key=f"{prefix}_note",
                                 placeholder=t("register.note_placeholder"), disabled=not editor,
                                 label_visibility="collapsed", persist_state="session")
        profiles: dict[str, str] = {}
        if c.key == "fit" and sc.profile_names:
            before = _profiles_of(entry)
            with st.expander(t("register.fit_profiles"), expanded=True):
                if sc.fit_prefill:
                    st.caption(t("register.fit") + colon() + " " + ", ".join(
                        f"{md(sc.profile_names.get(k, k))} {format_percent(v)}" for k, v in sc.fit_prefill.items()))
                cells = st.columns(min(len(sc.profile_names), 4))
                for i, (profile, profile_name) in enumerate(sc.profile_names.items()):
                    key = f"{prefix}_profile_{profile}"
                    saved[key] = before.get(profile, NOT_SCORED)
                    hint = (t("register.fit_from_evidence", percent=format_percent(sc.fit_prefill[profile]))
                            if profile in sc.fit_prefill else None)
                    # a widget label is Markdown: the profile's name goes through md() to stay text
                    profiles[profile] = cells[i % len(cells)].selectbox(
                        md(profile_name), POINTS, index=POINTS.index(saved[key]), key=key, help=hint,
                        format_func=partial(_points_label, lang), placeholder=t("widget.choose_option"),
                        disabled=not editor, persist_state="session",
                    )
            if profiles == {k: before.get(k, NOT_SCORED) for k in profiles}:
                profiles = {}
        if choice != saved[f"{prefix}_score"] or note != saved[f"{prefix}_note"] or profiles:
            changed.append((entry, choice, note, profiles))
    with st.expander(t("register.guidance"), icon=":material/help:"):
        for c in tools.CRITERIA:
            st.markdown(f"**{_criterion_label(c)}**{colon()} {_guidance(c)}")

    drafts = st.session_state.setdefault(DRAFTS_KEY, {})
    labels = [_criterion_label(tools.criterion(e.criterion)) for e, *_ in changed]
    if labels:
        drafts[card.id] = labels
        st.warning(t("register.unsaved", criteria=", ".join(labels)), icon=":material/edit_note:")
    else:
        drafts.pop(card.id, None)
    buttons = st.columns([1, 1, 2])
    buttons[1].button(t("register.discard"), key="discard_scorecard", disabled=not (editor and changed),
                      icon=":material/undo:", on_click=_reset_scorecard, args=(card.id, saved))
    if buttons[0].button(t("register.save_scorecard"), disabled=not (editor and changed), key="save_scorecard",
                         icon=":material/save:", type="primary"):
        done = []
        for entry, choice, note, profiles in changed:
            details = {k: v for k, v in entry.details.items() if k not in ("prefilled", "applies")}
            if entry.criterion == "fit":
                chosen = {**_profiles_of(entry), **profiles}
                details["profiles"] = {k: int(v) for k, v in chosen.items() if v != NOT_SCORED}
            score = int(choice) if choice not in (NOT_SCORED, NOT_APPLICABLE) else None
            if not shell.attempt(partial(tools.set_score, ctx, card.name, entry.criterion, score,
                                         note.strip() or t("register.score_note"), details,
                                         applies=choice != NOT_APPLICABLE)):
                break
            done.append(_criterion_label(tools.criterion(entry.criterion)))
        if done:
            drafts.pop(card.id, None)
            st.session_state[SAVED_KEY] = (card.id, t("register.scorecard_saved", criteria=", ".join(done)))
            st.rerun()
    if not changed:
        buttons[2].caption(t("register.no_changes"))
    confirmed = st.session_state.get(SAVED_KEY)
    if confirmed and confirmed[0] == card.id:
        del st.session_state[SAVED_KEY]
        st.success(confirmed[1], icon=":material/check_circle:")
        st.toast(confirmed[1], icon=":material/check_circle:")


# --- lanes --------------------------------------------------------------------------------------
name_filter = st.text_input(t("register.filter"), key="register_filter", placeholder="VR, chatbot…").strip().lower()
lanes = tools.lanes(ctx)
review_panel.reviews_due(ctx)
st.subheader(t("register.lanes"))
columns = st.columns(len(LANES))
for column, status in zip(columns, LANES, strict=True):
    cards = [c for c in lanes.get(status, []) if name_filter in c.name.lower()]
    column.markdown(
        f'<div style="border-top:4px solid {STATUS_COLORS[status]};padding-top:4px;font-weight:600">'
        f"{status_label(status)} ({len(cards)})</div>",
        unsafe_allow_html=True,  # our own fixed markup, no user text
    )
    with column:
        for card in cards:
            _lane_card(card)
        if not cards:
            st.caption(t("register.empty_lane"))

# --- one tool -----------------------------------------------------------------------------------
st.divider()
names = tools.tool_names(ctx)
if not names:
    st.info(t("empty"))
else:
    linked_tool = st.query_params.get("tool")  # a link from an email digest, opened once
    if linked_tool and st.session_state.get("register_linked") != linked_tool:
        st.session_state["register_linked"] = linked_tool
        match = next((n for n in names if n.lower() == linked_tool.lower()), None)
        if match:
            st.session_state[PENDING_KEY] = match
            st.session_state[SCROLL_KEY] = True
    if st.session_state.get(PENDING_KEY) in names:
        st.session_state[TOOL_KEY] = st.session_state.pop(PENDING_KEY)
    if st.session_state.get(TOOL_KEY) not in names:
        st.session_state[TOOL_KEY] = names[0]
    st.subheader(t("register.details"), anchor=DETAIL_ANCHOR)
    scroll = st.empty()  # always drawn: the elements below keep their place (a tab chosen stays open)
    if st.session_state.pop(SCROLL_KEY, False):
        scroll.html(SCROLL_SCRIPT, unsafe_allow_javascript=True)
    name = st.selectbox(t("register.pick"), names, key=TOOL_KEY, placeholder=t("widget.choose_option"),
                        persist_state="session")
    detail = tools.get_tool(ctx, name)
    card = detail.card
    colour = "green" if card.status == "adopted" else "blue"
    st.markdown(f"### {md(card.name)} &nbsp; :{colour}-badge[{status_label(card.status)}]")
    info = st.columns(3)
    info[0].caption(t("register.kind_line", kind=md(kind_label(card.kind))))
    info[1].caption(t("register.quadrant_line", quadrant=md(quadrant_label(card.quadrant))))
    info[2].caption(format_date(card.updated_at, with_time=True))
    if card.description:
        st.markdown(md_lines(card.description))
    if card.last_rationale:
        st.caption(f"“{md(card.last_rationale)}”")

    open_trial = review_panel.trial_running(ctx, card.name)
    decision_tab, score_tab, dossier_tab, evidence_tab, history_tab = st.tabs([
        t("register.decision"), t("register.scorecard"), review_panel.w("dossier"),
        f"{t('register.evidence')} ({len(detail.evidence)})", t("register.history"),
    ])
    with decision_tab, st.form("decision", clear_on_submit=True, border=False):
        # no status is preselected: a decision is always chosen, never "adopted" because it came first
        # labels resolved now, in the page's language (a format_func calling t() later may answer in English)
        next_labels = {s: status_label(s) for s in detail.allowed_next}
        new_status = st.selectbox(t("register.new_status"), detail.allowed_next, index=None,
                                  placeholder=t("register.choose_status"), format_func=next_labels.__getitem__,
                                  disabled=not editor, key="decision_status")
        rationale = st.text_area(t("register.rationale"), help=t("register.rationale_help"), disabled=not editor,
                                 key="decision_rationale")
        trial_values = review_panel.trial_fields(ctx, card, detail.allowed_next, editor, open_trial)
        if st.form_submit_button(t("register.set_status"), type="primary", disabled=not editor,
                                 icon=":material/gavel:"):
            if new_status is None:
                st.error(t("register.status_missing"))
            elif not rationale.strip():
                st.error(t("register.rationale_missing"))
            elif review_panel.is_trial_move(card, new_status, trial_values):
                if review_panel.decide(ctx, card, new_status, rationale, trial_values):
                    shell.flash(t("register.status_done", tool=md(card.name), old=status_label(card.status),
                                  new=status_label(new_status)))
                    st.rerun()
            else:
                if shell.attempt(partial(tools.set_status, ctx, card.name, new_status, rationale)):
                    shell.flash(t("register.status_done", tool=md(card.name), old=status_label(card.status),
                                  new=status_label(new_status)))
                    st.rerun()

    with score_tab:
        _scorecard(card, detail.scorecard)

    with dossier_tab:
        review_panel.dossier_tab(ctx, card, editor)

    with evidence_tab:
        if not detail.evidence:
            st.caption(t("register.no_evidence"))
        for ev in detail.evidence:
            st.markdown(f"- {md_link(ev.title or '—', ev.url)} · {md(ev.feed_title)} · {format_date(ev.published)}"
                        + (f"  \n  _{md(ev.note)}_" if ev.note else ""))

    with history_tab:
        rows = [{
            t("register.when"): format_date(h.at, with_time=True), t("register.who"): veille_log.person(h.by, lang),
            t("register.change"): change_label(h.change) + (
                f"{colon()} {status_label(h.from_status)} → {status_label(h.to_status)}"
                if h.change in ("status", "import") and h.from_status != h.to_status and h.from_status and h.to_status
                else ""
            ),
            t("register.rationale").split(" (")[0]: h.rationale,
        } for h in reversed(detail.history)]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

# --- add and suggestions ------------------------------------------------------------------------
st.divider()
left, right = st.columns(2)
with left, st.form("add_tool", clear_on_submit=True):
    st.subheader(t("register.add"))
    new_name = st.text_input(t("register.name"), disabled=not editor, key="add_name")
    row = st.columns(2)
    kind = row[0].selectbox(t("register.kind"), tools.KINDS, disabled=not editor,
                            format_func=partial(kind_label, lang=lang), placeholder=t("widget.choose_option"))
    quadrant = row[1].selectbox(t("register.quadrant"), ("", *tools.QUADRANTS), disabled=not editor,
                                format_func=lambda q: quadrant_label(q, lang) if q else "—",
                                placeholder=t("widget.choose_option"))
    description = st.text_area(t("register.description"), disabled=not editor, height=80)
    note = st.text_input(t("register.add_note"), disabled=not editor, key="add_note")
    submitted = st.form_submit_button(t("register.add_button"), disabled=not editor, icon=":material/add:")
    if submitted and shell.attempt(
        lambda: tools.add_tool(ctx, new_name, note=note, kind=kind, quadrant=quadrant, description=description)
    ):
        shell.flash(t("register.added", tool=md(tools.normalize_name(new_name))))
        st.session_state[PENDING_KEY] = tools.normalize_name(new_name)
        st.rerun()
with right:
    st.subheader(t("register.suggestions"))
    st.caption(t("register.suggestions_help"))
    for suggestion in tools.suggest_signals(ctx, limit=6):
        cells = st.columns([4, 1], vertical_alignment="center")
        cells[0].markdown(f"**{md(suggestion.name)}** · {t('register.mentions', count=suggestion.articles)}"
                          + (f" · {md(quadrant_label(suggestion.quadrant))}" if suggestion.quadrant else ""))
        cells[0].caption(t("register.suggested_why", count=suggestion.articles, sources=suggestion.sources,
                           score=format_percent(suggestion.mean_score), example=md(suggestion.example)))
        if cells[1].button(t("register.accept"), key=f"suggest_{suggestion.name}", disabled=not editor):
            note = t("register.suggested_note", count=suggestion.articles, sources=suggestion.sources)
            shell.do(partial(tools.add_tool, ctx, suggestion.name, note=note, quadrant=suggestion.quadrant),
                     t("register.added", tool=md(suggestion.name)))
