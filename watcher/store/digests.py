"""E-mail digests: the sends (`digest_sends`, with each message's exact bytes) and the stories they reserve
(`digest_stories`), plus the reads that choose a digest's content. The exactly-once protocol (pending → sent or
failed, under the digest lock) is the caller's: each function here is one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.db import Store


@dataclass(frozen=True)
class PendingSend:
    """A message recorded as pending (its sender died before marking it)."""

    id: int
    recipient: str
    message: bytes
    message_id: str
    stories: int  # how many stories it carries


@dataclass(frozen=True)
class Candidate:
    """An article scored for one of a recipient's profiles, not yet sent to them (its story not reserved)."""

    article_id: str
    story_id: str  # its cluster, or itself
    title: str
    url: str | None
    published: str
    summary_text: str | None
    profile_key: str
    score: float
    why: str | None
    language: str = ""  # the article's language code ("en", "fr"), "" when unknown


def pending(store: Store) -> list[PendingSend]:
    """Every pending send, oldest first."""
    return [PendingSend(r["id"], r["recipient"], bytes(r["message"]), r["message_id"],
                        len(json.loads(r["story_ids"])))
            for r in store.query("SELECT * FROM digest_sends WHERE status = 'pending' ORDER BY id")]


def reserve(store: Store, *, recipient: str, frequency: str, period_start: str, period_end: str,
            story_ids: Sequence[str], message_id: str, subject: str, created_at: str, message: bytes,
            language: str) -> int | None:
    """Record a message as pending and reserve its stories for the recipient, atomically; None (nothing
    written) when one of the stories is already reserved for them."""
    with store.write() as conn:
        taken = conn.execute(
            f"SELECT count(*) FROM digest_stories WHERE lower(recipient) = lower(?) AND story_id IN "
            f"({','.join('?' for _ in story_ids) or 'NULL'})",
            (recipient, *story_ids),
        ).fetchone()[0]
        if taken:
            return None
        cur = conn.execute(
            "INSERT INTO digest_sends (recipient, frequency, period_start, period_end, story_ids, message_id, "
            "subject, status, created_at, message, language) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
            (recipient, frequency, period_start, period_end, json.dumps(list(story_ids)), message_id, subject,
             created_at, message, language),
        )
        send_id = cur.lastrowid
        conn.executemany(
            "INSERT INTO digest_stories (recipient, story_id, send_id) VALUES (?, ?, ?)",
            [(recipient, sid, send_id) for sid in story_ids],
        )
    return send_id


def mark_failed(store: Store, send_id: int, error: str) -> None:
    """A send failed: record the error and release its stories for a later digest."""
    with store.write() as conn:
        conn.execute("UPDATE digest_sends SET status = 'failed', error = ? WHERE id = ?", (error, send_id))
        conn.execute("DELETE FROM digest_stories WHERE send_id = ?", (send_id,))


def mark_sent(store: Store, send_id: int, sent_at: str) -> None:
    with store.write() as conn:
        conn.execute("UPDATE digest_sends SET status = 'sent', sent_at = ?, error = NULL WHERE id = ?",
                     (sent_at, send_id))


def record_refused(store: Store, *, recipient: str, frequency: str, at: str, message_id: str, error: str,
                   language: str) -> None:
    """A send refused before any SMTP exchange: a failed row with an empty period at `at`."""
    with store.write() as conn:
        conn.execute(
            "INSERT INTO digest_sends (recipient, frequency, period_start, period_end, message_id, status, error, "
            "created_at, language) VALUES (?, ?, ?, ?, ?, 'failed', ?, ?, ?)",
            (recipient, frequency, at, at, message_id, error, at, language),
        )


def last_period_end(store: Store, address: str) -> str | None:
    """End of the last digest sent (or being sent) to this address (case-insensitive)."""
    return store.scalar(
        "SELECT max(period_end) FROM digest_sends WHERE lower(recipient) = lower(?) "
        "AND status IN ('sent', 'pending')",
        (address,),
    )


