"""The tool & trend register: lanes, status decisions with rationale, scorecards, evidence, suggestions.

The statuses, their lifecycle and labels are defined once, in :mod:`ui.services.statuses`: a decision always
needs a rationale, history is append-only (SQL triggers), and moving to `trial` or `adopted` is refused while a
knock-out criterion of the scorecard scores 0.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from config.errors import NotFoundError, Term, ValidationError, terms
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
from watcher.store import tools as tools_store

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
        (
            "none, or the vendor's claims only",
            "learners' perceptions (satisfaction, surveys)",
            "knowledge or competence measured",
            "transfer to the job or business results",
        ),
        (
            "aucune, ou les seules allégations du fournisseur",
            "perceptions des apprenants (satisfaction, enquêtes)",
            "connaissances ou compétences mesurées",
            "transfert en situation de travail ou résultats",
        ),
    ),
    Criterion(
        "fit", "Fit per learner profile", "Adéquation aux publics",
        "Fit with each learner profile, prefilled from the scores of linked evidence articles; edit per profile.",
        "Adéquation à chaque public, pré-remplie d'après les scores des articles liés ; modifiable par public.",
        False,
        (
            "fits none of our learner profiles",
            "fits a few learners of one profile",
            "fits one profile well",
            "fits several profiles well",
        ),
        (
            "ne convient à aucun de nos publics",
            "convient à quelques apprenants d'un public",
            "convient bien à un public",
            "convient bien à plusieurs publics",
        ),
    ),
    Criterion(
        "cost", "Cost & value", "Coût et valeur",
        "Licence, content and support costs against the expected value. 0 unaffordable, 3 clearly worth it.",
        "Coûts de licence, de contenus et de support au regard de la valeur attendue.",
        False,
        ("unaffordable", "costly for the value expected", "fair value", "clearly worth it"),
        ("hors budget", "cher pour la valeur attendue", "rapport coût/valeur correct", "vaut clairement son coût"),
    ),
    Criterion(
        "accessibility", "Accessibility (WCAG/RGAA)", "Accessibilité (WCAG/RGAA)",
        "Conformance with WCAG 2.1 AA / RGAA. 0 (knock-out): inaccessible with no remediation plan.",
        "Conformité WCAG 2.1 AA / RGAA. 0 (éliminatoire) : inaccessible sans plan de mise en conformité.",
        True,
        (
            "inaccessible, no remediation plan (knock-out)",
            "major gaps, with a dated remediation plan",
            "minor gaps, mostly WCAG 2.1 AA",
            "WCAG 2.1 AA / RGAA conformant, audited",
        ),
        (
            "inaccessible, sans plan de mise en conformité (éliminatoire)",
            "lacunes importantes, plan de mise en conformité daté",
            "lacunes mineures, WCAG 2.1 AA pour l'essentiel",
            "conforme WCAG 2.1 AA / RGAA, audité",
        ),
    ),
    Criterion(
        "data_protection", "Data protection (GDPR)", "Protection des données (RGPD)",
        "Data collected, hosting location, retention, DPA signed. 0 (knock-out): unlawful or unknown processing.",
        "Données collectées, hébergement, durée de conservation, contrat de sous-traitance. 0 (éliminatoire) : "
        "traitement illicite ou inconnu.",
        True,
        (
            "unlawful or unknown processing (knock-out)",
            "gaps to close (no DPA yet, hosting outside the EU)",
            "compliant, minor questions open",
            "compliant: DPA signed, EU hosting, retention set",
        ),
        (
            "traitement illicite ou inconnu (éliminatoire)",
            "écarts à combler (pas encore de contrat, hébergement hors UE)",
            "conforme, questions mineures en suspens",
            "conforme, contrat signé, hébergement UE, durée de conservation fixée",
        ),
    ),
    Criterion(
        "ai_act", "EU AI Act exposure", "Exposition à l'AI Act",
        "Does it grade, place, assess level or proctor learners (Annex III high-risk)? Transparency and "
        "AI-literacy duties? 3 no exposure, 1 high-risk with measures, 0 (knock-out) high-risk without measures.",
        "Note-t-il, oriente-t-il, évalue-t-il le niveau ou surveille-t-il les apprenants (annexe III, haut "
        "risque) ? Obligations de transparence et de maîtrise de l'IA ? 0 (éliminatoire) : haut risque sans mesures.",
        True,
        (
            "high-risk use without measures (knock-out)",
            "high-risk use with measures in place",
            "transparency or AI-literacy duties only",
            "no exposure",
        ),
        (
            "usage à haut risque sans mesures (éliminatoire)",
            "usage à haut risque, mesures en place",
            "obligations de transparence ou de maîtrise de l'IA seulement",
            "aucune exposition",
        ),
    ),
    Criterion(
        "maturity", "Maturity & hype stage", "Maturité et cycle du hype",
        "Hype stage (trigger, peak, trough, slope, plateau); what the press claims vs our ring.",
        "Étape du cycle (déclencheur, pic, creux, pente, plateau) ; ce qu'annonce la presse vs notre anneau.",
        False,
        (
            "idea or prototype (trigger)",
            "peak of hype, few real users",
            "proven in some organisations (slope)",
            "mainstream and stable (plateau)",
        ),
        (
            "idée ou prototype (déclencheur)",
            "pic du hype, peu d'utilisateurs réels",
            "éprouvé dans quelques organisations (pente)",
            "courant et stable (plateau)",
        ),
    ),
    Criterion(
        "fr_compliance", "French compliance & funding", "Conformité et financement (France)",
        "Fits Qualiopi evidence; fundable through CPF / OPCO.",
        "Compatible avec les preuves Qualiopi ; finançable par le CPF / les OPCO.",
        False,
        (
            "no Qualiopi evidence, not fundable",
            "fundable or Qualiopi-ready only with work",
            "fits Qualiopi, partly fundable",
            "Qualiopi evidence ready, fundable through CPF / OPCO",
        ),
        (
            "aucune preuve Qualiopi, non finançable",
            "finançable ou compatible Qualiopi au prix d'un travail",
            "compatible Qualiopi, en partie finançable",
            "preuves Qualiopi prêtes, finançable par le CPF / les OPCO",
        ),
    ),
)
CRITERION_KEYS = tuple(c.key for c in CRITERIA)
KNOCKOUTS = tuple(c.key for c in CRITERIA if c.knockout)


def criterion(key: str) -> Criterion:
    for c in CRITERIA:
        if c.key == key:
            return c
    raise ValidationError(f"criterion: expected one of {', '.join(CRITERION_KEYS)}, got {key!r}",
                          key="err.criterion.unknown", allowed=terms("term.criterion", CRITERION_KEYS), got=str(key))


# --- reading ----------------------------------------------------------------------------------

def _card(summary: tools_store.ToolSummary) -> ToolCard:
    t = summary.tool
    return ToolCard(
        id=t.id, name=t.name, kind=t.kind, description=t.description, quadrant=t.quadrant, status=t.status,
        created_at=t.created_at, created_by=t.created_by, updated_at=t.updated_at,
        last_rationale=summary.last_rationale, evidence_count=summary.evidence_count,
        score_total=summary.score_total, score_max=summary.score_max, knocked_out=summary.knocked_out,
        criteria_scored=summary.score_max // 3,
        criteria_applicable=len(CRITERIA) - len(set(summary.not_applicable) & set(CRITERION_KEYS)),
    )


def tool_row(ctx: ServiceContext, name: str) -> tools_store.Tool:
    """The register row of `name` (NotFoundError when it is not in the register)."""
    tool = tools_store.by_name(ctx.store, normalize_name(name))
    if tool is None:
        raise NotFoundError(f"tool {name!r}: not in the register", key="err.tool.not_found", tool=name)
    return tool


def list_tools(ctx: ServiceContext, status: str | None = None, kind: str | None = None) -> list[ToolCard]:
    """Register cards, ordered by lane then most recently changed."""
    if status:
        _check_status(status)
    return [_card(s) for s in tools_store.summaries(ctx.store, KNOCKOUTS, status=status or None, kind=kind or None,
                                                    order=STATUSES)]


def lanes(ctx: ServiceContext) -> dict[str, list[ToolCard]]:
    out: dict[str, list[ToolCard]] = {s: [] for s in STATUSES}
    for card in list_tools(ctx):
        out.setdefault(card.status, []).append(card)
    return out


def tool_names(ctx: ServiceContext) -> list[str]:
    return tools_store.names(ctx.store)


def get_card(ctx: ServiceContext, name: str) -> ToolCard:
    found = tools_store.summaries(ctx.store, KNOCKOUTS, name=normalize_name(name))
    if not found:
        raise NotFoundError(f"tool {name!r}: not in the register", key="err.tool.not_found", tool=name)
    return _card(found[0])


def get_tool(ctx: ServiceContext, name: str) -> ToolDetail:
    card = get_card(ctx, name)
    return ToolDetail(
        card=card, history=tuple(history(ctx, card.name)), scorecard=scorecard(ctx, card.name),
        evidence=tuple(evidence(ctx, card.name)), allowed_next=TRANSITIONS.get(card.status, ()),
    )


def _history_entry(row: tools_store.HistoryRow) -> HistoryEntry:
    return HistoryEntry(
        id=row.id, tool=row.tool, at=row.at, by=row.by, change=row.change, from_status=row.from_status,
        to_status=row.to_status, rationale=row.rationale, details=row.details,
    )


def history(ctx: ServiceContext, name: str | None = None, since: str | None = None,
            until: str | None = None) -> list[HistoryEntry]:
    """History rows, oldest first; `since`/`until` are ISO date(-time) strings (until exclusive)."""
    tool_id = tool_row(ctx, name).id if name is not None else None
    return [_history_entry(r) for r in tools_store.history(ctx.store, tool_id, since, until)]


def evidence(ctx: ServiceContext, name: str) -> list[EvidenceRef]:
    tool_id = tool_row(ctx, name).id
    return evidence_for_ids(ctx, [tool_id]).get(tool_id, [])


def evidence_for_ids(ctx: ServiceContext, tool_ids: list[int]) -> dict[int, list[EvidenceRef]]:
    """Linked evidence per tool id (articles removed by retention keep their note, shown untitled)."""
    out: dict[int, list[EvidenceRef]] = defaultdict(list)
    for r in tools_store.evidence(ctx.store, tool_ids):
        out[r.tool_id].append(EvidenceRef(
            article_id=r.article_id, title=r.title or "(article no longer stored)", url=r.url,
            feed_title=r.feed_title or r.feed_url or "", published=r.published or "",
            note=r.note, added_at=r.added_at, added_by=r.added_by,
        ))
    return out


def fit_prefill(ctx: ServiceContext, name: str) -> dict[str, float]:
    """Mean profile score of the tool's linked evidence articles: the starting point of the fit criterion."""
    means = tools_store.evidence_score_means(ctx.store, tool_row(ctx, name).id)
    return {k: round(v, 3) for k, v in means.items()}


