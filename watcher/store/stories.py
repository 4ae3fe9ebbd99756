"""The story listing: ranked story representatives (the digest board's page and its count), a story's articles
and outlets, the cards' reads (articles, topics, per-user read/saved state, scores) and the read/saved writes
(`article_state`). Filters arrive resolved (:class:`Listing`): validation, time zones and the text-to-FTS5
conversion are the caller's.

Why the SQL looks like this: the page must cost about the same with 1k or 100k articles. So the ranking walks an
index in score order (`scores_profile` for one profile, `scores_score` for all) and stops after the page; the
"best article of its cluster" test is a correlated NOT EXISTS on the small cluster (index `articles_cluster`),
using the same filters so a story appears through its best *matching* article. Counting stops at the caller's
cap. Nothing here reads the whole articles table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.db import Store


@dataclass(frozen=True)
class Listing:
    """A story listing's filter, resolved to what the SQL compares."""

    profile: str | None = None  # None: all profiles (a story ranks by its best profile score)
    topics: tuple[str, ...] = ()  # any of
    published_from: str | None = None  # ISO instant, inclusive
    published_before: str | None = None  # ISO instant, exclusive
    languages: tuple[str, ...] = ()
    feed_ids: tuple[int, ...] = ()
    min_score: float | None = None
    unread_only: bool = False
    saved_only: bool = False
    user: str = ""  # whose read/saved state unread_only / saved_only look at
    fts: str = ""  # an FTS5 MATCH query (already safe); "" for none
    sort: str = "score"  # 'score' | 'recent'


@dataclass(frozen=True)
class Ranked:
    """A story's representative article with the score it is shown with (None: unscored, recent-first)."""

    id: str
    score: float | None
    why: str | None
    profile: str | None


@dataclass(frozen=True)
class Score:
    """An article's score for a profile."""

    article_id: str
    score: float
    why: str
    profile: str


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    url: str | None
    summary_text: str
    published: str
    language: str
    cluster_id: str | None


@dataclass(frozen=True)
class Member:
    """One article of a story, through one of the feeds that carry it."""

    id: str
    cluster_id: str | None
    url: str | None
    title: str
    published: str
    feed_id: int
    feed_title: str
    feed_url: str
    feed_site: str


@dataclass(frozen=True)
class State:
    """A user's read/saved marks on an article (ISO instants, None when not)."""

    read_at: str | None
    saved_at: str | None


@dataclass(frozen=True)
class StoryRef:
    id: str
    cluster_id: str | None


@dataclass(frozen=True)
class FeedName:
    id: int
    title: str
    url: str


# --- the listing ------------------------------------------------------------------------------


def _in_list(name: str, values, params: dict) -> str:
    keys = []
    for i, v in enumerate(values):
        params[f"{name}{i}"] = v
        keys.append(f":{name}{i}")
    return ", ".join(keys)


def _article_filters(q: Listing, a: str, params: dict, *, correlated: bool = False) -> list[str]:
    """Predicates on an article alias `a` (score predicates are added by the caller).

    `correlated`: inside the per-row cluster-mate check, where a list subquery would be rebuilt for every row.
    """
    where = []
    if q.topics:
        where.append(f"EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = {a}.id AND t.topic_key IN "
                     f"({_in_list('topic', q.topics, params)}))")
    if q.published_from:
        params["date_from"] = q.published_from
        where.append(f"{a}.published >= :date_from")
    if q.published_before:
        params["date_to"] = q.published_before
        where.append(f"{a}.published < :date_to")
    if q.languages:
        where.append(f"{a}.language IN ({_in_list('lang', q.languages, params)})")
    if q.feed_ids:
        feeds = _in_list("feed", q.feed_ids, params)
        where.append(f"({a}.feed_id IN ({feeds}) OR EXISTS (SELECT 1 FROM entries e WHERE e.article_id = {a}.id "
                     f"AND e.feed_id IN ({feeds})))")
    if q.unread_only or q.saved_only:
        params["state_user"] = q.user
    if q.unread_only:
        where.append(f"NOT EXISTS (SELECT 1 FROM article_state st WHERE st.article_id = {a}.id "
                     f"AND st.user = :state_user AND st.read_at IS NOT NULL)")
    if q.saved_only:
        where.append(f"EXISTS (SELECT 1 FROM article_state st WHERE st.article_id = {a}.id "
                     f"AND st.user = :state_user AND st.saved_at IS NOT NULL)")
    if q.fts:
        params["fts"] = q.fts
        if correlated:
            where.append(f"EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH :fts "
                         f"AND articles_fts.rowid = {a}.rowid)")
        else:
            where.append(f"{a}.rowid IN fts_hits")
    return where


