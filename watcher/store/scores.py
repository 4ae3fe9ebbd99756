"""What scoring derives from the vectors: profile scores (`scores`), topics (`article_topics`), story clusters
(`articles.cluster_id`) and the progress of the topic and cluster stages (`scoring_progress`).

Scores are written in key order inside one transaction per profile (see scoring/pipeline.py); topics and
clusters a chunk at a time, each chunk with its progress rows, so a crash loses at most one chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from watcher.db import Store
from watcher.records import RankedArticle


class ClusterArticle(NamedTuple):
    """An article as story clustering sees it (summary cut at 1500 characters)."""

    id: str
    published: str
    title: str
    summary: str
    url: str | None
    language: str
    cluster_id: str | None


# --- scores -------------------------------------------------------------------------------------------------

def upsert(store: Store, rows: Sequence[tuple[str, str, float, str]]) -> None:
    """Write (article id, profile key, score, why) rows, in key order, skipping the rows that did not change."""
    with store.write() as conn:
        conn.executemany(
            "INSERT INTO scores(article_id, profile_key, score, why) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(article_id, profile_key) DO UPDATE SET score = excluded.score, why = excluded.why "
            "WHERE score != excluded.score OR why != excluded.why", sorted(rows))


def keep_profiles(store: Store, keys: Sequence[str]) -> None:
    """Delete the scores of every profile not in `keys`."""
    keys = list(keys)
    with store.write() as conn:
        marks = ",".join("?" * len(keys))
        conn.execute(f"DELETE FROM scores WHERE profile_key NOT IN ({marks})" if keys else "DELETE FROM scores",
                     keys)


def unscored_ids(store: Store, profile_key: str, model: str) -> list[str]:
    """Articles with a vector of `model` but no score for the profile."""
    return [r[0] for r in store.query(
        "SELECT e.article_id FROM embeddings e LEFT JOIN scores s ON s.article_id = e.article_id "
        "AND s.profile_key = ? WHERE e.model = ? AND s.article_id IS NULL", (profile_key, model))]


def forget_articles(store: Store, article_ids: Sequence[str]) -> None:
    """Drop everything derived from these articles' vectors: scores, topics, topic and cluster progress."""
    stale = [(i,) for i in article_ids]
    with store.write() as conn:
        conn.executemany("DELETE FROM scores WHERE article_id = ?", stale)
        conn.executemany("DELETE FROM article_topics WHERE article_id = ?", stale)
        conn.executemany("DELETE FROM scoring_progress WHERE article_id = ?", stale)