def fit_points(mean_score: float) -> int:
    """Map a 0..1 relevance score to 0..3 scorecard points."""
    return max(0, min(3, int(mean_score * 4)))


def _profile_names(ctx: ServiceContext) -> dict[str, str]:
    from ui.services.profiles import list_profiles

    return {p.key: p.name for p in list_profiles(ctx)}


def scorecard(ctx: ServiceContext, name: str) -> Scorecard:
    """One tool's scorecard. `total` out of `points_max` (3 × the criteria that apply, scored or not) compares
    across tools; `max_total` (3 × the criteria scored) is the CLI's historical yardstick."""
    tool = tool_row(ctx, name)
    rows = tools_store.scores(ctx.store, tool.id)
    prefill = fit_prefill(ctx, tool.name)
    entries = []
    for c in CRITERIA:
        r = rows.get(c.key)
        details = r.details if r is not None else {}
        if c.key == "fit" and "profiles" not in details and prefill:
            details = {**details, "profiles": {k: fit_points(v) for k, v in prefill.items()}, "prefilled": True}
        entries.append(CriterionScore(
            criterion=c.key, label=c.label_en, score=r.score if r is not None else None,
            note=r.note if r is not None else "", details=details, knockout=c.knockout,
            updated_at=r.updated_at if r is not None else None, updated_by=r.updated_by if r is not None else "",
            applies=not (r is not None and r.score is None and details.get("applies") is False),
        ))
    scored = [e for e in entries if e.score is not None]
    names = _profile_names(ctx)
    profiles = set(prefill) | set(next(e for e in entries if e.criterion == "fit").details.get("profiles") or {})
    return Scorecard(
        tool=tool.name, entries=tuple(entries), total=sum(e.score or 0 for e in scored), max_total=3 * len(scored),
        knocked_out=tuple(e.criterion for e in scored if e.knockout and e.score == 0), fit_prefill=prefill,
        scored=len(scored), applicable=sum(e.applies for e in entries),
        profile_names={k: names.get(k, k) for k in sorted(profiles | set(names), key=lambda k: names.get(k, k))},
    )


