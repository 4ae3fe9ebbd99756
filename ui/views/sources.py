"""Sources: feed health, add/remove/enable feeds, OPML import/export, crawl now, recent job runs."""

from __future__ import annotations

import re
from itertools import zip_longest

import pandas as pd
import streamlit as st

from config.errors import Message
from config.settings import SOURCE_KINDS
from ui import shell
from ui.i18n import (
    STRINGS,
    code_label,
    colon,
    current_language,
    format_date,
    format_number,
    message_text,
    t,
    topic_label,
)
from ui.safe import md
from ui.services import profiles as profiles_service
from ui.services import sources

ctx = shell.context()
shell.header("sources.title", "sources.intro")
shell.readonly_notice(ctx)
shell.show_flash()
editor = ctx.user.is_editor

# --- health -------------------------------------------------------------------------------------


@st.fragment(run_every=0.5)
def _crawl_progress() -> None:
    """Polls the background crawl; when it ends, the whole page reruns to show its result and the new data."""
    status = sources.crawl_status()
    if status is None or not status.running:
        st.rerun(scope="app")
        return
    st.progress(status.fraction, text=t("sources.crawling", done=str(status.done),
                                       total=str(status.total) if status.total else "…"))


crawl_job = sources.crawl_status()
crawling = crawl_job is not None and crawl_job.running
head = st.columns([3, 1], vertical_alignment="bottom")
head[0].subheader(t("sources.health"))
if head[1].button(t("sources.crawl"), help=t("sources.crawl_help"), disabled=not editor or crawling,
                  type="primary", icon=":material/sync:", width="stretch", key="sources_crawl") \
        and shell.act(lambda: sources.start_crawl(ctx)) is not None:
    st.rerun()  # the button disabled and the progress bar drawn

if crawling:
    _crawl_progress()
elif crawl_job is not None:
    result = sources.crawl_result()
    if result is not None:  # feed URLs and errors in it: text, not Markdown
        show = {"success": st.success, "warning": st.warning, "info": st.info}.get(result.level, st.error)
        icons = {"success": ":material/check_circle:", "warning": ":material/warning:", "info": ":material/info:"}
        show(md(result.message), icon=icons.get(result.level, ":material/error:"))
    sources.forget_crawl()


def _in_words(message: Message | None, english: str | None) -> str:
    """A stored error in the page's language when it was stored with its message, else its English text.
    A data frame cell is text, not Markdown: its values need no ui.safe.md."""
    return (message_text(message) if message is not None else "") or " ".join((english or "").split())


feeds = sources.feed_health(ctx)
zone = ctx.settings.schedule.timezone or "UTC"
if not feeds:
    st.info(t("sources.empty"))
else:
    frame = pd.DataFrame([{
        "status": code_label("feed", "disabled" if f.disabled else f.status), "title": f.title or "—",
        "kind": t(f"source_kind.{f.kind}"),
        "errors": f.error_count,
        "last_error": _in_words(f.last_error_message, f.last_error) if f.last_error else f.warning or "",
        "url": f.url,
        "articles": f.articles, "last_fetched": format_date(f.last_fetched, with_time=True, zone=zone),
        "next_check": "—" if f.disabled else format_date(f.next_check, with_time=True, zone=zone),
        "enabled": not f.disabled,
    } for f in feeds])  # errors next to the title: visible without scrolling the table sideways
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        "status": st.column_config.TextColumn(t("sources.status"), width="small"),
        "title": st.column_config.TextColumn(t("sources.feed_title")),
        "kind": st.column_config.TextColumn(t("sources.kind")),  # "Type de source" fits
        "url": st.column_config.LinkColumn(t("sources.url")),
        "articles": st.column_config.NumberColumn(t("sources.articles"), width="small"),
        "last_fetched": st.column_config.TextColumn(t("sources.last_fetched")),
        "next_check": st.column_config.TextColumn(t("sources.next_check")),
        "errors": st.column_config.NumberColumn(t("sources.errors"), width="small"),
        "last_error": st.column_config.TextColumn(t("sources.last_error"), width="large"),
        "enabled": st.column_config.CheckboxColumn(t("sources.enabled"), width="small"),
    })
    st.caption(t("sources.times_in", zone=md(zone)))

