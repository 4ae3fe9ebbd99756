"""Aggregates over a period for the reports (the veille log, the trend figures): articles per feed, per topic
and week, rising topics and title words, reading activity, digests sent. Bounds are stored-timestamp strings
(ISO instants, end exclusive); the week arithmetic (zone offsets) comes in from the caller.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.db import Store


@dataclass(frozen=True)
class FeedVolume:
    feed_id: int
    title: str  # '' when untitled
    url: str
    articles: int
    last_published: str | None


@dataclass(frozen=True)
class TopicWeekCount:
    monday: str  # the week's Monday (YYYY-MM-DD) in the caller's zone
    topic_key: str
    articles: int


@dataclass(frozen=True)
class RiseCount:
    key: str  # a topic key or a title word
    recent: int
    before: int


@dataclass(frozen=True)
class Activity:
    articles_collected: int
    articles_read: int  # distinct articles read by anyone
    articles_saved: int
    feedback_given: int


@dataclass(frozen=True)
class DigestSentRow:
    recipient: str
    frequency: str
    sent_at: str
    stories: int
    subject: str


def feed_volumes(store: Store, start: str, end: str | None = None) -> list[FeedVolume]:
    """Articles published in [start, end) per feed (feeds with none included), busiest first, then by title."""
    bounds, params = "a.published >= ?", [start]
    if end is not None:
        bounds += " AND a.published < ?"
        params.append(end)
    rows = store.query(
        f"""SELECT f.id, f.title, f.url, COUNT(a.id) AS n, MAX(a.published) AS last
           FROM feeds f LEFT JOIN articles a ON a.feed_id = f.id AND {bounds}
           GROUP BY f.id ORDER BY n DESC, f.title COLLATE NOCASE""",
        params,
    )
    return [FeedVolume(r["id"], r["title"] or "", r["url"], r["n"], r["last"]) for r in rows]


def topic_weeks(store: Store, start: str, stretches: Sequence[tuple[str, str]], last_shift: str
                ) -> list[TopicWeekCount]:
    """Articles per topic per week since `start`. A week is the Monday of ``date(published, shift)``: `shift`
    is the date() modifier ('+60 minutes') of the stretch the instant falls in, `stretches` being
    (end of the stretch, its modifier) in time order and `last_shift` the modifier after the last one."""
    cases = " ".join("WHEN a.published < ? THEN ?" for _ in stretches)
    shift = f"CASE {cases} ELSE ? END" if stretches else "?"
    params = [p for stretch in stretches for p in stretch]
    rows = store.query(
        f"""SELECT date(a.published, {shift}, 'weekday 0', '-6 days') AS monday, t.topic_key, COUNT(*) AS n
           FROM articles a JOIN article_topics t ON t.article_id = a.id
           WHERE a.published >= ?
           GROUP BY monday, t.topic_key ORDER BY monday, t.topic_key""",
        (*params, last_shift, start),
    )
    return [TopicWeekCount(r["monday"], r["topic_key"], r["n"]) for r in rows]


def topic_rise(store: Store, base: str, recent: str, end: str) -> list[RiseCount]:
    """Per topic: articles published in [recent, end) and in [base, recent)."""
    rows = store.query(
        """SELECT t.topic_key AS k, SUM(a.published >= :recent) AS recent, SUM(a.published < :recent) AS before
           FROM articles a JOIN article_topics t ON t.article_id = a.id
           WHERE a.published >= :base AND a.published < :end
           GROUP BY t.topic_key""",
        {"base": base, "recent": recent, "end": end},
    )
    return [RiseCount(r["k"], r["recent"], r["before"]) for r in rows]


# SQLite's lower() folds ASCII only: the capitals French titles start with are folded first ("École", "Être")
_FOLD = (("À", "à"), ("Â", "â"), ("Ç", "ç"), ("É", "é"), ("È", "è"), ("Ê", "ê"), ("Ë", "ë"), ("Î", "î"),
         ("Ï", "ï"), ("Ô", "ô"), ("Ù", "ù"), ("Û", "û"), ("Ü", "ü"), ("Œ", "œ"))
# split at spaces, tabs, no-break spaces and apostrophes ("l'IA" -> "l", "IA"); quotes and backslashes would break
# the JSON array the title becomes
_SPLIT = ("\\", '"', "\t", "\n", "\r", "\u00a0", "'", "\u2019")


def _sql_text(value: str) -> str:
    return "char(" + ",".join(str(ord(ch)) for ch in value) + ")"


def _folded(expr: str) -> str:
    for upper, lower in _FOLD:
        expr = f"replace({expr}, {_sql_text(upper)}, {_sql_text(lower)})"
    return f"lower({expr})"


def _spaced(expr: str) -> str:
    for ch in _SPLIT:
        expr = f"replace({expr}, {_sql_text(ch)}, ' ')"
    return expr


_TRIM = ".,;:!?()[]{}\"«»“”‘’…-–—/|#*+=<>"
_WORD = _folded(f"trim(w.value, {_sql_text(_TRIM)})")
_TITLE_JSON = f"""'["' || replace({_spaced('a.title')}, ' ', '","') || '"]'"""


def term_rise(store: Store, base: str, recent: str, end: str, stopwords: Sequence[str],
              min_recent: int) -> list[RiseCount]:
    """Title words counted once per article: in [recent, end) (at least `min_recent`) and in [base, recent).
    Split and counted in SQL via json_each over the title, apostrophes splitting too ("l'IA" -> "l", "ia").
    A word is kept with 4+ characters, a letter first (no "2025", "500k", "10x"), no currency or percent sign
    and not in `stopwords` (compared after folding case, French capitals included)."""
    rows = store.query(
        f"""WITH words AS (
               SELECT DISTINCT a.id, a.published >= :recent AS is_recent, {_WORD} AS k
               FROM articles a, json_each({_TITLE_JSON}) AS w
               WHERE a.published >= :base AND a.published < :end)
           SELECT k, SUM(is_recent) AS recent, SUM(NOT is_recent) AS before FROM words
           WHERE length(k) >= 4 AND k NOT IN (SELECT value FROM json_each(:stop))
                 AND k GLOB '[a-zà-ÿœ]*' AND NOT k GLOB {_sql_text("*[€$£¥%‰]*")}
           GROUP BY k HAVING SUM(is_recent) >= :min_recent""",
        {"base": base, "recent": recent, "end": end, "stop": json.dumps(sorted(stopwords)),
         "min_recent": min_recent},
    )
    return [RiseCount(r["k"], r["recent"], r["before"]) for r in rows]


def activity(store: Store, start: str, end: str) -> Activity:
    """Articles published, read, saved (distinct articles, any user) and judgements given in [start, end)."""

    def count(sql: str) -> int:
        return store.scalar(sql, (start, end)) or 0

    return Activity(
        articles_collected=count("SELECT COUNT(*) FROM articles WHERE published >= ? AND published < ?"),
        articles_read=count("SELECT COUNT(DISTINCT article_id) FROM article_state WHERE read_at >= ? AND read_at < ?"),
        articles_saved=count("SELECT COUNT(DISTINCT article_id) FROM article_state "
                             "WHERE saved_at >= ? AND saved_at < ?"),
        feedback_given=count("SELECT COUNT(*) FROM feedback WHERE created_at >= ? AND created_at < ?"),
    )


def digests_sent(store: Store, start: str, end: str) -> list[DigestSentRow]:
    """Digests sent in [start, end), oldest first, with their number of stories."""
    return [DigestSentRow(r["recipient"], r["frequency"], r["sent_at"], len(json.loads(r["story_ids"] or "[]")),
                          r["subject"])
            for r in store.query(
                "SELECT * FROM digest_sends WHERE status = 'sent' AND sent_at >= ? AND sent_at < ? ORDER BY sent_at",
                (start, end))]