# --- writing ----------------------------------------------------------------------------------


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValidationError(f"status: expected one of {', '.join(STATUSES)}, got {status!r}",
                              key="err.status.unknown", allowed=terms("status", STATUSES), got=str(status))


def _need_text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"{what}: a rationale is required (why this decision?)", key="err.rationale_required",
                              field=Term("term.field", what))
    return text


def _check_quadrant(quadrant: str) -> str:
    quadrant = (quadrant or "").strip()
    if quadrant and quadrant not in QUADRANTS:
        raise ValidationError(f"quadrant: expected one of {'; '.join(QUADRANTS)}, got {quadrant!r}",
                              key="err.quadrant.unknown", allowed=terms("quadrant", QUADRANTS), got=quadrant)
    return quadrant


def normalize_name(name: str | None) -> str:
    """A tool name as stored and looked up: one space between words, no bidi or zero-width characters."""
    return " ".join(strip_invisible(name or "").split())


def add_tool(ctx: ServiceContext, name: str, *, note: str, kind: str = "tool", quadrant: str = "",
             description: str = "", status: str = INITIAL, at: str | None = None) -> ToolCard:
    """Add a tool or trend to the register (editor). `at` backdates the entry (imports, demo seed)."""
    require_editor(ctx.user)
    name = normalize_name(name)
    if not name:
        raise ValidationError("name: must not be empty", key="err.tool.name_empty")
    if len(name) > MAX_NAME:
        raise ValidationError(f"name: at most {MAX_NAME} characters", key="err.tool.name_long", max=MAX_NAME)
    if kind not in KINDS:
        raise ValidationError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}", key="err.kind.unknown",
                              allowed=terms("kind", KINDS), got=str(kind))
    _check_status(status)
    quadrant = _check_quadrant(quadrant)
    note = _need_text(note, "note")
    at = at or now_iso()
    with ctx.store.write():
        if tools_store.by_name(ctx.store, name) is not None:
            raise ValidationError(f"tool {name!r}: already in the register", key="err.tool.exists", tool=name)
        tool_id = tools_store.insert(ctx.store, name, kind, description.strip(), quadrant, status, at, ctx.user.name)
        tools_store.log(ctx.store, tool_id, at, ctx.user.name, "created", None, status, note,
                        {"kind": kind, "quadrant": quadrant, "description": description.strip()})
    return get_card(ctx, name)