# --- add, manage --------------------------------------------------------------------------------
left, right = st.columns(2)
with left, st.form("add_feed", clear_on_submit=True):
    st.subheader(t("sources.add"))
    url = st.text_input(t("sources.url"), placeholder="https://example.org/feed", disabled=not editor, key="feed_url")
    row = st.columns(2)
    topic_keys = [tp.key for tp in ctx.settings.topics]
    labels = {tp.key: topic_label(tp.key, tp.label) for tp in ctx.settings.topics}
    hints = row[0].multiselect(t("sources.topics"), topic_keys, format_func=lambda k: labels.get(k, k),
                               placeholder=t("widget.choose_options"),
                               disabled=not editor)
    language = row[1].selectbox(t("sources.language"), ["", "en", "fr"], disabled=not editor,
                                format_func=lambda code: code.upper() or "—",
                                placeholder=t("widget.choose_option"))
    # labels resolved now, in the page's language (a format_func calling t() later would not know it)
    kind_labels = {k: t(f"source_kind.{k}") for k in SOURCE_KINDS}
    new_kind = st.selectbox(t("sources.kind"), SOURCE_KINDS, index=SOURCE_KINDS.index("unknown"),
                            format_func=kind_labels.__getitem__, help=t("sources.kind_help"),
                            placeholder=t("widget.choose_option"), disabled=not editor, key="feed_kind")
    if st.form_submit_button(t("sources.add_button"), disabled=not editor, icon=":material/add:"):
        with st.spinner(t("sources.checking")):
            check = shell.act(lambda: sources.add_checked_feed(ctx, url.strip(), topics=tuple(hints),
                                                               language=language, kind=new_kind))
        if check is not None and check.problem:  # one line, the feed not added
            st.error(sources.check_sentence(check, current_language(), escape=md), icon=":material/error:")
        elif check is not None:
            shell.flash(sources.check_sentence(check, current_language(), escape=md))
            st.rerun()

with right:
    st.subheader(t("sources.manage"))
    if feeds:
        by_id = {f.id: f for f in feeds}
        chosen = st.selectbox(t("sources.pick"), list(by_id), key="sources_pick", placeholder=t("widget.choose_option"),
                              format_func=lambda i: f"{by_id[i].title or by_id[i].url} ({by_id[i].url})")
        feed = by_id[chosen]
        row = st.columns(2)
        toggle_label = t("sources.enable") if feed.disabled else t("sources.disable")
        if row[0].button(toggle_label, disabled=not editor, key="sources_toggle", width="stretch",
                         icon=":material/power_settings_new:"):
            shell.do(lambda: sources.set_enabled(ctx, feed.url, feed.disabled), t("saved"))
        kinds = st.columns([2, 1], vertical_alignment="bottom")
        labels_of_kind = {k: t(f"source_kind.{k}") for k in SOURCE_KINDS}
        kind = kinds[0].selectbox(t("sources.kind"), SOURCE_KINDS, index=SOURCE_KINDS.index(feed.kind),
                                  format_func=labels_of_kind.__getitem__, help=t("sources.kind_help"),
                                  placeholder=t("widget.choose_option"), disabled=not editor,
                                  key=f"sources_kind_{feed.id}")
        if kinds[1].button(t("sources.set_kind"), disabled=not editor or kind == feed.kind, key="sources_set_kind",
                           width="stretch", icon=":material/label:"):
            shell.do(lambda: sources.set_kind(ctx, feed.url, kind),
                     t("sources.kind_done", feed=md(feed.title or feed.url), kind=t(f"source_kind.{kind}")))
        purge = st.checkbox(t("sources.remove_confirm"), disabled=not editor, key="sources_purge")
        if row[1].button(t("sources.remove"), disabled=not editor, key="sources_remove", width="stretch",
                         icon=":material/delete:"):
            shell.do(lambda: sources.remove_feed(ctx, feed.url, delete_articles=purge), t("sources.removed"))

# --- OPML ---------------------------------------------------------------------------------------
st.subheader(t("sources.opml"))
cells = st.columns([1, 2], vertical_alignment="bottom")
cells[0].download_button(t("sources.opml_export"), sources.export_opml(ctx), "veille-feeds.opml", "text/x-opml",
                         icon=":material/download:", disabled=not feeds)
