"""The tool & trend register: lanes, status decisions with rationale, scorecards, evidence, suggestions.

The statuses, their lifecycle and labels are defined once, in :mod:`ui.services.statuses`: a decision always
needs a rationale, history is append-only (SQL triggers), and moving to `trial` or `adopted` is refused while a
knock-out criterion of the scorecard scores 0.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

from config.errors import NotFoundError, ValidationError
from ui.services.context import ServiceContext, now_iso, require_editor
from ui.services.records import (
    Criterion,
    CriterionScore,
    EvidenceRef,
    HistoryEntry,
    Scorecard,
    Suggestion,
    ToolCard,
    ToolDetail,
)
from ui.services.statuses import GATED, INITIAL, STATUSES, TRANSITIONS
from watcher.cleaner import strip_invisible

KINDS = ("tool", "trend")
QUADRANTS = ("AI & automation", "Immersive (VR/AR/metaverse)", "Formats & pedagogy", "Platforms, data & compliance")
HYPE_STAGES = ("trigger", "peak", "trough", "slope", "plateau")
LTEM_LEVELS = {
    1: "Attendance", 2: "Activity", 3: "Learner perceptions", 4: "Knowledge", 5: "Decision-making competence",
    6: "Task competence", 7: "Transfer", 8: "Effects of transfer",
}
ANNEX_III_USES = ("grading", "placement", "level assessment", "proctoring")
MAX_NAME = 120

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "evidence", "Evidence of effectiveness", "Preuves d'efficacité",
        "LTEM (1-8) / Kirkpatrick (1-4) level reached by independent evidence; flag vendor-only claims. "
        "0 none or vendor claims only, 1 perceptions, 2 knowledge/competence, 3 transfer or results.",
        "Niveau LTEM (1-8) / Kirkpatrick (1-4) atteint par des preuves indépendantes ; signaler les seules "
        "allégations du fournisseur. 0 aucune, 1 perceptions, 2 connaissances, 3 transfert ou résultats.",
        False,
    ),
    Criterion(
        "fit", "Fit per learner profile", "Adéquation aux publics",
        "Fit with each learner profile, prefilled from the scores of linked evidence articles; edit per profile.",
        "Adéquation à chaque public, pré-remplie d'après les scores des articles liés ; modifiable par public.",
        False,
    ),
    Criterion(
        "cost", "Cost & value", "Coût et valeur",
        "Licence, content and support costs against the expected value. 0 unaffordable, 3 clearly worth it.",
        "Coûts de licence, de contenus et de support au regard de la valeur attendue.",
        False,
    ),
    Criterion(
        "accessibility", "Accessibility (WCAG/RGAA)", "Accessibilité (WCAG/RGAA)",
        "Conformance with WCAG 2.1 AA / RGAA. 0 (knock-out): inaccessible with no remediation plan.",
        "Conformité WCAG 2.1 AA / RGAA. 0 (éliminatoire) : inaccessible sans plan de mise en conformité.",
        True,
    ),
    Criterion(
        "data_protection", "Data protection (GDPR)", "Protection des données (RGPD)",
        "Data collected, hosting location, retention, DPA signed. 0 (knock-out): unlawful or unknown processing.",
        "Données collectées, hébergement, durée de conservation, contrat de sous-traitance. 0 (éliminatoire) : "
        "traitement illicite ou inconnu.",
        True,
    ),
    Criterion(
        "ai_act", "EU AI Act exposure", "Exposition à l'AI Act",
        "Does it grade, place, assess level or proctor learners (Annex III high-risk)? Transparency and "
        "AI-literacy duties? 3 no exposure, 1 high-risk with measures, 0 (knock-out) high-risk without measures.",
        "Note-t-il, oriente-t-il, évalue-t-il le niveau ou surveille-t-il les apprenants (annexe III, haut "
        "risque) ? Obligations de transparence et de maîtrise de l'IA ? 0 (éliminatoire) : haut risque sans mesures.",
        True,
    ),
    Criterion(
        "maturity", "Maturity & hype stage", "Maturité et cycle du hype",
        "Hype stage (trigger, peak, trough, slope, plateau); what the press claims vs our ring.",
        "Étape du cycle (déclencheur, pic, creux, pente, plateau) ; ce qu'annonce la presse vs notre anneau.",
        False,
    ),
    Criterion(
        "fr_compliance", "French compliance & funding", "Conformité et financement (France)",
        "Fits Qualiopi evidence; fundable through CPF / OPCO.",
        "Compatible avec les preuves Qualiopi ; finançable par le CPF / les OPCO.",
        False,
    ),
)
CRITERION_KEYS = tuple(c.key for c in CRITERIA)
KNOCKOUTS = tuple(c.key for c in CRITERIA if c.knockout)


def criterion(key: str) -> Criterion:
    for c in CRITERIA:
        if c.key == key:
            return c
    raise ValidationError(f"criterion: expected one of {', '.join(CRITERION_KEYS)}, got {key!r}")


# --- reading ----------------------------------------------------------------------------------

_CARD_SQL = f"""
SELECT t.*,
    (SELECT h.rationale FROM tool_history h WHERE h.tool_id = t.id AND h.change IN ('created', 'status', 'import')
        ORDER BY h.id DESC LIMIT 1) AS last_rationale,
    (SELECT COUNT(*) FROM tool_evidence e WHERE e.tool_id = t.id) AS evidence_count,
    (SELECT COALESCE(SUM(s.score), 0) FROM tool_scores s WHERE s.tool_id = t.id) AS score_total,
    (SELECT COUNT(s.score) * 3 FROM tool_scores s WHERE s.tool_id = t.id) AS score_max,
    (SELECT group_concat(s.criterion) FROM tool_scores s WHERE s.tool_id = t.id AND s.score = 0
        AND s.criterion IN ({", ".join(f"'{k}'" for k in KNOCKOUTS)})) AS knocked_out
