"""The tool & trend register: lanes, then one tool's decision, scorecard, evidence and history."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from ui import shell
from ui.i18n import current_language, format_date, quadrant_label, status_label, t
from ui.safe import md, md_lines, md_link
from ui.services import tools
from ui.services.records import ToolCard
from ui.services.statuses import STATUSES
from ui.theme import STATUS_COLORS

TOOL_KEY = "register_tool"
PENDING_KEY = "register_tool_next"  # chosen after the selectbox exists: applied on the next run
LANES = STATUSES

ctx = shell.context()
shell.header("register.title", "register.intro")
shell.readonly_notice(ctx)
shell.show_flash()
editor = ctx.user.is_editor
lang = current_language()


def _criterion_label(c) -> str:
    return c.label_fr if lang == "fr" else c.label_en


def _lane_card(card: ToolCard) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(card.name)}**")
        bits = [f":gray-badge[{md(card.kind)}]"]
        if card.score_max:
            bits.append(f":blue-badge[{card.score_total}/{card.score_max}]")
        if card.evidence_count:
            bits.append(f":green-badge[:material/description: {card.evidence_count}]")
        if card.knocked_out:
            bits.append(":red-badge[:material/block: KO]")
        st.markdown(" ".join(bits))
        if card.quadrant:
            st.caption(md(quadrant_label(card.quadrant)))
        if st.button(t("register.open"), key=f"open_{card.id}", type="tertiary", icon=":material/open_in_full:"):
            st.session_state[TOOL_KEY] = card.name
            st.rerun()


# --- lanes --------------------------------------------------------------------------------------
name_filter = st.text_input(t("register.filter"), key="register_filter", placeholder="VR, chatbot…").strip().lower()
lanes = tools.lanes(ctx)
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
    if st.session_state.get(PENDING_KEY) in names:
        st.session_state[TOOL_KEY] = st.session_state.pop(PENDING_KEY)
    if st.session_state.get(TOOL_KEY) not in names:
        st.session_state[TOOL_KEY] = names[0]
    st.subheader(t("register.details"))
    name = st.selectbox(t("register.pick"), names, key=TOOL_KEY)
    detail = tools.get_tool(ctx, name)
    card = detail.card
    colour = "green" if card.status == "adopted" else "blue"
    st.markdown(f"### {md(card.name)} &nbsp; :{colour}-badge[{status_label(card.status)}]")
    info = st.columns(3)
    info[0].caption(f"{t('register.kind')}: {md(card.kind)}")
    info[1].caption(f"{t('register.quadrant')}: {md(quadrant_label(card.quadrant))}")
    info[2].caption(format_date(card.updated_at, with_time=True))
    if card.description:
        st.markdown(md_lines(card.description))
    if card.last_rationale:
        st.caption(f"“{md(card.last_rationale)}”")

    decision_tab, score_tab, evidence_tab, history_tab = st.tabs([
        t("register.decision"), t("register.scorecard"), f"{t('register.evidence')} ({len(detail.evidence)})",
        t("register.history"),
    ])
    with decision_tab, st.form("decision", clear_on_submit=True, border=False):
        new_status = st.selectbox(t("register.new_status"), detail.allowed_next, format_func=status_label,
                                  disabled=not editor, key="decision_status")
        rationale = st.text_area(t("register.rationale"), help=t("register.rationale_help"), disabled=not editor,
                                 key="decision_rationale")
        if st.form_submit_button(t("register.set_status"), type="primary", disabled=not editor,
                                 icon=":material/gavel:"):
            if not rationale.strip():
                st.error(t("register.rationale_missing"))
            else:
                if shell.attempt(lambda: tools.set_status(ctx, card.name, new_status, rationale)):
                    shell.flash(t("register.status_done", tool=md(card.name), old=status_label(card.status),
                                  new=status_label(new_status)))
                    st.rerun()

    with score_tab:
        sc = detail.scorecard
        st.caption(t("register.scorecard_help"))
        if sc.max_total:
            st.markdown(f"**{t('register.total', score=sc.total, max=sc.max_total)}**")
        if sc.knocked_out:
            labels = [_criterion_label(tools.criterion(k)) for k in sc.knocked_out]
            st.error(t("register.knocked_out", criteria=", ".join(labels)), icon=":material/block:")
        if sc.fit_prefill:
            st.caption("Fit: " + ", ".join(f"{k} {v:.0%}" for k, v in sc.fit_prefill.items()))
        frame = pd.DataFrame([{
            "key": e.criterion, "criterion": _criterion_label(tools.criterion(e.criterion)),
            "knockout": e.knockout, "score": e.score, "note": e.note,
        } for e in sc.entries])
        edited = st.data_editor(
            frame, key=f"scorecard_{card.id}", hide_index=True, disabled=not editor, width="stretch",
            column_order=("criterion", "knockout", "score", "note"),
            column_config={
                "criterion": st.column_config.TextColumn(t("register.criterion"), disabled=True, width="medium"),
                "knockout": st.column_config.CheckboxColumn(t("register.knockout"), disabled=True, width="small"),
                "score": st.column_config.SelectboxColumn(t("register.score"), options=[0, 1, 2, 3], width="small"),
                "note": st.column_config.TextColumn(t("register.note"), width="large"),
            },
        )
        with st.expander("?", icon=":material/help:"):
            for c in tools.CRITERIA:
                st.markdown(f"**{_criterion_label(c)}**: {c.guidance_fr if lang == 'fr' else c.guidance_en}")
        if st.button(t("register.save_scorecard"), disabled=not editor, key="save_scorecard", icon=":material/save:"):
            changed = 0
            for before, after in zip(frame.itertuples(), edited.itertuples(), strict=True):
                score = None if pd.isna(after.score) else int(after.score)
                old = None if pd.isna(before.score) else int(before.score)
                note = "" if pd.isna(after.note) else str(after.note)
                if score == old and note == (before.note or ""):
                    continue
                if not shell.attempt(partial(tools.set_score, ctx, card.name, after.key, score,
                                             note or "scorecard update")):
                    break
                changed += 1
            else:
                if changed:
                    shell.flash(t("saved"))
                    st.rerun()

    with evidence_tab:
        if not detail.evidence:
            st.caption(t("register.no_evidence"))
        for ev in detail.evidence:
            st.markdown(f"- {md_link(ev.title or '—', ev.url)} · {md(ev.feed_title)} · {format_date(ev.published)}"
                        + (f"  \n  _{md(ev.note)}_" if ev.note else ""))

    with history_tab:
        rows = [{
            t("register.when"): format_date(h.at, with_time=True), t("register.who"): h.by,
            t("register.change"): h.change + (
                f": {status_label(h.from_status)} → {status_label(h.to_status)}"
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
    kind = row[0].selectbox(t("register.kind"), tools.KINDS, disabled=not editor)
    quadrant = row[1].selectbox(t("register.quadrant"), ("", *tools.QUADRANTS), disabled=not editor,
                                format_func=lambda q: quadrant_label(q) if q else "—")
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
                          + (f" · {md(suggestion.quadrant)}" if suggestion.quadrant else ""))
        if cells[1].button(t("register.accept"), key=f"suggest_{suggestion.name}", disabled=not editor):
            note = f"Suggested: {suggestion.articles} mentions in highly rated articles"
            shell.do(partial(tools.add_tool, ctx, suggestion.name, note=note, quadrant=suggestion.quadrant),
                     t("register.added", tool=md(suggestion.name)))