def candidates(store: Store, address: str, profile_keys: Sequence[str], *, first_seen_from: str,
               first_seen_to: str, published_from: str, min_score: float) -> list[Candidate]:
    """Articles first seen in [first_seen_from, first_seen_to], published since `published_from`, scoring at least
    `min_score` for one of `profile_keys`, whose story is not reserved for `address`: best score first, then
    newest (one row per article and profile)."""
    if not profile_keys:
        return []
    marks = ",".join("?" for _ in profile_keys)
    rows = store.query(
        f"""
        SELECT a.id, coalesce(a.cluster_id, a.id) AS story_id, a.title, a.url, a.published,
               a.summary_text, s.profile_key, s.score, s.why, a.language
        FROM articles a JOIN scores s ON s.article_id = a.id
        WHERE a.first_seen >= ? AND a.first_seen <= ? AND a.published >= ?
          AND s.profile_key IN ({marks}) AND s.score >= ?
          AND coalesce(a.cluster_id, a.id) NOT IN
              (SELECT story_id FROM digest_stories WHERE lower(recipient) = lower(?))
        ORDER BY s.score DESC, a.published DESC
        """,
        (first_seen_from, first_seen_to, published_from, *profile_keys, min_score, address),
    )
    return [Candidate(r["id"], r["story_id"], r["title"], r["url"], r["published"], r["summary_text"],
                      r["profile_key"], float(r["score"]), r["why"], r["language"] or "") for r in rows]


def main_topic(store: Store, article_id: str) -> str | None:
    """The article's best-scored topic key."""
    return store.scalar(
        "SELECT topic_key FROM article_topics WHERE article_id = ? ORDER BY score DESC LIMIT 1", (article_id,))


def articles_seen(store: Store, after: str, until: str) -> int:
    """Articles first seen in (after, until]."""
    return store.scalar("SELECT count(*) FROM articles WHERE first_seen > ? AND first_seen <= ?",
                        (after, until)) or 0


def enabled_feeds(store: Store) -> int:
    return store.scalar("SELECT count(*) FROM feeds WHERE disabled = 0") or 0


def latest_sent_messages(store: Store) -> list[tuple[str, bytes]]:
    """(recipient, raw message) of each recipient's latest sent digest."""
    rows = store.query("SELECT recipient, message FROM digest_sends WHERE status = 'sent' AND message IS NOT NULL "
                       "AND id IN (SELECT max(id) FROM digest_sends WHERE status = 'sent' GROUP BY recipient)")
    return [(r["recipient"], bytes(r["message"])) for r in rows]


@dataclass(frozen=True)
class Send:
    """A recorded digest message (pending, sent or failed)."""

    id: int
    recipient: str
    frequency: str
    period_start: str
    period_end: str
    story_ids: tuple[str, ...]
    message_id: str
    subject: str
    status: str  # 'pending' | 'sent' | 'failed'
    error: str | None
    created_at: str
    sent_at: str | None
    language: str


def sends(store: Store, recipient: str | None = None) -> list[Send]:
    """Every recorded send (to `recipient`, case-insensitive, when given), oldest first."""
    rows = store.query("SELECT * FROM digest_sends WHERE (? IS NULL OR lower(recipient) = lower(?)) ORDER BY id",
                       (recipient, recipient))
    return [Send(r["id"], r["recipient"], r["frequency"], r["period_start"], r["period_end"],
                 tuple(json.loads(r["story_ids"])), r["message_id"], r["subject"], r["status"], r["error"],
                 r["created_at"], r["sent_at"], r["language"]) for r in rows]


@dataclass(frozen=True)
class Reservation:
    """A story reserved for a recipient by a send (pending or sent)."""

    recipient: str
    story_id: str
    send_id: int


def reservations(store: Store, recipient: str | None = None) -> list[Reservation]:
    """Every reserved story (for `recipient`, case-insensitive, when given), by recipient then story."""
    return [Reservation(r["recipient"], r["story_id"], r["send_id"]) for r in store.query(
        "SELECT recipient, story_id, send_id FROM digest_stories WHERE (? IS NULL OR lower(recipient) = lower(?)) "
        "ORDER BY recipient, story_id", (recipient, recipient))]
