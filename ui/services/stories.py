"""Ranked story cards for the digest: one card per story cluster, filters, full-text search, pagination.

Why the SQL looks like this: the page must cost about the same with 1k or 100k articles. So the ranking walks an
index in score order (`scores_profile` for one profile, `scores_score` for all) and stops after the page; the
"best article of its cluster" test is a correlated NOT EXISTS on the small cluster (index `articles_cluster`),
using the same filters so a story appears through its best *matching* article. Counting stops about ten pages
ahead ("200+ stories"). Nothing here reads the whole articles table.
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
        raise ValidationError(f"sort: expected one of {', '.join(SORTS)}, got {flt.sort!r}")
    if flt.page < 1:
        raise ValidationError(f"page: must be at least 1, got {flt.page}")
    if not 1 <= flt.page_size <= MAX_PAGE_SIZE:
        raise ValidationError(f"page_size: expected 1-{MAX_PAGE_SIZE}, got {flt.page_size}")
    if flt.min_score is not None and not 0 <= flt.min_score <= 1:
        raise ValidationError(f"min_score: expected 0-1, got {flt.min_score}")
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        raise ValidationError("date range: the start is after the end")


def _in_list(name: str, values, params: dict) -> str:
    keys = []
    for i, v in enumerate(values):
        params[f"{name}{i}"] = v
        keys.append(f":{name}{i}")
    return ", ".join(keys)


def _article_filters(flt: DigestFilter, a: str, params: dict, *, user: str = "",
                     correlated: bool = False, zone: str | None = None) -> list[str]:
    """Predicates on an article alias `a` (score predicates are added by the caller).

    `user`: whose read/saved state the unread/saved filters look at (state is per user).

    `zone`: the time zone the date range's days are in (`[schedule] timezone`; None: UTC).

    `correlated`: inside the per-row cluster-mate check, where a list subquery would be rebuilt for every row.
    """
    where = []
    if flt.topics:
        where.append(f"EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = {a}.id AND t.topic_key IN "
                     f"({_in_list('topic', flt.topics, params)}))")
    if flt.date_from:
        params["date_from"] = clock.day_start_iso(flt.date_from, zone)
        where.append(f"{a}.published >= :date_from")
    if flt.date_to:
        params["date_to"] = clock.day_start_iso(flt.date_to + timedelta(days=1), zone)
        where.append(f"{a}.published < :date_to")
    if flt.languages:
        where.append(f"{a}.language IN ({_in_list('lang', flt.languages, params)})")
    if flt.feed_ids:
        feeds = _in_list("feed", [int(f) for f in flt.feed_ids], params)
        where.append(f"({a}.feed_id IN ({feeds}) OR EXISTS (SELECT 1 FROM entries e WHERE e.article_id = {a}.id "
                     f"AND e.feed_id IN ({feeds})))")
    if flt.unread_only or flt.saved_only:
        params["state_user"] = user
    if flt.unread_only:
        where.append(f"NOT EXISTS (SELECT 1 FROM article_state st WHERE st.article_id = {a}.id "
                     f"AND st.user = :state_user AND st.read_at IS NOT NULL)")
    if flt.saved_only:
        where.append(f"EXISTS (SELECT 1 FROM article_state st WHERE st.article_id = {a}.id "
                     f"AND st.user = :state_user AND st.saved_at IS NOT NULL)")
    if flt.query.strip():
        match = fts_query(flt.query)
        if match:
            params["fts"] = match
            if correlated:
                where.append(f"EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH :fts "
                             f"AND articles_fts.rowid = {a}.rowid)")
            else:
                where.append(f"{a}.rowid IN fts_hits")
    return where


def _driver(flt: DigestFilter) -> str:
    """Which index the count starts from: the most selective filter's, else the ranking index.

    ('fts' | 'published' | 'language' | 'ranking'). The page itself always walks the ranking index.
    """
    if flt.query.strip() and fts_query(flt.query):
        return "fts"
    if flt.date_from or flt.date_to:
        return "published"
    if flt.languages:
        return "language"
    return "ranking"


def _statement(flt: DigestFilter, *, count: bool, user: str = "", zone: str | None = None
               ) -> tuple[str, str, dict]:
    """(SELECT … FROM … WHERE … of the story representatives, ORDER BY, params); the caller adds LIMIT.

    Ranked by score, the page walks `scores` through its ranking index as the outer loop and tests the article
    in a correlated EXISTS: as a join, SQLite may first build a Bloom filter over the filtered articles table,
    which costs a pass over the table on every page view.
    """
    params: dict = {}
    art = _article_filters(flt, "a", params, user=user, zone=zone)
    mates = _article_filters(flt, "b", params, user=user, correlated=True, zone=zone)
    if flt.profile:
        params["profile"] = flt.profile
    if flt.min_score is not None:
        params["min_score"] = flt.min_score
    with_ = ""
    if "fts" in params:  # full-text hits computed once per statement
        with_ = "WITH fts_hits(rowid) AS MATERIALIZED (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :fts) "
    if flt.sort == "recent":
        if flt.min_score is not None:
            profile = "AND x.profile_key = :profile" if flt.profile else ""
            for alias, where in (("a", art), ("b", mates)):
                where.append(f"EXISTS (SELECT 1 FROM scores x WHERE x.article_id = {alias}.id {profile} "
                             f"AND x.score >= :min_score)")
        newer = " AND ".join([
            "a.cluster_id IS NOT NULL", "b.cluster_id = a.cluster_id", "b.id != a.id",
            "(b.published > a.published OR (b.published = a.published AND b.id < a.id))", *mates,
        ])
        art.append(f"NOT EXISTS (SELECT 1 FROM articles b WHERE {newer})")
        index = "" if count and _driver(flt) in ("fts", "language") else "INDEXED BY articles_published"
        sql = (f"{with_}SELECT a.id AS id, NULL AS score, NULL AS why, NULL AS profile "
               f"FROM articles a {index} WHERE " + " AND ".join(art))
        return sql, "a.published DESC, a.id", params
    # ranked by score
    ranking: list[str] = []
    if flt.profile:
        ranking.append("s.profile_key = :profile")
    else:  # all profiles: an article ranks by its best profile (ties: first profile key)
        ranking.append("NOT EXISTS (SELECT 1 FROM scores s1 WHERE s1.article_id = s.article_id AND "
                       "(s1.score > s.score OR (s1.score = s.score AND s1.profile_key < s.profile_key)))")
    if flt.min_score is not None:
        ranking.append("s.score >= :min_score")
        mates.append("s2.score >= :min_score")
    better = " AND ".join([
        "a.cluster_id IS NOT NULL", "b.cluster_id = a.cluster_id", "b.id != a.id",
        "s2.profile_key = :profile" if flt.profile else "1",
        "(s2.score > s.score OR (s2.score = s.score AND b.id < s.article_id))", *mates,
    ])
    art.append(f"NOT EXISTS (SELECT 1 FROM articles b JOIN scores s2 ON s2.article_id = b.id WHERE {better})")
    columns = "s.article_id AS id, s.score AS score, s.why AS why, s.profile_key AS profile"
    driver = _driver(flt) if count else "ranking"
    if driver == "ranking":
        index = "scores_profile" if flt.profile else "scores_score"
        sql = (f"{with_}SELECT {columns} FROM scores s INDEXED BY {index} WHERE " + " AND ".join(ranking)
               + " AND EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id AND " + " AND ".join(art) + ")")
    else:  # count from the selective filter's index: articles first, then their score rows
        index = {"fts": "", "published": "INDEXED BY articles_published",
                 "language": "INDEXED BY articles_language"}[driver]
        sql = (f"{with_}SELECT {columns} FROM articles a {index} CROSS JOIN scores s ON s.article_id = a.id WHERE "
               + " AND ".join([*art, *ranking]))
    return sql, "s.score DESC, s.article_id", params


# --- listing ----------------------------------------------------------------------------------


def list_stories(ctx: ServiceContext, flt: DigestFilter) -> StoryPage:
    """One page of ranked story cards matching the filter."""
    _validate(flt)
    count_sql, _order, params = _statement(flt, count=True, user=ctx.user.name, zone=ctx.settings.schedule.timezone)
    # count only as far as COUNT_WINDOW pages past the requested one: "page 3 of 12+" keeps counting O(page)
    cap = max(COUNT_CAP, (flt.page - 1 + COUNT_WINDOW) * flt.page_size)
    total = ctx.store.scalar(f"SELECT COUNT(*) FROM ({count_sql} LIMIT {cap + 1})", params) or 0
    capped = total > cap
    total = min(total, cap)
    pages = max(1, math.ceil(total / flt.page_size))
    page = min(flt.page, pages)
    page_sql, order, params = _statement(flt, count=False, user=ctx.user.name, zone=ctx.settings.schedule.timezone)
    params = {**params, "limit": flt.page_size, "offset": (page - 1) * flt.page_size}
    rows = ctx.store.query(f"{page_sql} ORDER BY {order} LIMIT :limit OFFSET :offset", params)
    cards = _cards(ctx, rows, flt.profile)
    return StoryPage(stories=tuple(cards), total=total, page=page, pages=pages, total_capped=capped)


def get_story(ctx: ServiceContext, article_id: str, profile: str | None = None) -> StoryCard:
    """The card of one article's story, shown through that article."""
    if profile:
        row = ctx.store.one("SELECT article_id AS id, score, why, profile_key AS profile FROM scores "
                            "WHERE article_id = ? AND profile_key = ?", (article_id, profile))
    else:
        row = ctx.store.one("SELECT article_id AS id, score, why, profile_key AS profile FROM scores "
                            "WHERE article_id = ? ORDER BY score DESC, profile_key LIMIT 1", (article_id,))
    if row is None:
        row = ctx.store.one("SELECT id, NULL AS score, NULL AS why, NULL AS profile FROM articles WHERE id = ?",
                            (article_id,))
    if row is None:
        raise NotFoundError(f"article {article_id!r}: not found")
    return _cards(ctx, [row], profile)[0]