FROM tools t
"""


def _card(row) -> ToolCard:
    return ToolCard(
        id=row["id"], name=row["name"], kind=row["kind"], description=row["description"], quadrant=row["quadrant"],
        status=row["status"], created_at=row["created_at"], created_by=row["created_by"],
        updated_at=row["updated_at"], last_rationale=row["last_rationale"] or "",
        evidence_count=row["evidence_count"], score_total=row["score_total"], score_max=row["score_max"],
        knocked_out=tuple(sorted((row["knocked_out"] or "").split(","))) if row["knocked_out"] else (),
    )


def _row(ctx: ServiceContext, name: str):
    row = ctx.store.one("SELECT * FROM tools WHERE name = ?", (normalize_name(name),))
    if row is None:
        raise NotFoundError(f"tool {name!r}: not in the register")
    return row


def list_tools(ctx: ServiceContext, status: str | None = None, kind: str | None = None) -> list[ToolCard]:
    """Register cards, ordered by lane then most recently changed."""
    where, params = [], []
    if status:
        _check_status(status)
        where.append("t.status = ?")
        params.append(status)
    if kind:
        where.append("t.kind = ?")
        params.append(kind)
    order = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATUSES))
    sql = _CARD_SQL + (" WHERE " + " AND ".join(where) if where else "")
    sql += f" ORDER BY CASE t.status {order} END, t.updated_at DESC, t.name"
    return [_card(r) for r in ctx.store.query(sql, params)]


def lanes(ctx: ServiceContext) -> dict[str, list[ToolCard]]:
    out: dict[str, list[ToolCard]] = {s: [] for s in STATUSES}
    for card in list_tools(ctx):
        out.setdefault(card.status, []).append(card)
    return out


def tool_names(ctx: ServiceContext) -> list[str]:
    return [r[0] for r in ctx.store.query("SELECT name FROM tools ORDER BY name COLLATE NOCASE")]


def get_card(ctx: ServiceContext, name: str) -> ToolCard:
    row = ctx.store.one(_CARD_SQL + " WHERE t.name = ?", (normalize_name(name),))
    if row is None:
        raise NotFoundError(f"tool {name!r}: not in the register")
    return _card(row)


def get_tool(ctx: ServiceContext, name: str) -> ToolDetail:
    card = get_card(ctx, name)
    return ToolDetail(
        card=card, history=tuple(history(ctx, card.name)), scorecard=scorecard(ctx, card.name),
        evidence=tuple(evidence(ctx, card.name)), allowed_next=TRANSITIONS.get(card.status, ()),
    )


def _history_entry(row) -> HistoryEntry:
    return HistoryEntry(
        id=row["id"], tool=row["name"], at=row["at"], by=row["by"], change=row["change"],
        from_status=row["from_status"], to_status=row["to_status"], rationale=row["rationale"],
        details=json.loads(row["details"] or "{}"),
    )


def history(ctx: ServiceContext, name: str | None = None, since: str | None = None,
            until: str | None = None) -> list[HistoryEntry]:
    """History rows, oldest first; `since`/`until` are ISO date(-time) strings (until exclusive)."""
    where, params = [], []
    if name is not None:
        where.append("h.tool_id = ?")
        params.append(_row(ctx, name)["id"])
    if since:
        where.append("h.at >= ?")
        params.append(since)
    if until:
        where.append("h.at < ?")
        params.append(until)
    sql = "SELECT h.*, t.name FROM tool_history h JOIN tools t ON t.id = h.tool_id"
    sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY h.at, h.id"
    return [_history_entry(r) for r in ctx.store.query(sql, params)]


def evidence(ctx: ServiceContext, name: str) -> list[EvidenceRef]:
    tool_id = _row(ctx, name)["id"]
    return evidence_for_ids(ctx, [tool_id]).get(tool_id, [])


def evidence_for_ids(ctx: ServiceContext, tool_ids: list[int]) -> dict[int, list[EvidenceRef]]:
    """Linked evidence per tool id (articles removed by retention keep their note, shown untitled)."""
    if not tool_ids:
        return {}
    marks = ",".join("?" * len(tool_ids))
    rows = ctx.store.query(
        f"""SELECT e.tool_id, e.article_id, e.note, e.added_at, e.added_by, a.title, a.url, a.published,
                   f.title AS feed_title, f.url AS feed_url
            FROM tool_evidence e LEFT JOIN articles a ON a.id = e.article_id LEFT JOIN feeds f ON f.id = a.feed_id
            WHERE e.tool_id IN ({marks}) ORDER BY e.added_at""",
        tool_ids,
    )
    out: dict[int, list[EvidenceRef]] = defaultdict(list)
    for r in rows:
        out[r["tool_id"]].append(EvidenceRef(
            article_id=r["article_id"], title=r["title"] or "(article no longer stored)", url=r["url"],
            feed_title=r["feed_title"] or r["feed_url"] or "", published=r["published"] or "",
            note=r["note"], added_at=r["added_at"], added_by=r["added_by"],
        ))
    return out


def fit_prefill(ctx: ServiceContext, name: str) -> dict[str, float]:
    """Mean profile score of the tool's linked evidence articles: the starting point of the fit criterion."""
    rows = ctx.store.query(
        """SELECT s.profile_key, AVG(s.score) FROM tool_evidence e JOIN scores s ON s.article_id = e.article_id
           WHERE e.tool_id = ? GROUP BY s.profile_key ORDER BY s.profile_key""",
        (_row(ctx, name)["id"],),
    )
    return {r[0]: round(r[1], 3) for r in rows}


