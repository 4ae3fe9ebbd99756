"""Learner profiles: view and edit (saving rescores), preview of their top articles."""

from __future__ import annotations

import streamlit as st

from ui import shell
from ui.i18n import format_date, format_score, message_text, t, why_label
from ui.safe import md, md_link
from ui.services import profiles

ctx = shell.context()
shell.header("profiles.title", "profiles.intro")
shell.readonly_notice(ctx)
shell.show_flash()
editor = ctx.user.is_editor


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _article_list(items) -> None:
    if not items:
        st.caption(t("empty"))
    for item in items:
        score = f"**{format_score(item.score)}**" if item.score is not None else "—"
        st.markdown(f"{score} · {md_link(item.title or '—', item.url)}  \n"
                    f":gray[{md(format_date(item.published))} · {md(why_label(item.why))}]")


known = profiles.list_profiles(ctx)
if not known:
    st.info(t("profiles.empty"))
    st.stop()

by_key = {p.key: p for p in known}
key = st.selectbox(t("profiles.pick"), list(by_key), key="profiles_pick", format_func=lambda k: by_key[k].name,
                   placeholder=t("widget.choose_option"))
profile = by_key[key]
if profile.source != "config":
    st.caption(t("profiles.edited_line", by=md(profile.updated_by),
                 at=format_date(profile.updated_at, with_time=True)))

edit, preview = st.columns([1, 1])
with edit, st.form(f"profile_{key}"):
    name = st.text_input(t("profiles.name"), profile.name, disabled=not editor)
    description = st.text_area(t("profiles.description"), profile.description, disabled=not editor, height=80)
    interests = st.text_area(t("profiles.interests"), "\n".join(profile.interests), disabled=not editor, height=160)
    avoid = st.text_area(t("profiles.avoid"), "\n".join(profile.avoid), disabled=not editor, height=80)
    row = st.columns(2)
    want_preview = row[0].form_submit_button(t("profiles.preview"), help=t("profiles.preview_help"),
                                             icon=":material/preview:")
    want_save = row[1].form_submit_button(t("profiles.save"), type="primary", disabled=not editor,
                                          icon=":material/save:")

with preview:
    if want_preview:
        st.subheader(t("profiles.preview"))
        with st.spinner(t("profiles.preview")):
            items = shell.act(lambda: profiles.preview(ctx, key, interests=_lines(interests), avoid=_lines(avoid)))
        _article_list(items or [])
    else:
        st.subheader(t("profiles.top"))
        _article_list(profiles.top_articles(ctx, key, limit=10))

@st.fragment(run_every=0.5)
def _rescore_progress(key: str, name: str) -> None:
    """Polls the background rescoring of `key`; when it ends, the whole page reruns to show the new ranking."""
    status = profiles.rescore_status(key)
    if status is None or not status.running:
        st.rerun(scope="app")
        return
    st.progress(status.fraction, text=t("profiles.rescoring", name=md(name), done=str(status.done),
                                       total=str(status.total) if status.total else "…"))


if want_save:
    with st.spinner(t("profiles.save")):
        result = shell.act(lambda: profiles.save_profile(
            ctx, key, name=name, description=description, interests=_lines(interests), avoid=_lines(avoid),
            rescore=False,
        ))
    if result is not None and shell.act(lambda: profiles.start_rescore(ctx, key)) is not None:
        shell.flash(t("profiles.rescore_started"))
        st.rerun()  # only then: a refused save keeps its error line on the page

job = profiles.rescore_status(key)
if job is not None and job.running:
    _rescore_progress(key, profile.name)
elif job is not None:
    if job.state == "done":
        st.success(t("profiles.saved", count=job.message), icon=":material/check_circle:")
    else:
        reason = message_text(job.error, escape=md) if job.error is not None else ""
        st.error(t("profiles.rescore_failed", error=reason or md(job.message)))
    profiles.forget_rescore(key)