with cells[1]:
    upload = st.file_uploader(t("sources.opml_import"), type=["opml", "xml"], disabled=not editor,
                              key="opml_upload")
    if upload is not None and st.button(t("sources.opml_import"), disabled=not editor, key="opml_go"):
        opml = upload.getvalue()
        imported = shell.act(lambda: sources.import_opml(ctx, opml))
        if imported is not None:
            for error, problem in zip_longest(imported.errors, imported.problems):  # one message per line
                st.warning((message_text(problem, escape=md) if problem else "") or md(error))
            sentence = md(sources.opml_sentence(imported, current_language()))
            if imported.errors:  # stay on this run: the sentence, then the refused lines above it
                st.warning(sentence, icon=":material/warning:")
            else:
                shell.flash(sentence)
                st.rerun()

# --- jobs ---------------------------------------------------------------------------------------


# the figures a job run keeps that are not for its reader: ids, the model's name, sentences already in one
# language (the scheduler's one-line notes; the figures beside them say the same in words)
_UNSHOWN = {"run_id", "model", "result", "not_sent"}
_EXCEPTION = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception|Denied|Refused|Timeout)\b:\s*")


def _profile_names() -> dict[str, str]:
    return {p.key: p.name for p in profiles_service.list_profiles(ctx)}


def _count_value(key: str, v, names: dict[str, str]) -> str | None:
    """One figure in words, None when it is not for the reader (an unknown code, a stored sentence)."""
    if isinstance(v, bool):
        return t("yes") if v else t("no")
    if isinstance(v, int):
        return format_number(v, digits=0)
    if isinstance(v, float):
        return format_number(v, digits=1)
    if isinstance(v, list | tuple | dict):
        return format_number(len(v), digits=0)
    if not isinstance(v, str):
        return None
    if key == "job":  # a background job's own name, e.g. crawl:ui; rescore:<profile> names its profile
        name, _sep, profile = v.partition(":")
        if f"job.{v}" in STRINGS:
            return code_label("job", v)
        return code_label("job", name) if f"job.{name}" in STRINGS and not profile else None
    if key == "profile":
        return names.get(v) or t("sources.profile_gone")
    if key == "skipped":  # a crawl that found another one running keeps its one-line reason
        return t("sources.job_busy")
    if key == "cutoff":
        return format_date(v, zone=zone)
    return None


def _counts(counts: dict, names: dict[str, str]) -> str:
    """A job run's figures in words: 'flux : 3 · nouveaux articles : 12' (lists counted, flags as yes/no); a
    figure the catalogue has no word for is left out rather than shown as its key."""
    shown = []
    for k, v in counts.items():
        value = None if k in _UNSHOWN or f"count.{k}" not in STRINGS else _count_value(k, v, names)
        if value is not None:
            shown.append(f"{code_label('count', k)}{colon()} {value}")
    return " · ".join(shown)


def _outcome(status: str, error: str | None, message: Message | None = None) -> str:
    """The run's outcome in words, and for a failure its message in the page's language (when it was stored
    with one), else its English text without the Python exception's name."""
    label = code_label("outcome", status) if f"outcome.{status}" in STRINGS else t("outcome.other")
    error = _in_words(message, _EXCEPTION.sub("", " ".join((error or "").split())))
    return label + (f"{colon()} {error}" if error else "")


def _job(name: str) -> str:
    return code_label("job", name) if f"job.{name}" in STRINGS else t("job.other")


st.subheader(t("sources.jobs"))
runs = sources.job_runs(ctx, limit=20)
if runs:
    names = _profile_names()
    st.dataframe(pd.DataFrame([{
        t("sources.job"): _job(r.job),
        t("sources.started"): format_date(r.started, with_time=True, zone=zone),
        t("sources.finished"): format_date(r.finished, with_time=True, zone=zone),
        t("sources.outcome"): _outcome(r.status, r.error, r.error_message),
        t("sources.counts"): _counts(r.counts, names),
    } for r in runs]), hide_index=True, width="stretch")
    st.caption(t("sources.times_in", zone=md(zone)))
else:
    st.caption(t("empty"))