def fit_points(mean_score: float) -> int:
    """Map a 0..1 relevance score to 0..3 scorecard points."""
    return max(0, min(3, int(mean_score * 4)))


def scorecard(ctx: ServiceContext, name: str) -> Scorecard:
    tool = _row(ctx, name)
    rows = {r["criterion"]: r for r in ctx.store.query("SELECT * FROM tool_scores WHERE tool_id = ?", (tool["id"],))}
    prefill = fit_prefill(ctx, tool["name"])
    entries = []
    for c in CRITERIA:
        r = rows.get(c.key)
        details = json.loads(r["details"] or "{}") if r is not None else {}
        if c.key == "fit" and "profiles" not in details and prefill:
            details = {**details, "profiles": {k: fit_points(v) for k, v in prefill.items()}, "prefilled": True}
        entries.append(CriterionScore(
            criterion=c.key, label=c.label_en, score=r["score"] if r is not None else None,
            note=r["note"] if r is not None else "", details=details, knockout=c.knockout,
            updated_at=r["updated_at"] if r is not None else None, updated_by=r["updated_by"] if r is not None else "",
        ))
    scored = [e for e in entries if e.score is not None]
    return Scorecard(
        tool=tool["name"], entries=tuple(entries), total=sum(e.score or 0 for e in scored), max_total=3 * len(scored),
        knocked_out=tuple(e.criterion for e in scored if e.knockout and e.score == 0), fit_prefill=prefill,
    )


# --- writing ----------------------------------------------------------------------------------


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValidationError(f"status: expected one of {', '.join(STATUSES)}, got {status!r}")


def _need_text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"{what}: a rationale is required (why this decision?)")
    return text


def _check_quadrant(quadrant: str) -> str:
    quadrant = (quadrant or "").strip()
    if quadrant and quadrant not in QUADRANTS:
        raise ValidationError(f"quadrant: expected one of {'; '.join(QUADRANTS)}, got {quadrant!r}")
    return quadrant