def top(store: Store, profile_key: str, limit: int = 10, *, since: str | None = None) -> list[RankedArticle]:
    """A profile's best-scored articles (published at or after `since`), with the profile's judgement of each."""
    rows = store.query(
        "SELECT a.id, a.title, a.url, a.published, s.score, s.why, f.label FROM scores s "
        "JOIN articles a ON a.id = s.article_id "
        "LEFT JOIN feedback f ON f.article_id = s.article_id AND f.profile_key = s.profile_key "
        "WHERE s.profile_key = ? AND (? IS NULL OR a.published >= ?) "
        "ORDER BY s.score DESC, a.published DESC, a.id LIMIT ?",
        (profile_key, since, since, limit),
    )
    return [RankedArticle(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]


# --- topics -------------------------------------------------------------------------------------------------

def reset_topics(store: Store) -> None:
    """Every article's topics become due again."""
    with store.write() as conn:
        conn.execute("UPDATE scoring_progress SET topics_sig = ''")


def topics_due(store: Store, model: str, signature: str) -> list[str]:
    """Articles with a vector of `model` whose topics were not assigned for the topic set `signature`."""
    return [r[0] for r in store.query(
        "SELECT e.article_id FROM embeddings e LEFT JOIN scoring_progress p ON p.article_id = e.article_id "
        "WHERE e.model = ? AND (p.article_id IS NULL OR p.topics_sig != ?)", (model, signature))]


def set_topics(store: Store, article_ids: Sequence[str], rows: Sequence[tuple[str, str, float]],
               signature: str) -> None:
    """Replace the topics of these articles by `rows` (article id, topic key, score) and mark them done for the
    topic set `signature`, in one transaction."""
    with store.write() as conn:
        conn.executemany("DELETE FROM article_topics WHERE article_id = ?", [(i,) for i in article_ids])
        conn.executemany("INSERT INTO article_topics(article_id, topic_key, score) VALUES (?, ?, ?)", rows)
        conn.executemany(
            "INSERT INTO scoring_progress(article_id, topics_sig) VALUES (?, ?) "
            "ON CONFLICT(article_id) DO UPDATE SET topics_sig = excluded.topics_sig",
            [(i, signature) for i in article_ids])


# --- clusters -----------------------------------------------------------------------------------------------

def queue_clustering(store: Store, model: str, *, reset: bool = False) -> None:
    """Give every article with a vector of `model` a progress row; `reset` unclusters every article first."""
    with store.write() as conn:
        conn.execute("INSERT OR IGNORE INTO scoring_progress(article_id) "
                     "SELECT article_id FROM embeddings WHERE model = ?", (model,))
        if reset:
            conn.execute("UPDATE scoring_progress SET clustered = 0")
            conn.execute("UPDATE articles SET cluster_id = NULL")


def unclustered(store: Store, model: str) -> list[tuple[str, str]]:
    """(article id, published) of the articles with a vector of `model` not clustered yet, oldest first."""
    return [(r[0], r[1]) for r in store.query(
        "SELECT a.id, a.published FROM scoring_progress p JOIN articles a ON a.id = p.article_id "
        "JOIN embeddings e ON e.article_id = a.id AND e.model = ? WHERE p.clustered = 0 "
        "ORDER BY a.published, a.id", (model,))]


def cluster_window(store: Store, model: str, first: str, last: str) -> list[ClusterArticle]:
    """Articles with a vector of `model` published between `first` and `last` (inclusive)."""
    return [ClusterArticle(*r) for r in store.query(
        "SELECT a.id, a.published, a.title, substr(a.summary_text, 1, 1500) AS summary, a.url, a.language, "
        "a.cluster_id FROM articles a JOIN embeddings e ON e.article_id = a.id AND e.model = ? "
        "WHERE a.published BETWEEN ? AND ?", (model, first, last))]


def cluster_article(store: Store, article_id: str) -> ClusterArticle | None:
    r = store.one("SELECT a.id, a.published, a.title, substr(a.summary_text, 1, 1500) AS summary, a.url, "
                  "a.language, a.cluster_id FROM articles a WHERE a.id = ?", (article_id,))
    return None if r is None else ClusterArticle(*r)


def published(store: Store, article_id: str) -> str | None:
    return store.scalar("SELECT published FROM articles WHERE id = ?", (article_id,))


def set_clusters(store: Store, updates: Sequence[tuple[str, Sequence[str], Sequence[str]]],
                 clustered: Sequence[str]) -> None:
    """Apply (cluster id, old cluster ids merged into it, member article ids) updates and mark the `clustered`
    articles done, in one transaction."""
    with store.write() as conn:
        for cid, old_ids, article_ids in updates:
            for old in old_ids:
                if old != cid:
                    conn.execute("UPDATE articles SET cluster_id = ? WHERE cluster_id = ?", (cid, old))
            conn.executemany("UPDATE articles SET cluster_id = ? WHERE id = ?", [(cid, a) for a in article_ids])
        conn.executemany("UPDATE scoring_progress SET clustered = 1 WHERE article_id = ?", [(i,) for i in clustered])


def story_count(store: Store) -> int:
    """How many stories have more than one article."""
    return store.scalar(
        "SELECT count(*) FROM (SELECT cluster_id FROM articles WHERE cluster_id IS NOT NULL "
        "GROUP BY cluster_id HAVING count(*) > 1)") or 0


def place(store: Store, article_id: str, profile_key: str) -> tuple[float, int] | None:
    """(score, rank) of an article for a profile (rank 1 = the best), or None when it has no score."""
    row = store.one("SELECT score, (SELECT count(*) FROM scores s2 WHERE s2.profile_key = s.profile_key "
                    "AND s2.score > s.score) + 1 FROM scores s WHERE article_id = ? AND profile_key = ?",
                    (article_id, profile_key))
    return (float(row[0]), int(row[1])) if row else None


def of_profile(store: Store, profile_key: str) -> dict[str, float]:
    """article id → score of one profile."""
    return {r[0]: r[1] for r in store.query("SELECT article_id, score FROM scores WHERE profile_key = ?",
                                            (profile_key,))}


def all_rows(store: Store) -> list[tuple[str, str, float, str]]:
    """Every (article id, profile key, score, why) row, in key order (what :func:`upsert` takes)."""
    return [(r[0], r[1], r[2], r[3]) for r in store.query(
        "SELECT article_id, profile_key, score, why FROM scores ORDER BY article_id, profile_key")]
