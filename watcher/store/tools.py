"""The tool & trend register (`tools`, `tool_history`, `tool_scores`, `tool_evidence`) and the reads behind its
suggestions. Rules (statuses, transitions, knock-outs, rationale) stay with the caller: the knock-out criteria and
the lane order come in as arguments. History is append-only (SQL triggers): only :func:`log` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from watcher.db import Store

EDITABLE = ("description", "quadrant", "kind")  # the columns :func:`update` may change


@dataclass(frozen=True)
class Tool:
    """A row of the register."""

    id: int
    name: str
    kind: str
    description: str
    quadrant: str
    status: str
    created_at: str
    created_by: str
    updated_at: str
    aliases: tuple[str, ...] = ()  # other names articles use for it (the dossier's search)


@dataclass(frozen=True)
class ToolSummary:
    """A tool with its latest decision's rationale, evidence count and scorecard totals."""

    tool: Tool
    last_rationale: str = ""
    evidence_count: int = 0
    score_total: int = 0
    score_max: int = 0
    knocked_out: tuple[str, ...] = ()  # knock-out criteria scored 0, sorted
    not_applicable: tuple[str, ...] = ()  # criteria marked "does not apply" (no score, details.applies false)


@dataclass(frozen=True)
class HistoryRow:
    id: int
    tool_id: int
    tool: str  # the tool's name
    at: str
    by: str
    change: str
    from_status: str | None
    to_status: str | None
    rationale: str
    details: dict = field(default_factory=dict)
    kind: str = ""  # the tool's kind


@dataclass(frozen=True)
class ScoreRow:
    criterion: str
    score: int | None
    note: str
    updated_at: str
    updated_by: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EvidenceRow:
    """A linked article; title/url/published/feed are None once retention removed the article."""

    tool_id: int
    article_id: str
    note: str
    added_at: str
    added_by: str
    title: str | None
    url: str | None
    published: str | None
    feed_title: str | None
    feed_url: str | None


@dataclass(frozen=True)
class ArticleSnippet:
    id: str
    title: str
    summary: str  # the first 400 characters of the summary text


def _tool(row) -> Tool:
    try:
        aliases = tuple(json.loads(row["aliases"] or "[]"))
    except (IndexError, KeyError, ValueError, TypeError):
        aliases = ()
    return Tool(row["id"], row["name"], row["kind"], row["description"], row["quadrant"], row["status"],
                row["created_at"], row["created_by"], row["updated_at"], aliases)


def _details(value: str | None) -> dict:
    return json.loads(value or "{}")


# --- reading ----------------------------------------------------------------------------------

_SUMMARY_SQL = """
SELECT t.*,
    (SELECT h.rationale FROM tool_history h WHERE h.tool_id = t.id AND h.change IN ('created', 'status', 'import')
        ORDER BY h.id DESC LIMIT 1) AS last_rationale,
    (SELECT COUNT(*) FROM tool_evidence e WHERE e.tool_id = t.id) AS evidence_count,
    (SELECT COALESCE(SUM(s.score), 0) FROM tool_scores s WHERE s.tool_id = t.id) AS score_total,
    (SELECT COUNT(s.score) * 3 FROM tool_scores s WHERE s.tool_id = t.id) AS score_max,
    (SELECT group_concat(s.criterion) FROM tool_scores s WHERE s.tool_id = t.id AND s.score = 0
        AND s.criterion IN ({knockouts})) AS knocked_out,
    (SELECT group_concat(s.criterion) FROM tool_scores s WHERE s.tool_id = t.id AND s.score IS NULL
        AND json_extract(s.details, '$.applies') = 0) AS not_applicable
FROM tools t
"""


def _summary(row) -> ToolSummary:
    return ToolSummary(
        tool=_tool(row), last_rationale=row["last_rationale"] or "", evidence_count=row["evidence_count"],
        score_total=row["score_total"], score_max=row["score_max"],
        knocked_out=tuple(sorted((row["knocked_out"] or "").split(","))) if row["knocked_out"] else (),
        not_applicable=tuple(sorted(row["not_applicable"].split(","))) if row["not_applicable"] else (),
    )