def _log(db, tool_id: int, at: str, by: str, change: str, from_status, to_status, rationale: str,
         details: dict | None = None) -> None:
    db.execute(
        "INSERT INTO tool_history (tool_id, at, by, change, from_status, to_status, rationale, details)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (tool_id, at, by, change, from_status, to_status, rationale, json.dumps(details or {}, ensure_ascii=False)),
    )


def normalize_name(name: str | None) -> str:
    """A tool name as stored and looked up: one space between words, no bidi or zero-width characters."""
    return " ".join(strip_invisible(name or "").split())


def add_tool(ctx: ServiceContext, name: str, *, note: str, kind: str = "tool", quadrant: str = "",
             description: str = "", status: str = INITIAL, at: str | None = None) -> ToolCard:
    """Add a tool or trend to the register (editor). `at` backdates the entry (imports, demo seed)."""
    require_editor(ctx.user)
    name = normalize_name(name)
    if not name:
        raise ValidationError("name: must not be empty")
    if len(name) > MAX_NAME:
        raise ValidationError(f"name: at most {MAX_NAME} characters")
    if kind not in KINDS:
        raise ValidationError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    _check_status(status)
    quadrant = _check_quadrant(quadrant)
    note = _need_text(note, "note")
    at = at or now_iso()
    with ctx.store.write() as db:
        if db.execute("SELECT 1 FROM tools WHERE name = ?", (name,)).fetchone():
            raise ValidationError(f"tool {name!r}: already in the register")
        cur = db.execute(
            "INSERT INTO tools (name, kind, description, quadrant, status, created_at, created_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (name, kind, description.strip(), quadrant, status, at, ctx.user.name, at),
        )
        assert cur.lastrowid is not None  # an INSERT sets it
        _log(db, cur.lastrowid, at, ctx.user.name, "created", None, status, note,
             {"kind": kind, "quadrant": quadrant, "description": description.strip()})
    return get_card(ctx, name)


def set_status(ctx: ServiceContext, name: str, status: str, rationale: str, *, at: str | None = None,
               change: str = "status") -> ToolCard:
    """Record a decision: move a tool to `status` with a mandatory rationale (editor)."""
    require_editor(ctx.user)
    _check_status(status)
    rationale = _need_text(rationale, "rationale")
    at = at or now_iso()
    with ctx.store.write() as db:
        tool = db.execute("SELECT * FROM tools WHERE name = ?", (normalize_name(name),)).fetchone()
        if tool is None:
            raise NotFoundError(f"tool {name!r}: not in the register")
        current = tool["status"]
        if status == current:
            raise ValidationError(f"tool {tool['name']!r}: already {status}")
        if status not in TRANSITIONS[current]:
            raise ValidationError(
                f"tool {tool['name']!r}: cannot go from {current} to {status} "
                f"(allowed: {', '.join(TRANSITIONS[current])})"
            )
        if status in GATED:
            knocked = [r[0] for r in db.execute(
                f"SELECT criterion FROM tool_scores WHERE tool_id = ? AND score = 0 AND criterion IN "
                f"({','.join('?' * len(KNOCKOUTS))})", (tool["id"], *KNOCKOUTS),
            )]
            if knocked:
                raise ValidationError(
                    f"tool {tool['name']!r}: knocked out by {', '.join(sorted(knocked))} (score 0); "
                    f"fix the scorecard before {status}"
                )
        db.execute("UPDATE tools SET status = ?, updated_at = ? WHERE id = ?", (status, at, tool["id"]))
        _log(db, tool["id"], at, ctx.user.name, change, current, status, rationale)
    return get_card(ctx, name)


def update_tool(ctx: ServiceContext, name: str, *, note: str, description: str | None = None,
                quadrant: str | None = None, kind: str | None = None, at: str | None = None) -> ToolCard:
    """Edit description, quadrant or kind (editor); the change and its note go to history."""
    require_editor(ctx.user)
    note = _need_text(note, "note")
    tool = _row(ctx, name)
    changes = {}
    if description is not None and description.strip() != tool["description"]:
        changes["description"] = description.strip()
    if quadrant is not None and _check_quadrant(quadrant) != tool["quadrant"]:
        changes["quadrant"] = quadrant.strip()
    if kind is not None and kind != tool["kind"]:
        if kind not in KINDS:
            raise ValidationError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
        changes["kind"] = kind
    if not changes:
        return get_card(ctx, name)
    at = at or now_iso()
    with ctx.store.write() as db:
        sets = ", ".join(f"{k} = ?" for k in changes)
        db.execute(f"UPDATE tools SET {sets}, updated_at = ? WHERE id = ?", (*changes.values(), at, tool["id"]))
        before = {k: tool[k] for k in changes}
        _log(db, tool["id"], at, ctx.user.name, "edit", tool["status"], tool["status"], note,
             {"before": before, "after": changes})
    return get_card(ctx, name)


