"""The register drawn as a technology radar, with new/moved markers and Build-Your-Own-Radar export/import."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from config import clock
from ui import shell
from ui.i18n import current_language, message_text, quadrant_label, t
from ui.radar_svg import draw
from ui.radar_widget import radar as radar_widget
from ui.safe import md
from ui.services import radar, tools
from ui.services.statuses import OUTSIDE, RINGS

REGISTER = "views/register.py"

ctx = shell.context()
# the register opens a linked card (?tool=NAME) once, then leaves the user's own choice alone; forgetting which one
# here lets a dot or a list link open the same card again after another card was picked there
st.session_state.pop("register_linked", None)
shell.header("radar.title", "radar.intro")
shell.show_flash()

today = clock.today(ctx.settings.schedule.timezone)
since = st.date_input(t("radar.since"), value=today - timedelta(days=30), key="radar_since",
                      format="DD/MM/YYYY" if current_language() == "fr" else "YYYY-MM-DD")
entries = radar.radar_entries(ctx, since=since)
placed = [e for e in entries if e.ring in RINGS or e.ring == OUTSIDE]
waiting = radar.signals(ctx)


def _card(number: int, name: str, ring: str, extra: str = "") -> None:
    """A link to the entry's register card, in this session (a signed-in user stays signed in)."""
    st.page_link(REGISTER, label=f"**{number}** · {md(name)} · _{t(f'ring.{ring}')}_{extra}",
                 query_params={"tool": name}, icon=":material/open_in_new:")


if not placed:
    st.info(t("radar.empty"))
else:
    quadrants = [q for q in tools.QUADRANTS if any(e.quadrant == q for e in placed)]
    quadrants += sorted({e.quadrant for e in placed} - set(quadrants))
    ring_labels = {ring: t(f"ring.{ring}") for ring in (*RINGS, OUTSIDE)}
    svg, blips = draw(placed, quadrants, ring_labels, {q: quadrant_label(q) for q in quadrants},
                      title=t("radar.title"), marker_labels={"new": t("radar.new"), "moved": t("radar.moved")},
                      clickable=True)
    # full width (a side column made it too small to read), drawn in the page (not an image) so each dot's tooltip
    # shows; a click (or Enter/Space) on a dot opens its card as the list's links do, in this session
    opened = radar_widget(svg)
    name_of = {b.number: b.name for b in blips}
    if opened in name_of:
        st.switch_page(REGISTER, query_params={"tool": name_of[opened]})
    st.caption(t("radar.how"))
    # the numbered list under the radar, one column per quadrant (stacked on a phone)
    columns = st.columns(min(len(quadrants), 4))
    for index, quadrant in enumerate(quadrants):
        with columns[index % len(columns)]:
            st.markdown(f"**{md(quadrant_label(quadrant))}**")
            for b in (b for b in blips if b.quadrant == quadrant):
                _card(b.number, b.name, b.ring, (" ◯" if b.is_new else "") + (" ◇" if b.moved else ""))

# signals have no ring yet: not drawn, but listed with the number they keep once assessed
st.subheader(t("radar.signals", count=len(waiting)))
st.caption(t("radar.signals_help"))
if waiting:
    signal_columns = st.columns(2)
    for index, entry in enumerate(waiting):
        with signal_columns[index % 2]:
            _card(entry.number, entry.name, "signal", f" · {md(quadrant_label(entry.quadrant))}")
else:
    st.caption(t("radar.no_signals"))

with st.expander(t("radar.table"), icon=":material/table:"):
    st.dataframe(pd.DataFrame([{
        t("radar.number"): e.number, t("radar.name"): e.name, t("radar.ring"): t(f"ring.{e.ring}"),
        t("radar.quadrant"): quadrant_label(e.quadrant), t("radar.new"): e.is_new,
        t("radar.moved"): t(f"ring.{e.moved_from}") if e.moved and e.moved_from else "",
    } for e in [*entries, *waiting]]), hide_index=True, width="stretch")

st.subheader(t("radar.export"))
row = st.columns([1, 1, 3])
row[0].download_button(t("radar.export_csv"), radar.export_csv(ctx, since=since), "veille-radar.csv", "text/csv",
                       icon=":material/download:")
row[1].download_button(t("radar.export_json"), radar.export_json(ctx, since=since), "veille-radar.json",
                       "application/json", icon=":material/download:")
if ctx.user.is_editor:
    with st.form("byor_import", clear_on_submit=True):
        upload = st.file_uploader(t("radar.import"), type=["csv", "json"])
        rationale = st.text_input(t("radar.import_rationale"))
        if st.form_submit_button(t("radar.import"), icon=":material/upload:") and upload is not None:
            fmt = upload.name.rsplit(".", 1)[-1].lower()
            data, source = upload.getvalue(), upload.name
            result = shell.act(lambda: radar.import_byor(ctx, data, fmt=fmt, source=source, rationale=rationale))
            if result is not None:
                summary = f"+{result.created} / ~{result.updated} / ={result.unchanged}"
                if result.errors:  # stay on this run: the refused rows, in the reader's language, then the summary
                    for i, error in enumerate(result.errors):
                        problem = result.problems[i] if i < len(result.problems) else None
                        st.warning((message_text(problem, escape=md) if problem else "") or md(error))
                    st.info(t("radar.import_done", summary=summary))
                else:
                    shell.flash(t("radar.import_done", summary=summary))
                    st.rerun()