def set_status(ctx: ServiceContext, name: str, status: str, rationale: str, *, at: str | None = None,
               change: str = "status") -> ToolCard:
    """Record a decision: move a tool to `status` with a mandatory rationale (editor)."""
    require_editor(ctx.user)
    _check_status(status)
    rationale = _need_text(rationale, "rationale")
    at = at or now_iso()
    with ctx.store.write():
        tool = tool_row(ctx, name)
        current = tool.status
        if status == current:
            raise ValidationError(f"tool {tool.name!r}: already {status}", key="err.tool.already", tool=tool.name,
                                  status=Term("status", status))
        if status not in TRANSITIONS[current]:
            raise ValidationError(
                f"tool {tool.name!r}: cannot go from {current} to {status} "
                f"(allowed: {', '.join(TRANSITIONS[current])})",
                key="err.tool.transition", tool=tool.name, current=Term("status", current),
                status=Term("status", status), allowed=terms("status", TRANSITIONS[current]),
            )
        if status in GATED:
            knocked = tools_store.zero_scored(ctx.store, tool.id, KNOCKOUTS)
            if knocked:
                raise ValidationError(
                    f"tool {tool.name!r}: knocked out by {', '.join(sorted(knocked))} (score 0); "
                    f"fix the scorecard before {status}",
                    key="err.tool.knocked_out", tool=tool.name, criteria=terms("term.criterion", sorted(knocked)),
                    status=Term("status", status),
                )
        tools_store.set_status(ctx.store, tool.id, status, at)
        tools_store.log(ctx.store, tool.id, at, ctx.user.name, change, current, status, rationale)
    return get_card(ctx, name)


