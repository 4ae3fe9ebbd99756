"""Trends: articles per topic per week, rising topics and terms, volume per source."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ui import shell
from ui.i18n import current_language, format_date, format_number, format_ratio, t, topic_label
from ui.services import trends

ctx = shell.context()


def _week(iso: str) -> str:
    """An ISO week label, '2026-W25' in English, '2026-S25' (semaine) in French."""
    return iso.replace("-W", "-S") if current_language() == "fr" else iso


shell.header("trends.title", "trends.intro")
weeks = st.select_slider(t("trends.weeks"), options=[4, 8, 12, 16, 26, 52], value=12, key="trends_weeks")

st.subheader(t("trends.per_topic"))
weekly = trends.topic_weeks(ctx, weeks=weeks)
if not weekly:
    st.info(t("trends.empty"))
else:
    partial = next((w for w in weekly if w.partial), None)

    def _label(w) -> str:
        day = format_date(w.week_start)
        return t("trends.partial_label", week=day) if w.partial else day

    frame = pd.DataFrame([{
        "week": _week(w.week), "start": pd.Timestamp(w.week_start), "label": _label(w),
        "topic": topic_label(w.topic, w.label), "articles": w.articles, "partial": w.partial,
        "state": "partial" if w.partial else "whole",
    } for w in weekly])
    order = list(dict.fromkeys(frame.sort_values("start")["label"]))
    longest = max(len(str(topic)) for topic in frame["topic"])
    legend_columns = 1 if longest > 20 else 2
    legend_rows = -(-frame["topic"].nunique() // legend_columns)
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("label:O", title=t("trends.week"), sort=order, axis=alt.Axis(labelAngle=-35, labelLimit=0)),
        y=alt.Y("sum(articles):Q", title=t("trends.articles")),
        # the legend under the chart, one or two columns, never cut (phones are 390 px wide)
        color=alt.Color("topic:N", title=t("trends.topic"), scale=alt.Scale(scheme="tableau10"),
                        legend=alt.Legend(orient="bottom", direction="vertical", columns=legend_columns,
                                          labelLimit=0, titleLimit=0, symbolLimit=0)),
        # the week in progress is pale: fewer articles so far is not a collapse
        opacity=alt.Opacity("state:N", scale=alt.Scale(domain=["whole", "partial"], range=[1.0, 0.35]),
                            legend=None),
        tooltip=[alt.Tooltip("week:N", title=t("trends.week")), alt.Tooltip("topic:N", title=t("trends.topic")),
                 alt.Tooltip("articles:Q", title=t("trends.articles"))],
    ).properties(height=300 + 20 * legend_rows + 110)  # the height holds the bars, the week labels and the legend
    st.altair_chart(chart, width="stretch")
    if partial is not None:
        st.caption(t("trends.partial_note", week=format_date(partial.week_start), days=partial.days))


def _rising_table(items, label_title: str, label_of) -> None:
    """Rising topics or terms; the figures are text so that French reads '1,5' and '×1,52'."""
    if not items:
        st.caption(t("trends.none_rising"))
        return
    st.dataframe(
        pd.DataFrame([{
            "label": label_of(item), "recent": format_number(item.recent_per_week),
            "before": format_number(item.before_per_week), "change": format_ratio(item.ratio),
        } for item in items]),
        hide_index=True, width="stretch",
        column_config={
            "label": st.column_config.TextColumn(label_title, width="large"),
            "recent": st.column_config.TextColumn(t("trends.recent_short"), help=t("per_week"), width="small"),
            "before": st.column_config.TextColumn(t("trends.before"), help=t("per_week"), width="small"),
            "change": st.column_config.TextColumn(t("trends.change"), width="small"),
        },
    )


# full width, one after the other: side by side, four columns each did not fit (names cut)
window = trends.windows(ctx)
st.subheader(t("trends.rising_topics"))
st.caption(t("trends.windows", recent=window.recent_weeks, before=window.baseline_weeks,
             recent_first=format_date(window.recent_first), recent_last=format_date(window.recent_last),
             before_first=format_date(window.before_first), before_last=format_date(window.before_last)))
_rising_table(trends.rising_topics(ctx, window.recent_weeks, window.baseline_weeks), t("trends.topic"),
              lambda item: topic_label(item.key, item.label))
st.subheader(t("trends.rising_terms"))
st.caption(t("trends.terms_note"))
_rising_table(trends.rising_terms(ctx, window.recent_weeks, window.baseline_weeks, limit=12), t("trends.term"),
              lambda item: item.label)

st.subheader(t("trends.per_source"))
volumes = trends.source_volume(ctx, weeks=weeks)
if volumes:
    frame = pd.DataFrame([{"source": v.title or v.url, "articles": v.articles} for v in volumes])
    frame["caption"] = [f"{v.title or v.url} · {v.articles}" for v in volumes]
    # each source's name above its bar, not as an axis label: long names are not cut and bars keep the width
    base = alt.Chart(frame).encode(
        y=alt.Y("source:N", title=None, sort=alt.EncodingSortField("articles", order="descending"), axis=None),
        tooltip=[alt.Tooltip("source:N", title=t("trends.source")),
                 alt.Tooltip("articles:Q", title=t("trends.articles"))],
    )
    bars = base.mark_bar(color="#1f5f8b", size=12, yOffset=9).encode(
        x=alt.X("articles:Q", title=t("trends.articles")))
    names = base.mark_text(align="left", baseline="middle", yOffset=-8, fontSize=13, color="#1c2733").encode(
        x=alt.value(0), text="caption:N")
    st.altair_chart(alt.layer(bars, names).properties(height=44 * len(frame)), width="stretch")
else:
    st.caption(t("trends.empty"))
