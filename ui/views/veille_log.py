"""Veille log: decisions, rationale and evidence, sources and volumes for a period; CSV and printable HTML."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from config import clock
from ui import shell
from ui.i18n import current_language, format_date, status_label, t
from ui.services import veille_log

ctx = shell.context()
shell.header("log.title", "log.intro")
lang = current_language()

today = clock.today(ctx.settings.schedule.timezone)
period = st.date_input(t("log.period"), value=(today - timedelta(days=90), today), key="log_period",
                       format="DD/MM/YYYY" if lang == "fr" else "YYYY-MM-DD")
if not isinstance(period, tuple | list) or len(period) != 2:
    st.stop()  # the user is still picking the end date
date_from, date_to = period
log = veille_log.build_log(ctx, date_from, date_to)

metrics = st.columns(4)
metrics[0].metric(t("log.decision_count"), len(log.decisions))
metrics[1].metric(t("log.articles"), log.articles_collected)
metrics[2].metric(t("log.feeds"), len(log.sources))
metrics[3].metric(t("digest.show.saved"), log.articles_saved)

row = st.columns([1, 1, 2])
row[0].download_button(t("log.download_csv"), veille_log.to_csv(log), f"veille-log-{date_from}-{date_to}.csv",
                       "text/csv", icon=":material/download:")
report = veille_log.to_html(log, lang=lang)
row[1].download_button(t("log.download_html"), report, f"veille-log-{date_from}-{date_to}.html", "text/html",
                       icon=":material/print:")

st.subheader(t("log.decisions"))
if not log.decisions:
    st.caption(t("log.empty"))
else:
    st.dataframe(pd.DataFrame([{
        t("register.when"): format_date(d.at, with_time=True), t("register.pick"): d.tool, t("register.who"): d.by,
        t("register.change"): d.change + (
            f": {status_label(d.from_status)} → {status_label(d.to_status)}"
            if d.from_status and d.to_status and d.from_status != d.to_status else ""
        ),
        t("register.rationale").split(" (")[0]: d.rationale,
        t("log.evidence"): len(d.evidence),
    } for d in log.decisions]), hide_index=True, width="stretch")

st.subheader(t("log.sources"))
st.dataframe(pd.DataFrame([{
    t("trends.source"): s.title or s.url, t("sources.url"): s.url, t("log.articles"): s.articles,
} for s in log.sources]), hide_index=True, width="stretch")