def summaries(store: Store, knockouts: Sequence[str], *, status: str | None = None, kind: str | None = None,
              name: str | None = None, order: Sequence[str] = ()) -> list[ToolSummary]:
    """Tools with their totals, filtered by status, kind or (exact, case-insensitive) name; ordered by the
    position of their status in `order`, then most recently changed, then name."""
    where: list[str] = []
    params: list = list(knockouts)
    if status:
        where.append("t.status = ?")
        params.append(status)
    if kind:
        where.append("t.kind = ?")
        params.append(kind)
    if name is not None:
        where.append("t.name = ?")
        params.append(name)
    sql = _SUMMARY_SQL.format(knockouts=",".join("?" * len(knockouts)) or "NULL")
    sql += (" WHERE " + " AND ".join(where)) if where else ""
    if order:
        sql += " ORDER BY CASE t.status " + " ".join("WHEN ? THEN ?" for _ in order) + " END,"
        for i, s in enumerate(order):
            params += [s, i]
    else:
        sql += " ORDER BY"
    sql += " t.updated_at DESC, t.name"
    return [_summary(r) for r in store.query(sql, params)]


def by_name(store: Store, name: str) -> Tool | None:
    """The tool of that (case-insensitive) name; inside a caller's ``store.write()`` it reads that transaction."""
    row = store.one("SELECT * FROM tools WHERE name = ?", (name,))
    return _tool(row) if row is not None else None


def names(store: Store) -> list[str]:
    return [r[0] for r in store.query("SELECT name FROM tools ORDER BY name COLLATE NOCASE")]


def history(store: Store, tool_id: int | None = None, since: str | None = None,
            until: str | None = None) -> list[HistoryRow]:
    """History rows, oldest first; `since`/`until` are ISO date(-time) strings (until exclusive)."""
    where: list[str] = []
    params: list[int | str] = []
    if tool_id is not None:
        where.append("h.tool_id = ?")
        params.append(tool_id)
    if since:
        where.append("h.at >= ?")
        params.append(since)
    if until:
        where.append("h.at < ?")
        params.append(until)
    sql = "SELECT h.*, t.name, t.kind FROM tool_history h JOIN tools t ON t.id = h.tool_id"
    sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY h.at, h.id"
    return [HistoryRow(r["id"], r["tool_id"], r["name"], r["at"], r["by"], r["change"], r["from_status"],
                       r["to_status"], r["rationale"], _details(r["details"]), r["kind"])
            for r in store.query(sql, params)]


def statuses_at(store: Store, before: str) -> dict[int, str | None]:
    """tool id → the status it had just before `before` (the to_status of its last change earlier; None if none)."""
    return {r[0]: r[1] for r in store.query(
        """SELECT t.id, (SELECT h.to_status FROM tool_history h WHERE h.tool_id = t.id AND h.at < ?
                         AND h.to_status IS NOT NULL ORDER BY h.at DESC, h.id DESC LIMIT 1) AS before
           FROM tools t""", (before,))}


def evidence(store: Store, tool_ids: Sequence[int]) -> list[EvidenceRow]:
    """Linked evidence of these tools, oldest link first (articles removed by retention keep their row)."""
    if not tool_ids:
        return []
    marks = ",".join("?" * len(tool_ids))
    rows = store.query(
        f"""SELECT e.tool_id, e.article_id, e.note, e.added_at, e.added_by, a.title, a.url, a.published,
                   f.title AS feed_title, f.url AS feed_url
            FROM tool_evidence e LEFT JOIN articles a ON a.id = e.article_id LEFT JOIN feeds f ON f.id = a.feed_id
            WHERE e.tool_id IN ({marks}) ORDER BY e.added_at""",
        list(tool_ids),
    )
    return [EvidenceRow(r["tool_id"], r["article_id"], r["note"], r["added_at"], r["added_by"], r["title"], r["url"],
                        r["published"], r["feed_title"], r["feed_url"]) for r in rows]


def evidence_article_ids(store: Store, tool_id: int) -> list[str]:
    """The ids of the articles linked to a tool (stored or not)."""
    return [r[0] for r in store.query("SELECT article_id FROM tool_evidence WHERE tool_id = ?", (tool_id,))]