def _driver(q: Listing) -> str:
    """Which index the count starts from: the most selective filter's, else the ranking index.

    ('fts' | 'published' | 'language' | 'ranking'). The page itself always walks the ranking index.
    """
    if q.fts:
        return "fts"
    if q.published_from or q.published_before:
        return "published"
    if q.languages:
        return "language"
    return "ranking"


def _statement(q: Listing, *, count: bool) -> tuple[str, str, dict]:
    """(SELECT … FROM … WHERE … of the story representatives, ORDER BY, params); the caller adds LIMIT.

    Ranked by score, the page walks `scores` through its ranking index as the outer loop and tests the article
    in a correlated EXISTS: as a join, SQLite may first build a Bloom filter over the filtered articles table,
    which costs a pass over the table on every page view.
    """
    params: dict = {}
    art = _article_filters(q, "a", params)
    mates = _article_filters(q, "b", params, correlated=True)
    if q.profile:
        params["profile"] = q.profile
    if q.min_score is not None:
        params["min_score"] = q.min_score
    with_ = ""
    if "fts" in params:  # full-text hits computed once per statement
        with_ = "WITH fts_hits(rowid) AS MATERIALIZED (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :fts) "
    if q.sort == "recent":
        if q.min_score is not None:
            profile = "AND x.profile_key = :profile" if q.profile else ""
            for alias, where in (("a", art), ("b", mates)):
                where.append(f"EXISTS (SELECT 1 FROM scores x WHERE x.article_id = {alias}.id {profile} "
                             f"AND x.score >= :min_score)")
        newer = " AND ".join([
            "a.cluster_id IS NOT NULL", "b.cluster_id = a.cluster_id", "b.id != a.id",
            "(b.published > a.published OR (b.published = a.published AND b.id < a.id))", *mates,
        ])
        art.append(f"NOT EXISTS (SELECT 1 FROM articles b WHERE {newer})")
        index = "" if count and _driver(q) in ("fts", "language") else "INDEXED BY articles_published"
        sql = (f"{with_}SELECT a.id AS id, NULL AS score, NULL AS why, NULL AS profile "
               f"FROM articles a {index} WHERE " + " AND ".join(art))
        return sql, "a.published DESC, a.id", params
    # ranked by score
    ranking: list[str] = []
    if q.profile:
        ranking.append("s.profile_key = :profile")
    else:  # all profiles: an article ranks by its best profile (ties: first profile key)
        ranking.append("NOT EXISTS (SELECT 1 FROM scores s1 WHERE s1.article_id = s.article_id AND "
                       "(s1.score > s.score OR (s1.score = s.score AND s1.profile_key < s.profile_key)))")
    if q.min_score is not None:
        ranking.append("s.score >= :min_score")
        mates.append("s2.score >= :min_score")
    better = " AND ".join([
        "a.cluster_id IS NOT NULL", "b.cluster_id = a.cluster_id", "b.id != a.id",
        "s2.profile_key = :profile" if q.profile else "1",
        "(s2.score > s.score OR (s2.score = s.score AND b.id < s.article_id))", *mates,
    ])
    art.append(f"NOT EXISTS (SELECT 1 FROM articles b JOIN scores s2 ON s2.article_id = b.id WHERE {better})")
    columns = "s.article_id AS id, s.score AS score, s.why AS why, s.profile_key AS profile"
    driver = _driver(q) if count else "ranking"
    if driver == "ranking":
        index = "scores_profile" if q.profile else "scores_score"
        sql = (f"{with_}SELECT {columns} FROM scores s INDEXED BY {index} WHERE " + " AND ".join(ranking)
               + " AND EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id AND " + " AND ".join(art) + ")")
    else:  # count from the selective filter's index: articles first, then their score rows
        index = {"fts": "", "published": "INDEXED BY articles_published",
                 "language": "INDEXED BY articles_language"}[driver]
        sql = (f"{with_}SELECT {columns} FROM articles a {index} CROSS JOIN scores s ON s.article_id = a.id WHERE "
               + " AND ".join([*art, *ranking]))
    return sql, "s.score DESC, s.article_id", params


