"""Veille log: decisions, rationale and evidence, sources and volumes for a period; CSV and printable HTML."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from config import clock
from ui import served, shell
from ui.i18n import current_language, format_date, t
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
figures = veille_log.counts(log)  # the same figures as the printable report and the CSV

metrics = st.columns(5)
metrics[0].metric(t("log.decision_count"), figures.decisions)
metrics[1].metric(t("log.assessment_count"), figures.assessments)
metrics[2].metric(t("log.articles"), figures.articles_collected)
metrics[3].metric(t("log.feeds"), figures.sources)
metrics[4].metric(t("log.digests_sent"), figures.digests_sent)

row = st.columns([1, 1, 2])
row[0].download_button(t("log.download_csv"), veille_log.to_csv(log, lang), f"veille-log-{date_from}-{date_to}.csv",
                       "text/csv", icon=":material/download:", key="log_csv")
row[1].link_button(t("log.open_report"), served.html_page(veille_log.to_html(log, lang=lang), "veille_log.report"),
                   icon=":material/print:", help=t("log.open_report_help"))


def _table(entries, with_evidence: bool) -> None:
    frame = pd.DataFrame([{
        t("register.when"): format_date(d.at, with_time=True), t("register.pick"): d.tool,
        t("register.who"): veille_log.person(d.by, lang), t("register.change"): veille_log.change_text(d, lang),
        t("register.rationale").split(" (")[0] if with_evidence else t("register.note"): d.rationale,
        **({t("log.evidence"): len(d.evidence)} if with_evidence else {}),
    } for d in entries])
    st.dataframe(frame, hide_index=True, width="stretch")


st.subheader(t("log.decisions"))
if log.decisions:
    _table(log.decisions, True)
else:
    st.caption(t("log.empty"))

st.subheader(t("log.assessments"))
st.caption(t("log.assessments_help"))
if log.assessments:
    _table(log.assessments, False)
else:
    st.caption(t("log.no_assessment"))

st.subheader(t("log.sources"))
st.dataframe(pd.DataFrame([{
    t("trends.source"): s.title or s.url, t("sources.url"): s.url, t("log.articles"): s.articles,
} for s in log.sources]), hide_index=True, width="stretch")