def summary_html(text: str, limit: int = SUMMARY_CHARS) -> str:
    """A short, sanitized HTML paragraph from the article's plain-text summary."""
    text = " ".join((text or "").split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return nh3.clean(f"<p>{html.escape(text)}</p>", tags={"p"}, attributes={})


def _cards(ctx: ServiceContext, rows, profile: str | None) -> list[StoryCard]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    marks = ",".join("?" * len(ids))
    arts = {r["id"]: r for r in ctx.store.query(
        f"SELECT id, title, url, summary_text, published, language, cluster_id FROM articles WHERE id IN ({marks})",
        ids,
    )}
    by_story: dict[str, list] = defaultdict(list, story_members(ctx.store, {i: arts[i]["cluster_id"] for i in ids}))
    member_ids: dict[str, set[str]] = defaultdict(set, {k: {m["id"] for m in ms} for k, ms in by_story.items()})
    all_members = sorted({i for s in member_ids.values() for i in s})
    m_marks = ",".join("?" * len(all_members))
    topics: dict[str, dict[str, float]] = defaultdict(dict)
    for t in ctx.store.query(
        f"SELECT article_id, topic_key, score FROM article_topics WHERE article_id IN ({m_marks})", all_members
    ):
        topics[t["article_id"]][t["topic_key"]] = t["score"]
    states = {s["article_id"]: s for s in ctx.store.query(
        f"SELECT article_id, read_at, saved_at FROM article_state WHERE user = ? AND article_id IN ({m_marks})",
        [ctx.user.name, *all_members],
    )}
    cards = []
    for r in rows:
        a = arts[r["id"]]
        key = a["cluster_id"] or a["id"]
        story_topics: dict[str, float] = {}
        for mid in member_ids[key]:
            for tk, sc in topics[mid].items():
                story_topics[tk] = max(sc, story_topics.get(tk, 0.0))
        seen = set()
        sources = []
        for m in by_story[key]:
            if (m["id"], m["feed_id"]) in seen:
                continue
            seen.add((m["id"], m["feed_id"]))
            sources.append(SourceRef(
                article_id=m["id"], feed_id=m["feed_id"], feed_title=m["feed_title"] or m["feed_url"],
                feed_url=m["feed_url"], url=m["url"], title=m["title"], published=m["published"],
            ))
        st = states.get(a["id"])
        cards.append(StoryCard(
            cluster_id=key, article_id=a["id"], title=a["title"] or "(untitled)", url=a["url"],
            summary_html=summary_html(a["summary_text"]), published=a["published"], language=a["language"],
            topics=tuple(k for k, _ in sorted(story_topics.items(), key=lambda kv: -kv[1])),
            score=r["score"], why=r["why"] or "", profile=r["profile"] or profile, sources=tuple(sources),
            read=bool(st and st["read_at"]),
            saved=any(states.get(mid) is not None and states[mid]["saved_at"] for mid in member_ids[key]),
        ))
    if any(c.score is None for c in cards):
        cards = _fill_scores(ctx, cards, profile)
    return cards


def story_members(store, leads: dict[str, str | None]) -> dict[str, list]:
    """The articles of the stories of `leads` (article id -> its cluster id, None for none): each cluster's
    articles, or the article alone, one row per feed that carries it (its own feed and every `entries` feed),
    grouped by story key (cluster id, else article id), oldest first. The one query for a story's mates: the
    boards' cards and the email digest's sources both read it.

    Row columns: id, cluster_id, url, title, published, feed_id, feed_title, feed_url, feed_site.
    """
    if not leads:
        return {}
    ids = list(leads)
    clusters = sorted({c for c in leads.values() if c})
    marks, c_marks = ",".join("?" * len(ids)), ",".join("?" * len(clusters)) or "NULL"
    rows = store.query(
        f"""SELECT a.id, a.cluster_id, a.url, a.title, a.published, f.id AS feed_id, f.title AS feed_title,
                   f.url AS feed_url, f.site AS feed_site
            FROM articles a JOIN feeds f ON f.id IN (SELECT e.feed_id FROM entries e WHERE e.article_id = a.id
                                                     UNION SELECT a.feed_id)
            WHERE a.cluster_id IN ({c_marks}) OR a.id IN ({marks})
            ORDER BY a.published, f.title""",
        [*clusters, *ids],
    )
    by_story: dict[str, list] = defaultdict(list)
    for m in rows:
        by_story[m["cluster_id"] or m["id"]].append(m)
    return dict(by_story)


def _fill_scores(ctx: ServiceContext, cards: list[StoryCard], profile: str | None) -> list[StoryCard]:
    """Recent-first listing: attach the profile's (or best) score to each card."""
    from dataclasses import replace

    ids = [c.article_id for c in cards]
    marks = ",".join("?" * len(ids))
    if profile:
        rows = ctx.store.query(f"SELECT article_id, score, why, profile_key FROM scores WHERE profile_key = ? "
                               f"AND article_id IN ({marks})", [profile, *ids])
    else:
        rows = ctx.store.query(f"SELECT article_id, score, why, profile_key FROM scores WHERE article_id IN ({marks})"
                               f" ORDER BY score", ids)
    best = {r["article_id"]: r for r in rows}  # ascending order: the last (best) row wins
    return [replace(c, score=best[c.article_id]["score"], why=best[c.article_id]["why"],
                    profile=best[c.article_id]["profile_key"]) if c.article_id in best else c for c in cards]


def digest_options(ctx: ServiceContext) -> DigestOptions:
    """Filter choices; every query is independent of the number of articles."""
    from scoring.profiles import effective_profiles

    profiles = tuple(ProfileOption(p.key, p.name) for p in effective_profiles(ctx.settings, ctx.store))
    topics = tuple(TopicOption(t.key, t.label, t.quadrant) for t in ctx.settings.topics)
    feeds = tuple(FeedOption(r["id"], r["title"] or r["url"], r["url"])
                  for r in ctx.store.query("SELECT id, title, url FROM feeds ORDER BY title COLLATE NOCASE, url"))
    # distinct languages by skipping through the index (one seek per language, not a table scan)
    langs = ctx.store.query(
        """WITH RECURSIVE l(x) AS (
               SELECT MIN(language) FROM articles
               UNION ALL SELECT (SELECT MIN(language) FROM articles WHERE language > l.x) FROM l WHERE l.x IS NOT NULL
           ) SELECT x FROM l WHERE x IS NOT NULL AND x != ''"""
    )
    return DigestOptions(profiles=profiles, topics=topics, feeds=feeds, languages=tuple(r[0] for r in langs))


# --- actions ----------------------------------------------------------------------------------


def _article(ctx: ServiceContext, article_id: str):
    row = ctx.store.one("SELECT id, cluster_id FROM articles WHERE id = ?", (article_id,))
    if row is None:
        raise NotFoundError(f"article {article_id!r}: not found")
    return row


def mark_read(ctx: ServiceContext, article_id: str, read: bool = True) -> None:
    """Mark a story read (every article of its cluster) or unread again, for the current user only."""
    row = _article(ctx, article_id)
    stamp = now_iso() if read else None
    with ctx.store.write() as db:
        ids = [r[0] for r in db.execute("SELECT id FROM articles WHERE cluster_id = ?", (row["cluster_id"],))] \
            if row["cluster_id"] else [article_id]
        db.executemany(
            "INSERT INTO article_state (article_id, user, read_at) VALUES (?, ?, ?)"
            " ON CONFLICT (article_id, user) DO UPDATE SET read_at = excluded.read_at",
            [(i, ctx.user.name, stamp) for i in ids],
        )


def toggle_saved(ctx: ServiceContext, article_id: str) -> bool:
    """Save or unsave an article for the current user (others' saved lists do not change); the new state."""
    _article(ctx, article_id)
    user = ctx.user.name
    with ctx.store.write() as db:
        row = db.execute("SELECT saved_at FROM article_state WHERE article_id = ? AND user = ?",
                         (article_id, user)).fetchone()
        saved = not (row and row["saved_at"])
        db.execute(
            "INSERT INTO article_state (article_id, user, saved_at) VALUES (?, ?, ?)"
            " ON CONFLICT (article_id, user) DO UPDATE SET saved_at = excluded.saved_at",
            (article_id, user, now_iso() if saved else None),
        )
    return saved


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


def link_article_to_tool(ctx: ServiceContext, article_id: str, tool_name: str, note: str = "") -> bool:
    """Link an article as evidence for a register entry (editor); recorded in the tool's history."""
    from ui.services.tools import add_evidence

    return add_evidence(ctx, tool_name, article_id, note)
