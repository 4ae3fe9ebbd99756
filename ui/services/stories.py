"""Ranked story cards for the digest: one card per story cluster, filters, full-text search, pagination.

The SQL is watcher.store.stories' (the index-walking page query and its count, see there why it looks like
that); this service validates the filter, resolves it (dates in the configured zone, the search text to FTS5, the
user's read/saved state), bounds the count ("200+ stories": about ten pages ahead), builds the cards and checks
permissions.
"""

from __future__ import annotations

import html
import math
import re
from collections import defaultdict
from datetime import timedelta

import nh3

from config import clock
from config.errors import NotFoundError, ValidationError
from ui.services.context import ServiceContext, now_iso, require_editor
from ui.services.records import (
    DigestFilter,
    DigestOptions,
    FeedOption,
    ProfileOption,
    SourceRef,
    StoryCard,
    StoryPage,
    TopicOption,
)
from watcher.store import stories as stories_store

COUNT_CAP = 200  # stories counted at least (then "200+"); see list_stories
COUNT_WINDOW = 10  # pages counted beyond the current one
MAX_PAGE_SIZE = 100
SUMMARY_CHARS = 480
SORTS = ("score", "recent")


# --- filters ----------------------------------------------------------------------------------


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: every word must appear; `word*` keeps a prefix search."""
    terms = []
    for word in re.findall(r"[\w'’\-*]+", text or ""):
        prefix = word.endswith("*")
        word = word.strip("*'’-")
        if not word:
            continue
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


def _validate(flt: DigestFilter) -> None:
    if flt.sort not in SORTS:
        raise ValidationError(f"sort: expected one of {', '.join(SORTS)}, got {flt.sort!r}", key="err.sort.unknown",
                              allowed=", ".join(SORTS), got=str(flt.sort))
    if flt.page < 1:
        raise ValidationError(f"page: must be at least 1, got {flt.page}", key="err.page.min", got=flt.page)
    if not 1 <= flt.page_size <= MAX_PAGE_SIZE:
        raise ValidationError(f"page_size: expected 1-{MAX_PAGE_SIZE}, got {flt.page_size}", key="err.page.size",
                              max=MAX_PAGE_SIZE, got=flt.page_size)
    if flt.min_score is not None and not 0 <= flt.min_score <= 1:
        raise ValidationError(f"min_score: expected 0-1, got {flt.min_score}", key="err.min_score.range",
                              got=flt.min_score)
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        raise ValidationError("date range: the start is after the end", key="err.period.order")


def _listing(flt: DigestFilter, *, user: str, zone: str | None) -> stories_store.Listing:
    """The store's listing filter: the date range's days resolved to instants in `zone` (`[schedule] timezone`;
    None: UTC), the search text to an FTS5 query, `user` for the unread/saved filters (state is per user)."""
    return stories_store.Listing(
        profile=flt.profile or None,
        topics=tuple(flt.topics),
        published_from=clock.day_start_iso(flt.date_from, zone) if flt.date_from else None,
        published_before=clock.day_start_iso(flt.date_to + timedelta(days=1), zone) if flt.date_to else None,
        languages=tuple(flt.languages),
        feed_ids=tuple(int(f) for f in flt.feed_ids),
        min_score=flt.min_score,
        unread_only=flt.unread_only,
        saved_only=flt.saved_only,
        user=user,
        fts=fts_query(flt.query) if flt.query.strip() else "",
        sort=flt.sort,
    )


# --- listing ----------------------------------------------------------------------------------


def list_stories(ctx: ServiceContext, flt: DigestFilter) -> StoryPage:
    """One page of ranked story cards matching the filter."""
    _validate(flt)
    q = _listing(flt, user=ctx.user.name, zone=ctx.settings.schedule.timezone)
    # count only as far as COUNT_WINDOW pages past the requested one: "page 3 of 12+" keeps counting O(page)
    cap = max(COUNT_CAP, (flt.page - 1 + COUNT_WINDOW) * flt.page_size)
    total = stories_store.count(ctx.store, q, cap)
    capped = total > cap
    total = min(total, cap)
    pages = max(1, math.ceil(total / flt.page_size))
    page = min(flt.page, pages)
    rows = stories_store.page(ctx.store, q, limit=flt.page_size, offset=(page - 1) * flt.page_size)
    cards = _cards(ctx, rows, flt.profile)
    return StoryPage(stories=tuple(cards), total=total, page=page, pages=pages, total_capped=capped)


def get_story(ctx: ServiceContext, article_id: str, profile: str | None = None) -> StoryCard:
    """The card of one article's story, shown through that article."""
    row = stories_store.ranked(ctx.store, article_id, profile)
    if row is None:
        raise NotFoundError(f"article {article_id!r}: not found", key="err.article.not_found", article=article_id)
    return _cards(ctx, [row], profile)[0]