def update_tool(ctx: ServiceContext, name: str, *, note: str, description: str | None = None,
                quadrant: str | None = None, kind: str | None = None, at: str | None = None) -> ToolCard:
    """Edit description, quadrant or kind (editor); the change and its note go to history."""
    require_editor(ctx.user)
    note = _need_text(note, "note")
    tool = tool_row(ctx, name)
    changes = {}
    if description is not None and description.strip() != tool.description:
        changes["description"] = description.strip()
    if quadrant is not None and _check_quadrant(quadrant) != tool.quadrant:
        changes["quadrant"] = quadrant.strip()
    if kind is not None and kind != tool.kind:
        if kind not in KINDS:
            raise ValidationError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}", key="err.kind.unknown",
                                  allowed=terms("kind", KINDS), got=str(kind))
        changes["kind"] = kind
    if not changes:
        return get_card(ctx, name)
    at = at or now_iso()
    with ctx.store.write():
        tools_store.update(ctx.store, tool.id, changes, at)
        before = {k: getattr(tool, k) for k in changes}
        tools_store.log(ctx.store, tool.id, at, ctx.user.name, "edit", tool.status, tool.status, note,
                        {"before": before, "after": changes})
    return get_card(ctx, name)


def set_score(ctx: ServiceContext, name: str, criterion_key: str, score: int | None, note: str,
              details: dict | None = None, *, applies: bool = True, at: str | None = None) -> Scorecard:
    """Score one criterion 0..3 (None clears it) with a note; the change goes to history (editor).
    `applies=False` marks the criterion "does not apply" to this tool (no score): it then leaves the yardstick
    (`Scorecard.points_max`) that totals are compared on."""
    require_editor(ctx.user)
    crit = criterion(criterion_key)
    if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 3):
        raise ValidationError(f"score: expected an integer 0-3, got {score!r}", key="err.score.range",
                              got=str(score))
    if not applies and score is not None:
        raise ValidationError(f"{crit.key}: a criterion that does not apply has no score",
                              key="err.score.not_applicable", criterion=Term("term.criterion", crit.key))
    note = _need_text(note, "note")
    details = {k: v for k, v in _check_details(crit.key, details or {}).items() if k != "applies"}
    if not applies:
        details["applies"] = False
    tool = tool_row(ctx, name)
    at = at or now_iso()
    with ctx.store.write():
        old = tools_store.put_score(ctx.store, tool.id, crit.key, score, note, at, ctx.user.name, details)
        tools_store.log(ctx.store, tool.id, at, ctx.user.name, "score", tool.status, tool.status, note, {
            "criterion": crit.key, "from": old, "to": score, "details": details,
        })
    return scorecard(ctx, name)


def _check_details(key: str, details: dict) -> dict:
    """Validate the structured part of a criterion (kept small: the note carries the reasoning)."""
    if not isinstance(details, dict):
        raise ValidationError("details: expected a mapping", key="err.score.details")
    if key == "maturity" and details.get("hype_stage") not in (None, *HYPE_STAGES):
        raise ValidationError(f"hype_stage: expected one of {', '.join(HYPE_STAGES)}, got {details['hype_stage']!r}",
                              key="err.score.hype_stage", allowed=terms("term.hype", HYPE_STAGES),
                              got=str(details["hype_stage"]))
    if key == "evidence" and details.get("ltem_level") is not None and details["ltem_level"] not in LTEM_LEVELS:
        raise ValidationError(f"ltem_level: expected 1-8, got {details['ltem_level']!r}", key="err.score.ltem",
                              got=str(details["ltem_level"]))
    if key == "ai_act":
        bad = [u for u in details.get("annex_iii", []) if u not in ANNEX_III_USES]
        if bad:
            raise ValidationError(f"annex_iii: expected any of {', '.join(ANNEX_III_USES)}, got {bad}",
                                  key="err.score.annex_iii", allowed=terms("term.annex", ANNEX_III_USES),
                                  got=", ".join(map(str, bad)))
    if key == "fit":
        for profile, points in (details.get("profiles") or {}).items():
            if not isinstance(points, int) or not 0 <= points <= 3:
                raise ValidationError(f"fit.profiles.{profile}: expected an integer 0-3, got {points!r}",
                                      key="err.score.fit", profile=str(profile), got=str(points))
    return details


def add_evidence(ctx: ServiceContext, name: str, article_id: str, note: str = "", *, at: str | None = None) -> bool:
    """Link an article as evidence for a tool (editor). Returns False if it was already linked."""
    require_editor(ctx.user)
    tool = tool_row(ctx, name)
    title = tools_store.article_title(ctx.store, article_id)
    if title is None:
        raise NotFoundError(f"article {article_id!r}: not found", key="err.article.not_found", article=article_id)
    at = at or now_iso()
    with ctx.store.write():
        if not tools_store.link_evidence(ctx.store, tool.id, article_id, note.strip(), at, ctx.user.name):
            return False
        tools_store.log(ctx.store, tool.id, at, ctx.user.name, "evidence", tool.status, tool.status,
                        note.strip() or f"Evidence linked: {title}", {"article_id": article_id, "title": title})
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