def evidence_score_means(store: Store, tool_id: int) -> dict[str, float]:
    """profile key → mean score of the tool's linked evidence articles, by profile key."""
    rows = store.query(
        """SELECT s.profile_key, AVG(s.score) FROM tool_evidence e JOIN scores s ON s.article_id = e.article_id
           WHERE e.tool_id = ? GROUP BY s.profile_key ORDER BY s.profile_key""",
        (tool_id,),
    )
    return {r[0]: r[1] for r in rows}


def scores(store: Store, tool_id: int) -> dict[str, ScoreRow]:
    """criterion → its stored score."""
    return {r["criterion"]: ScoreRow(r["criterion"], r["score"], r["note"], r["updated_at"], r["updated_by"],
                                     _details(r["details"]))
            for r in store.query("SELECT * FROM tool_scores WHERE tool_id = ?", (tool_id,))}


def zero_scored(store: Store, tool_id: int, criteria: Sequence[str]) -> list[str]:
    """Those of `criteria` the tool scores 0 (its knock-outs)."""
    if not criteria:
        return []
    return [r[0] for r in store.query(
        f"SELECT criterion FROM tool_scores WHERE tool_id = ? AND score = 0 AND criterion IN "
        f"({','.join('?' * len(criteria))})", (tool_id, *criteria),
    )]


def article_title(store: Store, article_id: str) -> str | None:
    """The title of a stored article ('' when untitled); None when it is not stored."""
    row = store.one("SELECT id, title FROM articles WHERE id = ?", (article_id,))
    return None if row is None else (row["title"] or "")


# --- writing ----------------------------------------------------------------------------------


def log(store: Store, tool_id: int, at: str, by: str, change: str, from_status: str | None, to_status: str | None,
        rationale: str, details: dict | None = None) -> None:
    """Append a history row (joins a caller's ``store.write()``)."""
    with store.write() as conn:
        conn.execute(
            "INSERT INTO tool_history (tool_id, at, by, change, from_status, to_status, rationale, details)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (tool_id, at, by, change, from_status, to_status, rationale,
             json.dumps(details or {}, ensure_ascii=False)),
        )


def insert(store: Store, name: str, kind: str, description: str, quadrant: str, status: str, at: str,
           by: str) -> int:
    """Add a tool; its id."""
    with store.write() as conn:
        cur = conn.execute(
            "INSERT INTO tools (name, kind, description, quadrant, status, created_at, created_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (name, kind, description, quadrant, status, at, by, at),
        )
    assert cur.lastrowid is not None  # an INSERT sets it
    return cur.lastrowid


def set_aliases(store: Store, tool_id: int, aliases: Sequence[str], at: str) -> None:
    with store.write() as conn:
        conn.execute("UPDATE tools SET aliases = ?, updated_at = ? WHERE id = ?",
                     (json.dumps(list(aliases), ensure_ascii=False), at, tool_id))


def set_status(store: Store, tool_id: int, status: str, at: str) -> None:
    with store.write() as conn:
        conn.execute("UPDATE tools SET status = ?, updated_at = ? WHERE id = ?", (status, at, tool_id))


def update(store: Store, tool_id: int, changes: dict[str, str], at: str) -> None:
    """Set some of the :data:`EDITABLE` columns and `updated_at`."""
    bad = set(changes) - set(EDITABLE)
    if bad:
        raise ValueError(f"not editable: {sorted(bad)}")
    with store.write() as conn:
        sets = "".join(f"{k} = ?, " for k in changes)
        conn.execute(f"UPDATE tools SET {sets}updated_at = ? WHERE id = ?", (*changes.values(), at, tool_id))


def put_score(store: Store, tool_id: int, criterion: str, score: int | None, note: str, at: str, by: str,
              details: dict) -> int | None:
    """Store (or replace) one criterion's score and touch the tool; the score it replaced (None if none)."""
    with store.write() as conn:
        old = conn.execute(
            "SELECT score FROM tool_scores WHERE tool_id = ? AND criterion = ?", (tool_id, criterion)
        ).fetchone()
        conn.execute(
            """INSERT INTO tool_scores (tool_id, criterion, score, note, updated_at, updated_by, details)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (tool_id, criterion) DO UPDATE SET score = excluded.score, note = excluded.note,
                   updated_at = excluded.updated_at, updated_by = excluded.updated_by, details = excluded.details""",
            (tool_id, criterion, score, note, at, by, json.dumps(details, ensure_ascii=False)),
        )
        conn.execute("UPDATE tools SET updated_at = ? WHERE id = ?", (at, tool_id))
    return old["score"] if old else None