def _ranked(r) -> Ranked:
    return Ranked(r["id"], r["score"], r["why"], r["profile"])


def count(store: Store, q: Listing, cap: int) -> int:
    """Stories matching `q`, counted up to `cap + 1` (more than `cap`: there are more)."""
    count_sql, _order, params = _statement(q, count=True)
    return store.scalar(f"SELECT COUNT(*) FROM ({count_sql} LIMIT {cap + 1})", params) or 0


def page(store: Store, q: Listing, *, limit: int, offset: int) -> list[Ranked]:
    """The representatives of the stories matching `q`, ranked (best score, or newest, first), from `offset`."""
    page_sql, order, params = _statement(q, count=False)
    params = {**params, "limit": limit, "offset": offset}
    return [_ranked(r) for r in store.query(f"{page_sql} ORDER BY {order} LIMIT :limit OFFSET :offset", params)]


def ranked(store: Store, article_id: str, profile: str | None = None) -> Ranked | None:
    """An article with its score for `profile` (else its best score), unscored if it has none; None: no such
    article (or, for a profile, no score for it and no such article)."""
    if profile:
        row = store.one("SELECT article_id AS id, score, why, profile_key AS profile FROM scores "
                        "WHERE article_id = ? AND profile_key = ?", (article_id, profile))
    else:
        row = store.one("SELECT article_id AS id, score, why, profile_key AS profile FROM scores "
                        "WHERE article_id = ? ORDER BY score DESC, profile_key LIMIT 1", (article_id,))
    if row is None:
        row = store.one("SELECT id, NULL AS score, NULL AS why, NULL AS profile FROM articles WHERE id = ?",
                        (article_id,))
    return None if row is None else _ranked(row)


# --- the cards' reads -------------------------------------------------------------------------


def articles(store: Store, ids: Sequence[str]) -> dict[str, Article]:
    marks = ",".join("?" * len(ids))
    return {r["id"]: Article(r["id"], r["title"], r["url"], r["summary_text"], r["published"], r["language"],
                             r["cluster_id"])
            for r in store.query(
                f"SELECT id, title, url, summary_text, published, language, cluster_id FROM articles "
                f"WHERE id IN ({marks})", list(ids))}


def members(store: Store, leads: dict[str, str | None]) -> dict[str, list[Member]]:
    """The articles of the stories of `leads` (article id -> its cluster id, None for none): each cluster's
    articles, or the article alone, one row per feed that carries it (its own feed and every `entries` feed),
    grouped by story key (cluster id, else article id), oldest first. The one query for a story's mates: the
    boards' cards and the email digest's sources both read it.
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
    by_story: dict[str, list[Member]] = defaultdict(list)
    for m in rows:
        by_story[m["cluster_id"] or m["id"]].append(Member(
            m["id"], m["cluster_id"], m["url"], m["title"], m["published"], m["feed_id"], m["feed_title"],
            m["feed_url"], m["feed_site"]))
    return dict(by_story)


def topics(store: Store, ids: Sequence[str]) -> dict[str, dict[str, float]]:
    """Article id -> its topic scores (articles without topics left out)."""
    marks = ",".join("?" * len(ids))
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for t in store.query(
        f"SELECT article_id, topic_key, score FROM article_topics WHERE article_id IN ({marks})", list(ids)
    ):
        out[t["article_id"]][t["topic_key"]] = t["score"]
    return dict(out)


def states(store: Store, user: str, ids: Sequence[str]) -> dict[str, State]:
    """Article id -> the user's read/saved marks (articles never marked left out)."""
    marks = ",".join("?" * len(ids))
    return {s["article_id"]: State(s["read_at"], s["saved_at"]) for s in store.query(
        f"SELECT article_id, read_at, saved_at FROM article_state WHERE user = ? AND article_id IN ({marks})",
        [user, *ids],
    )}


def scores(store: Store, ids: Sequence[str], profile: str | None = None) -> dict[str, Score]:
    """Article id -> its score for `profile`, else its best score (unscored articles left out)."""
    marks = ",".join("?" * len(ids))
    if profile:
        rows = store.query(f"SELECT article_id, score, why, profile_key FROM scores WHERE profile_key = ? "
                           f"AND article_id IN ({marks})", [profile, *ids])
    else:
        rows = store.query(f"SELECT article_id, score, why, profile_key FROM scores WHERE article_id IN ({marks})"
                           f" ORDER BY score", list(ids))
    # ascending order: the last (best) row wins
    return {r["article_id"]: Score(r["article_id"], r["score"], r["why"], r["profile_key"]) for r in rows}