def summary_html(text: str, limit: int = SUMMARY_CHARS) -> str:
    """A short, sanitized HTML paragraph from the article's plain-text summary."""
    text = " ".join((text or "").split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return nh3.clean(f"<p>{html.escape(text)}</p>", tags={"p"}, attributes={})


def _cards(ctx: ServiceContext, rows: list[stories_store.Ranked], profile: str | None) -> list[StoryCard]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    arts = stories_store.articles(ctx.store, ids)
    by_story: dict[str, list[stories_store.Member]] = defaultdict(
        list, story_members(ctx.store, {i: arts[i].cluster_id for i in ids}))
    member_ids: dict[str, set[str]] = defaultdict(set, {k: {m.id for m in ms} for k, ms in by_story.items()})
    all_members = sorted({i for s in member_ids.values() for i in s})
    topics: dict[str, dict[str, float]] = defaultdict(dict, stories_store.topics(ctx.store, all_members))
    states = stories_store.states(ctx.store, ctx.user.name, all_members)
    cards = []
    for r in rows:
        a = arts[r.id]
        key = a.cluster_id or a.id
        story_topics: dict[str, float] = {}
        for mid in member_ids[key]:
            for tk, sc in topics[mid].items():
                story_topics[tk] = max(sc, story_topics.get(tk, 0.0))
        seen = set()
        sources = []
        for m in by_story[key]:
            if (m.id, m.feed_id) in seen:
                continue
            seen.add((m.id, m.feed_id))
            sources.append(SourceRef(
                article_id=m.id, feed_id=m.feed_id, feed_title=m.feed_title or m.feed_url,
                feed_url=m.feed_url, url=m.url, title=m.title, published=m.published,
            ))
        st = states.get(a.id)
        cards.append(StoryCard(
            cluster_id=key, article_id=a.id, title=a.title or "(untitled)", url=a.url,
            summary_html=summary_html(a.summary_text), published=a.published, language=a.language,
            topics=tuple(k for k, _ in sorted(story_topics.items(), key=lambda kv: -kv[1])),
            score=r.score, why=r.why or "", profile=r.profile or profile, sources=tuple(sources),
            read=bool(st and st.read_at),
            saved=any(states.get(mid) is not None and states[mid].saved_at for mid in member_ids[key]),
        ))
    if any(c.score is None for c in cards):
        cards = _fill_scores(ctx, cards, profile)
    return cards


def story_members(store, leads: dict[str, str | None]) -> dict[str, list[stories_store.Member]]:
    """The articles of the stories of `leads` (article id -> its cluster id, None for none), one record per feed
    that carries it, grouped by story key (cluster id, else article id), oldest first: the one query for a
    story's mates, read by the boards' cards and the email digest's sources (watcher.store.stories.members)."""
    return stories_store.members(store, leads)


def _fill_scores(ctx: ServiceContext, cards: list[StoryCard], profile: str | None) -> list[StoryCard]:
    """Recent-first listing: attach the profile's (or best) score to each card."""
    from dataclasses import replace

    best = stories_store.scores(ctx.store, [c.article_id for c in cards], profile)
    return [replace(c, score=best[c.article_id].score, why=best[c.article_id].why,
                    profile=best[c.article_id].profile) if c.article_id in best else c for c in cards]


def digest_options(ctx: ServiceContext) -> DigestOptions:
    """Filter choices; every query is independent of the number of articles."""
    from scoring.profiles import effective_profiles

    profiles = tuple(ProfileOption(p.key, p.name) for p in effective_profiles(ctx.settings, ctx.store))
    topics = tuple(TopicOption(t.key, t.label, t.quadrant) for t in ctx.settings.topics)
    feeds = tuple(FeedOption(f.id, f.title or f.url, f.url) for f in stories_store.feed_names(ctx.store))
    languages = tuple(stories_store.languages(ctx.store))
    return DigestOptions(profiles=profiles, topics=topics, feeds=feeds, languages=languages)


# --- actions ----------------------------------------------------------------------------------


def _article(ctx: ServiceContext, article_id: str) -> stories_store.StoryRef:
    ref = stories_store.find(ctx.store, article_id)
    if ref is None:
        raise NotFoundError(f"article {article_id!r}: not found", key="err.article.not_found", article=article_id)
    return ref


def mark_read(ctx: ServiceContext, article_id: str, read: bool = True) -> None:
    """Mark a story read (every article of its cluster) or unread again, for the current user only."""
    ref = _article(ctx, article_id)
    stories_store.set_read(ctx.store, article_id, ref.cluster_id, ctx.user.name, now_iso() if read else None)


def toggle_saved(ctx: ServiceContext, article_id: str) -> bool:
    """Save or unsave an article for the current user (others' saved lists do not change); the new state."""
    _article(ctx, article_id)
    return stories_store.toggle_saved(ctx.store, article_id, ctx.user.name, now_iso())


def give_feedback(ctx: ServiceContext, article_id: str, profile: str, relevant: bool | None) -> None:
    """Record 'relevant / not relevant for this profile' (editor), or withdraw it (`relevant=None`); that
    profile is re-ranked at once from stored vectors."""
    require_editor(ctx.user)
    from scoring.feedback import forget, record
    from scoring.pipeline import rescore_profile
    from scoring.profiles import get_profile
    from scoring.records import Feedback

    get_profile(ctx.settings, ctx.store, profile)  # NotFoundError for an unknown profile
    _article(ctx, article_id)
    if relevant is None:
        forget(ctx.store, article_id, profile)
    else:
        record(ctx.store, Feedback(article_id=article_id, profile_key=profile, label=1 if relevant else -1,
                                   user=ctx.user.name))
    rescore_profile(ctx.settings, ctx.store, profile)


def judgements(ctx: ServiceContext) -> dict[tuple[str, str], int]:
    """(article id, profile key) -> the DLM's judgement: 1 relevant, -1 not relevant (one small table)."""
    from watcher.store import feedback as feedback_store

    return {(j.article_id, j.profile_key): j.label for j in feedback_store.judgements(ctx.store)}


def link_article_to_tool(ctx: ServiceContext, article_id: str, tool_name: str, note: str = "") -> bool:
    """Link an article as evidence for a register entry (editor); recorded in the tool's history."""
    from ui.services.tools import add_evidence

    return add_evidence(ctx, tool_name, article_id, note)