# A suggested signal is a named product, method or practice: never a date, a law or an article number.
_MONTHS = frozenset("""january february march april may june july august september october november december
janvier fevrier février mars avril mai juin juillet aout août septembre octobre novembre decembre décembre""".split())
_LAW_WORDS = frozenset("""act acts law laws bill regulation regulations directive directives article articles art
loi lois décret decret décrets decrets règlement reglement ordonnance code arrêté arrete""".split())
_YEAR = re.compile(r"(?:19|20)\d\d")


def _is_product_like(name: str) -> bool:
    words = [w.lower().strip(".,;:()") for w in name.split()]
    if any(w in _MONTHS or w in _LAW_WORDS for w in words):
        return False
    return not (words and _YEAR.fullmatch(words[-1]))


def extract_names(text: str) -> set[str]:
    """Capitalised multi-word names and CamelCase product names in a text (edges stripped of common words);
    dates, laws and article numbers ("February 2025", "EU AI Act", "Article 4") are left out."""
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
    return {n for n in names if _is_product_like(n)}


def suggest_signals(ctx: ServiceContext, limit: int = 15, *, min_score: float = 0.5, min_articles: int = 3,
                    scan: int = 400, min_sources: int = 2) -> list[Suggestion]:
    """Names recurring in the `scan` best-scored articles (any profile) from at least `min_sources` feeds that the
    register does not hold yet; each says why (articles, sources, mean score, its best article)."""
    best = tools_store.best_scored(ctx.store, min_score, scan)
    if not best:
        return []
    articles = tools_store.snippets(ctx.store, list(best))
    known = [n.lower() for n in tool_names(ctx)]
    ignore = {title.lower() for title in tools_store.feed_titles(ctx.store)}
    ignore |= {t.label.lower() for t in getattr(ctx.settings, "topics", ())}
    counts: Counter[str] = Counter()
    seen_in: dict[str, list[str]] = defaultdict(list)
    canonical: dict[str, str] = {}
    for a in articles:
        for name in extract_names(f"{a.title}. {a.summary}"):
            key = name.lower()
            if key in ignore or any(key in k or k in key for k in known):
                continue
            canonical.setdefault(key, name)
            counts[key] += 1
            seen_in[key].append(a.id)
    out = []
    feeds = tools_store.feeds_of(ctx.store, [i for ids in seen_in.values() for i in ids])
    titles = {a.id: a.title for a in articles}
    frequent = [k for k, n in counts.items() if n >= min_articles]
    for key, n in counts.most_common():
        if n < min_articles:
            break
        if any(other != key and key.startswith(other + " ") and counts[other] >= n for other in frequent):
            continue  # "SafeSim Reality VR" when "SafeSim Reality" is at least as frequent
        ids = seen_in[key]
        sources = len(set().union(*(feeds.get(i, set()) for i in ids)))
        if sources < min_sources:
            continue  # one outlet repeating a name is not a trend
        mean = sum(best[i] for i in ids) / len(ids)
        top = max(ids, key=lambda i: best[i])
        out.append(Suggestion(name=canonical[key], articles=n, mean_score=round(mean, 3), article_ids=tuple(ids[:5]),
                              quadrant=quadrant_of_articles(ctx, ids[:50]), sources=sources,
                              example=titles.get(top, "")))
    out.sort(key=lambda s: (-s.articles, -s.mean_score, s.name))
    return out[:limit]


def quadrant_of_articles(ctx: ServiceContext, article_ids: list[str]) -> str:
    """The radar quadrant most of these articles' topics belong to ('' when unknown)."""
    if not article_ids:
        return ""
    topic_quadrant = {t.key: t.quadrant for t in getattr(ctx.settings, "topics", ()) if t.quadrant}
    votes: Counter[str] = Counter()
    for topic_key, n in tools_store.topic_counts(ctx.store, article_ids).items():
        if topic_quadrant.get(topic_key) in QUADRANTS:
            votes[topic_quadrant[topic_key]] += n
    return votes.most_common(1)[0][0] if votes else ""