# --- filter choices ---------------------------------------------------------------------------


def feed_names(store: Store) -> list[FeedName]:
    """Every feed, by title (case-insensitive), then URL."""
    return [FeedName(r["id"], r["title"], r["url"])
            for r in store.query("SELECT id, title, url FROM feeds ORDER BY title COLLATE NOCASE, url")]


def languages(store: Store) -> list[str]:
    """The distinct article languages (not empty), skipping through the index: one seek per language, not a
    table scan."""
    rows = store.query(
        """WITH RECURSIVE l(x) AS (
               SELECT MIN(language) FROM articles
               UNION ALL SELECT (SELECT MIN(language) FROM articles WHERE language > l.x) FROM l WHERE l.x IS NOT NULL
           ) SELECT x FROM l WHERE x IS NOT NULL AND x != ''"""
    )
    return [r[0] for r in rows]


# --- read / saved -----------------------------------------------------------------------------


def find(store: Store, article_id: str) -> StoryRef | None:
    """The article and its cluster; None when there is no such article."""
    row = store.one("SELECT id, cluster_id FROM articles WHERE id = ?", (article_id,))
    return None if row is None else StoryRef(row["id"], row["cluster_id"])


def set_read(store: Store, article_id: str, cluster_id: str | None, user: str, read_at: str | None) -> None:
    """Mark the story read for `user` (every article of the cluster, else the article), or unread (None)."""
    with store.write() as db:
        ids = [r[0] for r in db.execute("SELECT id FROM articles WHERE cluster_id = ?", (cluster_id,))] \
            if cluster_id else [article_id]
        db.executemany(
            "INSERT INTO article_state (article_id, user, read_at) VALUES (?, ?, ?)"
            " ON CONFLICT (article_id, user) DO UPDATE SET read_at = excluded.read_at",
            [(i, user, read_at) for i in ids],
        )


def toggle_saved(store: Store, article_id: str, user: str, at: str) -> bool:
    """Save the article for `user` (at `at`) or unsave it if saved, in one transaction; the new state."""
    with store.write() as db:
        row = db.execute("SELECT saved_at FROM article_state WHERE article_id = ? AND user = ?",
                         (article_id, user)).fetchone()
        saved = not (row and row["saved_at"])
        db.execute(
            "INSERT INTO article_state (article_id, user, saved_at) VALUES (?, ?, ?)"
            " ON CONFLICT (article_id, user) DO UPDATE SET saved_at = excluded.saved_at",
            (article_id, user, at if saved else None),
        )
    return saved


def set_states(store: Store, user: str, rows: Sequence[tuple[str, str | None, str | None]]) -> None:
    """Set the read/saved marks of `user`: (article id, read_at, saved_at) rows (None: not), in one transaction."""
    with store.write() as db:
        db.executemany(
            "INSERT INTO article_state (article_id, user, read_at, saved_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (article_id, user) DO UPDATE SET read_at = excluded.read_at, saved_at = excluded.saved_at",
            [(a, user, read_at, saved_at) for a, read_at, saved_at in rows],
        )


def read_count(store: Store, user: str | None = None) -> int:
    """How many (article, user) pairs are marked read (of `user` only, when given)."""
    return store.scalar("SELECT count(*) FROM article_state WHERE read_at IS NOT NULL AND (? IS NULL OR user = ?)",
                        (user, user)) or 0


@dataclass(frozen=True)
class StateRow:
    """One user's read/saved marks on one article, as stored."""

    article_id: str
    user: str
    read_at: str | None
    saved_at: str | None


def state_rows(store: Store, article_id: str | None = None) -> list[StateRow]:
    """Every stored read/saved row, of every user (of one article, when given), by article then user."""
    return [StateRow(r["article_id"], r["user"], r["read_at"], r["saved_at"]) for r in store.query(
        "SELECT article_id, user, read_at, saved_at FROM article_state WHERE (? IS NULL OR article_id = ?) "
        "ORDER BY article_id, user", (article_id, article_id))]
