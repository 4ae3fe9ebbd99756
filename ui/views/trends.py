"""Trends: articles per topic per week, rising topics and terms, volume per source."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ui import shell
from ui.i18n import format_date, t
from ui.services import trends

ctx = shell.context()
shell.header("trends.title", "trends.intro")
weeks = st.select_slider(t("trends.weeks"), options=[4, 8, 12, 16, 26, 52], value=12, key="trends_weeks")

st.subheader(t("trends.per_topic"))
weekly = trends.topic_weeks(ctx, weeks=weeks)
if not weekly:
    st.info(t("trends.empty"))
else:
    frame = pd.DataFrame([{
        "week": w.week, "start": pd.Timestamp(w.week_start), "label": format_date(w.week_start),
        "topic": w.label, "articles": w.articles,
    } for w in weekly])
    order = list(dict.fromkeys(frame.sort_values("start")["label"]))
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("label:O", title=t("trends.week"), sort=order, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("sum(articles):Q", title=t("trends.articles")),
        color=alt.Color("topic:N", title=t("trends.topic"), scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip("week:N", title=t("trends.week")), alt.Tooltip("topic:N", title=t("trends.topic")),
                 alt.Tooltip("articles:Q", title=t("trends.articles"))],
    ).properties(height=320)
    st.altair_chart(chart, width="stretch")


def _rising_table(items, label_title: str) -> None:
    if not items:
        st.caption(t("trends.none_rising"))
        return
    top = max(item.ratio for item in items) or 1.0
    st.dataframe(
        pd.DataFrame([{
            "label": item.label, "recent": round(item.recent_per_week, 1), "before": round(item.before_per_week, 1),
            "change": item.ratio,
        } for item in items]),
        hide_index=True, width="stretch",
        column_config={
            "label": st.column_config.TextColumn(label_title),
            "recent": st.column_config.NumberColumn(t("trends.recent"), help="/ week", format="%.1f"),
            "before": st.column_config.NumberColumn(t("trends.before"), help="/ week", format="%.1f"),
            "change": st.column_config.ProgressColumn(t("trends.change"), format="×%.2f", min_value=0.0,
                                                      max_value=float(top)),
        },
    )


left, right = st.columns(2)
with left:
    st.subheader(t("trends.rising_topics"))
    _rising_table(trends.rising_topics(ctx), t("trends.topic"))
with right:
    st.subheader(t("trends.rising_terms"))
    _rising_table(trends.rising_terms(ctx, limit=12), t("trends.term"))

st.subheader(t("trends.per_source"))
volumes = trends.source_volume(ctx, weeks=weeks)
if volumes:
    frame = pd.DataFrame([{"source": v.title or v.url, "articles": v.articles} for v in volumes])
    chart = alt.Chart(frame).mark_bar(color="#1f5f8b").encode(
        x=alt.X("articles:Q", title=t("trends.articles")),
        y=alt.Y("source:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("source:N", title=t("trends.source")),
                 alt.Tooltip("articles:Q", title=t("trends.articles"))],
    ).properties(height=max(140, 40 * len(frame)))
    st.altair_chart(chart, width="stretch")
else:
    st.caption(t("trends.empty"))