def link_evidence(store: Store, tool_id: int, article_id: str, note: str, at: str, by: str) -> bool:
    """Link an article to a tool; False (nothing written) when it was already linked."""
    with store.write() as conn:
        cur = conn.execute(
            "INSERT OR IGNORE INTO tool_evidence (tool_id, article_id, note, added_at, added_by) VALUES (?,?,?,?,?)",
            (tool_id, article_id, note, at, by),
        )
    return cur.rowcount > 0


# --- suggestions ------------------------------------------------------------------------------


def best_scored(store: Store, min_score: float, articles: int) -> dict[str, float]:
    """article id → its best score (any profile) of at least `min_score`, for the `articles` best articles
    among the ``4 × articles`` best scores, best first."""
    rows = store.query(
        "SELECT article_id, score FROM scores WHERE score >= ? ORDER BY score DESC LIMIT ?", (min_score, articles * 4)
    )
    best: dict[str, float] = {}
    for r in rows:
        if r[0] not in best:
            best[r[0]] = r[1]
        if len(best) >= articles:
            break
    return best


def feeds_of(store: Store, article_ids: Sequence[str]) -> dict[str, set[int]]:
    """article id → the ids of the feeds that carried it."""
    out: dict[str, set[int]] = {}
    ids = list(dict.fromkeys(article_ids))
    for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        part = ids[start:start + 900]
        marks = ",".join("?" * len(part))
        for r in store.query(f"SELECT article_id, feed_id FROM entries WHERE article_id IN ({marks})", part):
            out.setdefault(r[0], set()).add(r[1])
    return out


def snippets(store: Store, article_ids: Sequence[str]) -> list[ArticleSnippet]:
    """Title and start of the summary of these articles (those still stored)."""
    if not article_ids:
        return []
    marks = ",".join("?" * len(article_ids))
    return [ArticleSnippet(r["id"], r["title"], r["summary"]) for r in store.query(
        f"SELECT id, title, substr(summary_text, 1, 400) AS summary FROM articles WHERE id IN ({marks})",
        list(article_ids))]


def feed_titles(store: Store) -> list[str]:
    """Every feed's title ('' when untitled)."""
    return [r[0] or "" for r in store.query("SELECT title FROM feeds")]


def topic_counts(store: Store, article_ids: Sequence[str]) -> dict[str, int]:
    """topic key → how many of these articles carry it."""
    if not article_ids:
        return {}
    marks = ",".join("?" * len(article_ids))
    return {r[0]: r[1] for r in store.query(
        f"SELECT topic_key, COUNT(*) FROM article_topics WHERE article_id IN ({marks}) GROUP BY topic_key",
        list(article_ids))}


# --- digests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusChange:
    tool: str  # the tool's name
    at: str
    by: str
    change: str
    from_status: str | None
    to_status: str | None
    rationale: str


def status_changes(store: Store, after: str, until: str) -> list[StatusChange]:
    """Decisions (creations, status changes, anything with a new status) made in (after, until], oldest first."""
    rows = store.query(
        """
        SELECT t.name, h.at, h.by, h.change, h.from_status, h.to_status, h.rationale
        FROM tool_history h JOIN tools t ON t.id = h.tool_id
        WHERE h.at > ? AND h.at <= ? AND (h.to_status IS NOT NULL OR h.change IN ('created', 'status'))
        ORDER BY h.at
        """,
        (after, until),
    )
    return [StatusChange(r["name"], r["at"], r["by"], r["change"], r["from_status"], r["to_status"], r["rationale"])
            for r in rows]


def newest_with_status(store: Store, status: str, limit: int) -> list[tuple[str, str]]:
    """(name, created_at) of the `limit` most recently added tools in `status`."""
    return [(r["name"], r["created_at"]) for r in store.query(
        "SELECT name, created_at FROM tools WHERE status = ? ORDER BY created_at DESC LIMIT ?", (status, limit))]


def count_with_status(store: Store, status: str) -> int:
    return store.scalar("SELECT count(*) FROM tools WHERE status = ?", (status,)) or 0
