"""Digest: ranked story cards for a learner profile, with filters, search, pagination and actions."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from functools import partial

import streamlit as st

from config import clock
from ui import shell
from ui.i18n import current_language, format_date, format_score, t, topic_label, why_label
from ui.safe import md, md_link
from ui.services import stories, tools
from ui.services.records import DigestFilter, StoryCard

PAGE_KEY = "digest_page"
PAGE_SIZE = 10
DATE_FORMAT = "DD/MM/YYYY" if current_language() == "fr" else "YYYY-MM-DD"

ctx = shell.context()
shell.header("digest.title", "digest.intro")
shell.show_flash()
TOAST_KEY = "digest_toast"
JUDGED_KEY = "digest_just_judged"  # (article id, profile): kept in view after it moved, for its undo
if toast := st.session_state.pop(TOAST_KEY, None):  # said where the user is looking, not at the page's top
    st.toast(toast, icon=":material/check_circle:")
options = stories.digest_options(ctx)
profile_names = {p.key: p.name for p in options.profiles}
topic_labels = {tp.key: topic_label(tp.key, tp.label) for tp in options.topics}
feed_titles = {f.id: f.title or f.url for f in options.feeds}
CHOOSE = t("widget.choose_options")  # Streamlit's placeholders are English
CHOOSE_ONE = t("widget.choose_option")

top = st.columns([2, 3, 2], vertical_alignment="bottom")
profile = top[0].selectbox(
    t("digest.profile"), [None, *profile_names], key="digest_profile",
    format_func=lambda k: t("digest.all_profiles") if k is None else profile_names[k], placeholder=CHOOSE_ONE,
)
query = top[1].text_input(t("digest.search"), key="digest_query", help=t("digest.search_help"),
                          placeholder="VR, chatbot, Qualiopi…")
show = top[2].segmented_control(
    t("digest.show"), ["all", "unread", "saved"], key="digest_show", default="all",
    format_func=lambda s: t(f"digest.show.{s}"),
)

with st.expander(t("digest.filters"), icon=":material/filter_list:"):
    row = st.columns(3)
    chosen_topics = row[0].multiselect(t("digest.topics"), list(topic_labels), key="digest_topics",
                                       placeholder=CHOOSE,
                                       format_func=lambda k: topic_labels.get(k, k))
    chosen_feeds = row[1].multiselect(t("digest.sources"), list(feed_titles), key="digest_feeds",
                                      placeholder=CHOOSE,
                                      format_func=lambda k: feed_titles.get(k, str(k)))
    chosen_langs = row[2].multiselect(t("digest.language"), list(options.languages), key="digest_langs",
                                      placeholder=CHOOSE,
                                      format_func=str.upper)
    period_row = st.columns(2)
    today = clock.today(ctx.settings.schedule.timezone)
    period = period_row[0].segmented_control(t("digest.period"), ["week", "30", "90", "custom"], default="90",
                                      key="digest_period", format_func=lambda p: t(f"digest.period.{p}"))
    min_percent = period_row[1].slider(t("digest.min_score"), 0, 100, 0, 5, key="digest_min_score",
                                help=t("digest.min_score_help"),
                                format="%d\u202f%%" if current_language() == "fr" else "%d%%")
    min_score = min_percent / 100
    if period == "custom":
        dates = st.columns(2)
        date_from = dates[0].date_input(t("digest.since"), value=today - timedelta(days=90), key="digest_from",
                                        format=DATE_FORMAT)
        date_to = dates[1].date_input(t("digest.until"), value=today, key="digest_to", format=DATE_FORMAT)
    else:  # "this week" starts on Monday in the configured zone
        date_from = today - timedelta(days=today.weekday() if period == "week" else int(period or 90))
        date_to = today

digest_filter = DigestFilter(
    profile=profile, topics=tuple(chosen_topics), date_from=date_from, date_to=date_to,
    languages=tuple(chosen_langs), feed_ids=tuple(chosen_feeds), min_score=min_score or None,
    unread_only=show == "unread", saved_only=show == "saved", query=query.strip(), page_size=PAGE_SIZE,
)
signature = repr(digest_filter)
if st.session_state.get("digest_signature") != signature:  # new filters: back to the first page
    st.session_state["digest_signature"] = signature
    st.session_state[PAGE_KEY] = 1
page_number = st.session_state.get(PAGE_KEY, 1)
result = shell.act(lambda: stories.list_stories(ctx, dataclasses.replace(digest_filter, page=page_number)))
judged = stories.judgements(ctx)


def _card(story: StoryCard, where: str = "list") -> None:
    """One story card; `where` keeps the widget keys of a card shown twice (the email's story, also listed)
    apart."""
    with st.container(border=True):
        head, badge = st.columns([6, 1], vertical_alignment="top")
        head.markdown("#### " + md_link(story.title or "—", story.url))
        if story.score is not None:
            badge.metric(t("digest.score_label"), format_score(story.score), help=t("digest.score_help"))
        first = story.sources[0] if story.sources else None
        meta = [format_date(story.published)]
        if first:
            meta.append(md(first.feed_title or first.feed_url))
        if story.language:
            meta.append(md(story.language.upper()))
        meta += [f":blue-badge[{md(topic_labels.get(k, k))}]" for k in story.topics]
        if story.read:
            meta.append(f":gray-badge[{t('digest.read')}]")
        if story.saved:
            meta.append(f":orange-badge[:material/bookmark: {t('digest.saved_badge')}]")
        head.markdown(" · ".join(meta))
        if story.why:
            profile_name = profile_names.get(story.profile or "", story.profile or "")
            why = md(why_label(story.why)) + (f" ({md(profile_name)})" if profile_name and profile is None else "")
            st.caption(t("digest.why", why=why))
        if story.summary_html:
            st.html(f'<div class="veille-summary">{story.summary_html}</div>')  # sanitized by the service (nh3)
        others = [s for s in story.sources[1:]]
        if others:
            links = ", ".join(md_link(s.feed_title or s.feed_url, s.url) for s in others)
            st.markdown(t("digest.also_line", links=links))
        _actions(story, where)


def _judge(article_id: str, target: str, relevant: bool | None, message: str) -> None:
    """Record (or withdraw) a judgement; the profile is re-ranked at once, the page redrawn, a toast says so."""
    if shell.attempt(partial(stories.give_feedback, ctx, article_id, target, relevant)):
        st.session_state[TOAST_KEY] = message
        st.session_state[JUDGED_KEY] = (article_id, target) if relevant is not None else None
        st.rerun()


def _actions(story: StoryCard, where: str) -> None:
    """The card's actions in one row (on a phone, icon buttons: ui.shell.phone_layout); the
    judgement for the profile is shown on its button and beside it, with an undo."""
    key = f"{where}_{story.article_id}"
    target = profile or story.profile
    editor = ctx.user.is_editor
    label = judged.get((story.article_id, target)) if target else None
    target_name = md(profile_names.get(target or "", target or ""))
    row = st.container(horizontal=True, vertical_alignment="center", gap="small", key=f"{shell.ACTIONS_KEY}_{key}")
    read_label = t("digest.mark_unread") if story.read else t("digest.mark_read")
    if row.button(read_label, key=f"read_{key}", icon=":material/done:"):
        shell.do(lambda: stories.mark_read(ctx, story.article_id, not story.read))
    save_label = t("digest.unsave") if story.saved else t("digest.save")
    if row.button(save_label, key=f"save_{key}", icon=":material/bookmark:"):
        shell.do(lambda: stories.toggle_saved(ctx, story.article_id))
    help_text = None if target else t("digest.feedback_needs_profile")
    done = t("digest.judgement_moved", profile=target_name)
    for relevant, text, icon in ((True, "digest.relevant", ":material/thumb_up:"),
                                 (False, "digest.irrelevant", ":material/thumb_down:")):
        chosen = label == (1 if relevant else -1)
        if row.button(t(text), key=f"fb_{relevant}_{key}", icon=icon, disabled=not (editor and target) or chosen,
                      help=help_text, type="primary" if chosen else "secondary") and target:
            _judge(story.article_id, target, relevant, done)  # a disabled button is never clicked
    if label and target:
        row.markdown(f":green-badge[:material/how_to_reg: {t(f'digest.judged.{label}', profile=target_name)}]",
                     width="content")
        if row.button(t("digest.undo"), key=f"undo_{key}", icon=":material/undo:", disabled=not editor):
            _judge(story.article_id, target, None, t("digest.undone", profile=target_name))
    with row.popover(t("digest.link_tool"), icon=":material/link:", disabled=not editor):
        names = tools.tool_names(ctx)
        tool_name = st.selectbox(t("digest.link_tool_pick"), names, key=f"tool_{key}", placeholder=CHOOSE_ONE)
        note = st.text_input(t("digest.link_tool_note"), key=f"note_{key}")
        if st.button(t("digest.link_tool"), key=f"link_{key}", disabled=not names or not tool_name):
            shell.do(lambda: stories.link_article_to_tool(ctx, story.article_id, tool_name, note),
                t("digest.link_tool_done", tool=md(tool_name)))


linked_story = st.query_params.get("story")  # a link from an email digest
if linked_story:
    linked = shell.act(partial(stories.get_story, ctx, linked_story, profile))
    if linked is not None:
        st.subheader(t("digest.linked_story"))
        _card(linked, "email")
        st.divider()

just = st.session_state.get(JUDGED_KEY)
shown = {c.article_id for c in result.stories} if result is not None else set()
if just and just[0] not in shown and just[0] != linked_story:  # re-ranked out of this page: still in view
    moved = shell.act(partial(stories.get_story, ctx, just[0], just[1]))
    if moved is not None:
        st.subheader(t("digest.just_judged"))
        _card(moved, "judged")
        st.divider()

if result is not None:
    if not result.stories:
        st.info(t("digest.empty"), icon=":material/search_off:")
    for card in result.stories:
        _card(card)
    if result.total:
        shell.pager(PAGE_KEY, result.page, result.pages, result.total, result.total_capped)