def set_score(ctx: ServiceContext, name: str, criterion_key: str, score: int | None, note: str,
              details: dict | None = None, *, at: str | None = None) -> Scorecard:
    """Score one criterion 0..3 (None clears it) with a note; the change goes to history (editor)."""
    require_editor(ctx.user)
    crit = criterion(criterion_key)
    if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 3):
        raise ValidationError(f"score: expected an integer 0-3, got {score!r}")
    note = _need_text(note, "note")
    details = _check_details(crit.key, details or {})
    tool = _row(ctx, name)
    at = at or now_iso()
    with ctx.store.write() as db:
        old = db.execute(
            "SELECT score, details FROM tool_scores WHERE tool_id = ? AND criterion = ?", (tool["id"], crit.key)
        ).fetchone()
        db.execute(
            """INSERT INTO tool_scores (tool_id, criterion, score, note, updated_at, updated_by, details)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (tool_id, criterion) DO UPDATE SET score = excluded.score, note = excluded.note,
                   updated_at = excluded.updated_at, updated_by = excluded.updated_by, details = excluded.details""",
            (tool["id"], crit.key, score, note, at, ctx.user.name, json.dumps(details, ensure_ascii=False)),
        )
        db.execute("UPDATE tools SET updated_at = ? WHERE id = ?", (at, tool["id"]))
        _log(db, tool["id"], at, ctx.user.name, "score", tool["status"], tool["status"], note, {
            "criterion": crit.key, "from": old["score"] if old else None, "to": score, "details": details,
        })
    return scorecard(ctx, name)


def _check_details(key: str, details: dict) -> dict:
    """Validate the structured part of a criterion (kept small: the note carries the reasoning)."""
    if not isinstance(details, dict):
        raise ValidationError("details: expected a mapping")
    if key == "maturity" and details.get("hype_stage") not in (None, *HYPE_STAGES):
        raise ValidationError(f"hype_stage: expected one of {', '.join(HYPE_STAGES)}, got {details['hype_stage']!r}")
    if key == "evidence" and details.get("ltem_level") is not None and details["ltem_level"] not in LTEM_LEVELS:
        raise ValidationError(f"ltem_level: expected 1-8, got {details['ltem_level']!r}")
    if key == "ai_act":
        bad = [u for u in details.get("annex_iii", []) if u not in ANNEX_III_USES]
        if bad:
            raise ValidationError(f"annex_iii: expected any of {', '.join(ANNEX_III_USES)}, got {bad}")
    if key == "fit":
        for profile, points in (details.get("profiles") or {}).items():
            if not isinstance(points, int) or not 0 <= points <= 3:
                raise ValidationError(f"fit.profiles.{profile}: expected an integer 0-3, got {points!r}")
    return details


def add_evidence(ctx: ServiceContext, name: str, article_id: str, note: str = "", *, at: str | None = None) -> bool:
    """Link an article as evidence for a tool (editor). Returns False if it was already linked."""
    require_editor(ctx.user)
    tool = _row(ctx, name)
    article = ctx.store.one("SELECT id, title FROM articles WHERE id = ?", (article_id,))
    if article is None:
        raise NotFoundError(f"article {article_id!r}: not found")
    at = at or now_iso()
    with ctx.store.write() as db:
        cur = db.execute(
            "INSERT OR IGNORE INTO tool_evidence (tool_id, article_id, note, added_at, added_by) VALUES (?,?,?,?,?)",
            (tool["id"], article_id, note.strip(), at, ctx.user.name),
        )
        if cur.rowcount == 0:
            return False
        _log(db, tool["id"], at, ctx.user.name, "evidence", tool["status"], tool["status"],
             note.strip() or f"Evidence linked: {article['title']}", {"article_id": article_id,
                                                                        "title": article["title"]})
    return True


# --- suggestions ------------------------------------------------------------------------------

_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’+\-]*"
_SEQUENCE = re.compile(rf"\b{_CAP}(?:[ ]+(?:{_CAP}|\d+))+")
_CAMEL = re.compile(r"\b[A-Za-z]+[a-z][A-Z][\w]*|\b[A-Z]{2,}[a-z][\w]*")
_EDGE_WORDS = {
    "a", "an", "the", "how", "why", "what", "when", "where", "who", "new", "our", "your", "in", "on", "with", "for",
    "and", "or", "of", "to", "is", "are", "this", "that", "these", "from", "by", "at", "as", "after", "before",
    "le", "la", "les", "un", "une", "des", "du", "de", "et", "au", "aux", "comment", "pourquoi", "quand", "avec",
    "pour", "sur", "dans", "ce", "cette", "nouveau", "nouvelle", "via", "report", "study", "news", "update",
}


def extract_names(text: str) -> set[str]:
    """Capitalised multi-word names and CamelCase product names in a text (edges stripped of common words)."""
    names: set[str] = set()
    for match in _SEQUENCE.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower().strip("'’") in _EDGE_WORDS:
            words.pop(0)
        while words and (words[-1].lower() in _EDGE_WORDS):
            words.pop()
        if len(words) >= 2 or (len(words) == 1 and _CAMEL.fullmatch(words[0])):
            names.add(" ".join(words))
    for match in _CAMEL.finditer(text):
        if not any(match.group(0) in n for n in names):
            names.add(match.group(0))
    return names


def suggest_signals(ctx: ServiceContext, limit: int = 15, *, min_score: float = 0.5, min_articles: int = 3,
                    scan: int = 400) -> list[Suggestion]:
    """Names recurring in the `scan` best-scored articles (any profile) that the register does not hold yet."""
    rows = ctx.store.query(
        "SELECT article_id, score FROM scores WHERE score >= ? ORDER BY score DESC LIMIT ?", (min_score, scan * 4)
    )
    best: dict[str, float] = {}
    for r in rows:
        if r[0] not in best:
            best[r[0]] = r[1]
        if len(best) >= scan:
            break
    if not best:
        return []
    marks = ",".join("?" * len(best))
    articles = ctx.store.query(
        f"SELECT id, title, substr(summary_text, 1, 400) AS summary FROM articles WHERE id IN ({marks})", list(best)
    )
    known = [n.lower() for n in tool_names(ctx)]
    ignore = {(r[0] or "").lower() for r in ctx.store.query("SELECT title FROM feeds")}
    ignore |= {t.label.lower() for t in getattr(ctx.settings, "topics", ())}
    counts: Counter[str] = Counter()
    seen_in: dict[str, list[str]] = defaultdict(list)
    canonical: dict[str, str] = {}
    for a in articles:
        for name in extract_names(f"{a['title']}. {a['summary']}"):
            key = name.lower()
            if key in ignore or any(key in k or k in key for k in known):
                continue
            canonical.setdefault(key, name)
            counts[key] += 1
            seen_in[key].append(a["id"])
    out = []
    frequent = [k for k, n in counts.items() if n >= min_articles]
    for key, n in counts.most_common():
        if n < min_articles:
            break
        if any(other != key and key.startswith(other + " ") and counts[other] >= n for other in frequent):
            continue  # "SafeSim Reality VR" when "SafeSim Reality" is at least as frequent
        ids = seen_in[key]
        mean = sum(best[i] for i in ids) / len(ids)
        out.append(Suggestion(name=canonical[key], articles=n, mean_score=round(mean, 3), article_ids=tuple(ids[:5]),
                              quadrant=quadrant_of_articles(ctx, ids[:50])))
    out.sort(key=lambda s: (-s.articles, -s.mean_score, s.name))
    return out[:limit]


def quadrant_of_articles(ctx: ServiceContext, article_ids: list[str]) -> str:
    """The radar quadrant most of these articles' topics belong to ('' when unknown)."""
    if not article_ids:
        return ""
    topic_quadrant = {t.key: t.quadrant for t in getattr(ctx.settings, "topics", ()) if t.quadrant}
    marks = ",".join("?" * len(article_ids))
    votes: Counter[str] = Counter()
    for r in ctx.store.query(
        f"SELECT topic_key, COUNT(*) FROM article_topics WHERE article_id IN ({marks}) GROUP BY topic_key",
        article_ids,
    ):
        if topic_quadrant.get(r[0]) in QUADRANTS:
            votes[topic_quadrant[r[0]]] += r[1]
    return votes.most_common(1)[0][0] if votes else ""
