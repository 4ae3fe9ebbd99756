"""Briefings for management, printable HTML laid out for A4 (PDF from the browser), in English or French:

- the one-page brief of a card: what it is, its dossier in five lines, the scorecard, the decision and its
  rationale, the trial;
- the quarterly briefing across the register: the radar as an image, moves on it, decisions, trials, what is
  rising.

Standalone pages: inline CSS and SVG, no script, no external resource; every value escaped.
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from config import clock
from config.errors import ValidationError
from ui.i18n import format_percent, kind_label, quadrant_label, translate
from ui.services import dossier as dossier_service
from ui.services import statuses
from ui.services import tools as register
from ui.services.context import ServiceContext
from ui.services.veille_log import CSP

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2430;margin:1.2rem auto;
max-width:48rem;line-height:1.35;padding:0 1rem;font-size:14px}
h1{font-size:1.4rem;margin:0 0 .1rem}h2{font-size:1rem;margin:.8rem 0 .25rem;color:#2b5d8a;
border-bottom:2px solid #2b5d8a;padding-bottom:.1rem}
.meta{color:#555;font-size:.85em}.lead{background:#f2f6fa;border-left:4px solid #2b5d8a;padding:.35rem .6rem}
ul{margin:.15rem 0;padding-left:1.1rem}li{margin:.05rem 0}
table{border-collapse:collapse;width:100%;font-size:.85em;table-layout:fixed}
th,td{border:1px solid #c9d2dc;padding:.12rem .3rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#e8eef4}td.num{text-align:right;width:4.5rem}.radar svg{width:100%;height:auto;max-height:150mm}
@page{size:A4;margin:10mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:9pt;line-height:1.22}table{font-size:8pt}
h2{break-after:avoid;font-size:10pt;margin-top:6pt}tr,li{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""

WORDS = {
    "en": {
        "brief": "Brief", "what": "What it is", "dossier": "The dossier in five lines", "scorecard": "Scorecard",
        "decision": "Decision", "trial": "Trial", "no_trial": "No trial recorded.",
        "trial_plan": "Owner {owner}; review on {review}; KPI: {kpi}; LTEM level {ltem} targeted; profiles: "
                      "{profiles}.", "trial_open": "The trial is running.", "doc.dpia": "DPIA",
        "doc.contract": "vendor contract", "doc.pilot_report": "pilot report", "doc.other": "document",
        "articles": "{n} articles about it: {kinds}.", "no_articles": "No article about it yet.",
        "stance": "Stance: {p} promotional, {n} neutral, {c} critical.",
        "evidence": "Strongest independent evidence: {key} (LTEM tier {ltem}, Kirkpatrick level {kp}).",
        "no_evidence": "No independent evidence found yet.",
        "claim": "Vendor claim: “{claim}”.", "no_claim": "No quantified vendor claim.",
        "stage": "Suggested stage: {stage} ({reason}).",
        "criterion": "Criterion", "score": "Score", "note": "Note", "not_scored": "not scored",
        "not_applicable": "does not apply", "total": "Total: {total} of {max} points over {n} criteria scored.",
        "status": "Status: {status}.", "rationale": "Rationale: {text}", "by": "{at}, by {by}.",
        "no_decision": "No decision recorded yet.", "quarter": "Quarterly briefing", "radar": "The radar",
        "moves": "Moves on the radar", "no_moves": "No move this quarter.", "decisions": "Decisions",
        "n_decisions": "{n} decisions this quarter.", "trials": "Trials", "no_trials": "No card in trial.",
        "rising": "What is rising", "no_rising": "Nothing stands out this quarter.",
        "suggested": "{name}: {n} highly scored articles, mean score", "generated": "Generated {at}",
        "period": "{a} to {b}",
        "stage.trigger": "trigger", "stage.peak": "peak of expectations", "stage.trough": "trough",
        "stage.slope": "slope", "stage.plateau": "plateau", "stage.unknown": "unknown",
    },
    "fr": {
        "brief": "Fiche", "what": "De quoi s’agit-il", "dossier": "Le dossier en cinq lignes",
        "scorecard": "Grille d’évaluation", "decision": "Décision", "trial": "Essai",
        "no_trial": "Aucun essai enregistré.",
        "trial_plan": "Responsable {owner}\u00a0; revue le {review}\u00a0; indicateur\u00a0: {kpi}\u00a0; niveau LTEM "
                      "visé {ltem}\u00a0; profils\u00a0: {profiles}.", "trial_open": "L’essai est en cours.",
        "doc.dpia": "AIPD", "doc.contract": "contrat fournisseur", "doc.pilot_report": "rapport de pilote",
        "doc.other": "document",
        "articles": "{n} articles en parlent\u00a0: {kinds}.", "no_articles": "Aucun article pour l’instant.",
        "stance": "Ton\u00a0: {p} promotionnels, {n} neutres, {c} critiques.",
        "evidence": "Meilleure preuve indépendante\u00a0: {key} (niveau LTEM {ltem}, niveau Kirkpatrick {kp}).",
        "no_evidence": "Aucune preuve indépendante pour l’instant.",
        "claim": "Promesse du fournisseur\u00a0: «\u00a0{claim}\u00a0».",
        "no_claim": "Aucune promesse chiffrée du fournisseur.",
        "stage": "Phase suggérée\u00a0: {stage} ({reason}).",
        "criterion": "Critère", "score": "Note", "note": "Commentaire", "not_scored": "non noté",
        "not_applicable": "sans objet", "total": "Total\u00a0: {total} sur {max} points, {n} critères notés.",
        "status": "Statut\u00a0: {status}.", "rationale": "Motif\u00a0: {text}", "by": "{at}, par {by}.",
        "no_decision": "Aucune décision pour l’instant.", "quarter": "Point trimestriel", "radar": "Le radar",
        "moves": "Mouvements sur le radar", "no_moves": "Aucun mouvement ce trimestre.", "decisions": "Décisions",
        "n_decisions": "{n} décisions ce trimestre.", "trials": "Essais", "no_trials": "Aucune fiche en essai.",
        "rising": "Ce qui monte", "no_rising": "Rien ne se détache ce trimestre.",
        "suggested": "{name}\u00a0: {n} articles bien notés, note moyenne", "generated": "Produit le {at}",
        "period": "du {a} au {b}",
        "stage.trigger": "déclencheur", "stage.peak": "pic des attentes", "stage.trough": "creux",
        "stage.slope": "pente", "stage.plateau": "plateau", "stage.unknown": "inconnue",
        "reason.few": "{total:.0f} articles, trop peu pour conclure",
        "reason.first": "premières mentions, surtout promotionnelles ({promo})",
        "reason.highest": "mentions au plus haut, {promo} promotionnelles",
        "reason.steady": "mentions régulières, {neutral} neutres",
        "reason.turned": "après un pic à {promo} promotionnel, moins de mentions et une part critique en hausse "
                         "({crit_before} → {crit})",
        "reason.settle": "après le pic, les mentions se stabilisent et deviennent neutres ({promo} promotionnelles, "
                         "{crit} critiques)",
        "reason.fewer": "moins de mentions après le pic, {crit} critiques",
    },
}
EVIDENCE = {"en": {"meta-analysis": "meta-analysis", "controlled": "controlled study", "pilot": "pilot",
                   "satisfaction": "satisfaction survey", "completion": "completion figures"},
            "fr": {"meta-analysis": "méta-analyse", "controlled": "étude contrôlée", "pilot": "pilote",
                   "satisfaction": "enquête de satisfaction", "completion": "taux de complétion"}}
KINDS = {"en": {"research": "research", "practitioner": "practitioners", "vendor": "vendors", "press": "press",
                "regulator": "regulators", "unknown": "other"},
         "fr": {"research": "recherche", "practitioner": "praticiens", "vendor": "fournisseurs", "press": "presse",
                "regulator": "autorités", "unknown": "autres"}}


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _language(language: str) -> str:
    if language not in WORDS:
        raise ValidationError(f"language {language!r}: en or fr", key="err.language.unknown", got=str(language))
    return language


def _page(title: str, body: str, language: str) -> str:
    return (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>{body}</body></html>\n")


def dossier_lines(d: dossier_service.Dossier, language: str) -> list[str]:
    """The dossier in five lines: who writes about it, the stance, the evidence, a vendor claim, the stage."""
    w = WORDS[language]
    stances = Counter(a.stance for a in d.articles)
    kinds = ", ".join(f"{n} {KINDS[language].get(k, k)}" for k, n in d.by_kind.items())
    level = d.evidence_level
    claim = next((c for a in d.articles if a.vendor_claims for c in a.claims), None)
    stage = w[f"stage.{d.suggested_stage.stage}"]
    reason = d.suggested_stage.reason
    if language != "en" and f"reason.{d.suggested_stage.case}" in w:
        facts = {k: (v if k == "total" else format_percent(v, language)) for k, v in d.suggested_stage.facts}
        reason = w[f"reason.{d.suggested_stage.case}"].format(**facts)
    return [
        w["articles"].format(n=len(d.articles), kinds=kinds) if d.articles else w["no_articles"],
        w["stance"].format(p=stances["promotional"], n=stances["neutral"], c=stances["critical"]),
        w["evidence"].format(key=EVIDENCE[language][level.key], ltem=level.ltem, kp=level.kirkpatrick)
        if level else w["no_evidence"],
        w["claim"].format(claim=claim) if claim else w["no_claim"],
        w["stage"].format(stage=stage, reason=reason),
    ]


def card_brief(ctx: ServiceContext, name: str, language: str = "en") -> str:
    """The one-page brief of a card (NotFoundError when it is not in the register)."""
    language = _language(language)
    w = WORDS[language]
    detail = register.get_tool(ctx, name)
    card = detail.card
    d = dossier_service.build(ctx, card.name)
    parts = [f"<h1>{_e(card.name)}</h1>",
             f'<p class="meta">{_e(w["brief"])} · {_e(kind_label(card.kind, language))} · '
             f'{_e(quadrant_label(card.quadrant, language))} · {_e(statuses.label(card.status, language))} · '
             f'{_e(w["generated"].format(at=clock.now_in(ctx.settings.schedule.timezone).date().isoformat()))}</p>',
             f"<h2>{_e(w['what'])}</h2><p class=\"lead\">{_e(card.description or '—')}</p>",
             f"<h2>{_e(w['dossier'])}</h2><ul>" + "".join(f"<li>{_e(x)}</li>" for x in dossier_lines(d, language))
             + "</ul>"]
    rows = []
    scored = 0
    for entry in detail.scorecard.entries:
        if entry.score is not None:
            value, scored = str(entry.score), scored + 1
        elif entry.details.get("applies") is False:
            value = w["not_applicable"]
        else:
            value = w["not_scored"]
        rows.append(f"<tr><td>{_e(entry.label)}</td><td class=\"num\">{_e(value)}</td><td>{_e(entry.note)}</td></tr>")
    total = w["total"].format(total=detail.scorecard.total, max=card.points_max or detail.scorecard.max_total,
                              n=scored)
    parts.append(f"<h2>{_e(w['scorecard'])}</h2><table><thead><tr><th>{_e(w['criterion'])}</th>"
                 f"<th class=\"num\">{_e(w['score'])}</th><th>{_e(w['note'])}</th></tr></thead><tbody>"
                 + "".join(rows) + f"</tbody></table><p>{_e(total)}</p>")
    decision = next((h for h in reversed(detail.history) if h.change in ("created", "status", "import")), None)
    parts.append(f"<h2>{_e(w['decision'])}</h2>")
    if decision is None:
        parts.append(f"<p>{_e(w['no_decision'])}</p>")
    else:
        parts.append(f"<p><b>{_e(w['status'].format(status=statuses.label(decision.to_status, language)))}</b> "
                     f"{_e(w['by'].format(at=decision.at[:10], by=decision.by or '—'))}</p>"
                     + (f"<p>{_e(w['rationale'].format(text=decision.rationale))}</p>" if decision.rationale else ""))
    parts.append(f"<h2>{_e(w['trial'])}</h2>" + _trial_html(ctx, card.name, language))
    return _page(f"{w['brief']} — {card.name}", "".join(parts), language)


def _trial_html(ctx: ServiceContext, name: str, language: str) -> str:
    """The latest trial: its plan and, once closed, its outcome; then the documents attached to the card."""
    from ui.services import trials

    w = WORDS[language]
    found = trials.trials_of(ctx, name)
    docs = trials.documents(ctx, name)
    if not found and not docs:
        return f"<p>{_e(w['no_trial'])}</p>"
    out = ""
    if found:
        t = found[-1]
        names = {p.key: p.name for p in ctx.settings.profiles}
        out += "<p>" + _e(w["trial_plan"].format(owner=t.owner, review=t.review_on, kpi=t.kpi, ltem=t.ltem_target,
                                                  profiles=", ".join(names.get(k, k) for k in t.profiles))) + "</p>"
        if t.outcome:
            out += (f"<p><b>{_e(trials.OUTCOME_WORDS[language][t.outcome])}</b> — {_e(t.result)} "
                    f"({_e((t.closed_at or '')[:10])})</p>")
        else:
            out += f"<p>{_e(w['trial_open'])}</p>"
    if docs:
        out += "<ul>" + "".join(f'<li><a href="{_e(d.url)}" rel="noopener noreferrer">{_e(d.title or d.url)}</a> '
                                f'<span class="meta">({_e(w["doc." + d.kind])})</span></li>' for d in docs) + "</ul>"
    return out


def quarter_bounds(label: str | None, zone: str) -> tuple[date, date, str]:
    """(first day, last day, "2026-Q3") of a quarter given as "2026Q3"/"2026-Q3" (default: the current one)."""
    if label:
        text = label.upper().replace("-", "")
        try:
            year, q = int(text[:4]), int(text.split("Q", 1)[1])
        except (ValueError, IndexError):
            raise ValidationError(f"quarter {label!r}: expected YEAR-Qn, e.g. 2026-Q3", key="err.quarter.format",
                                  got=label) from None
        if not 1 <= q <= 4:
            raise ValidationError(f"quarter {label!r}: the quarter is 1 to 4", key="err.quarter.range", got=label)
    else:
        today = clock.now_in(zone).date()
        year, q = today.year, (today.month - 1) // 3 + 1
    first = date(year, 3 * q - 2, 1)
    last = (date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1))
    return first, last, f"{year}-Q{q}"


def quarterly(ctx: ServiceContext, quarter: str | None = None, language: str = "en") -> str:
    """The quarterly briefing across the register (the radar as an image, moves, decisions, trials, rising)."""
    from ui.radar_svg import draw
    from ui.services import radar as radar_service
    from ui.services.statuses import OUTSIDE, RINGS

    language = _language(language)
    w = WORDS[language]
    zone = ctx.settings.schedule.timezone
    first, last, label = quarter_bounds(quarter, zone)
    tz = clock.zone(zone)
    since = datetime.combine(first, time(), tz).astimezone(UTC).isoformat()
    until = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC).isoformat()
    entries = radar_service.radar_entries(ctx, since=first)
    placed = [e for e in entries if e.ring in RINGS or e.ring == OUTSIDE]
    quadrants = [q for q in register.QUADRANTS if any(e.quadrant == q for e in placed)]
    quadrants += sorted({e.quadrant for e in placed} - set(quadrants))
    ring_labels = {ring: translate(f"ring.{ring}", language) for ring in (*RINGS, OUTSIDE)}
    svg, _blips = draw(placed, quadrants, ring_labels, {q: quadrant_label(q, language) for q in quadrants},
                       title=translate("radar.title", language),
                       marker_labels={"new": translate("radar.new", language),
                                      "moved": translate("radar.moved", language)})
    history = register.history(ctx, since=since, until=until)
    moves = [h for h in history if h.change in ("status", "import") and h.from_status != h.to_status]
    decisions = [h for h in history if h.change in ("created", "status", "import")]
    trials = register.list_tools(ctx, status="trial")
    rising = register.suggest_signals(ctx, limit=5)
    parts = [f"<h1>{_e(w['quarter'])} {_e(label)}</h1>",
             f'<p class="meta">{_e(w["period"].format(a=first.isoformat(), b=last.isoformat()))} · '
             f'{_e(w["generated"].format(at=clock.now_in(zone).date().isoformat()))}</p>',
             f"<h2>{_e(w['radar'])}</h2><div class=\"radar\">{svg}</div>",
             f"<h2>{_e(w['moves'])}</h2>"]
    parts.append("<ul>" + "".join(
        f"<li>{_e(h.at[:10])} · <b>{_e(h.tool)}</b>: {_e(statuses.label(h.from_status, language))} → "
        f"{_e(statuses.label(h.to_status, language))}" + (f" — {_e(h.rationale)}" if h.rationale else "") + "</li>"
        for h in moves) + "</ul>" if moves else f"<p>{_e(w['no_moves'])}</p>")
    parts.append(f"<h2>{_e(w['decisions'])}</h2><p>{_e(w['n_decisions'].format(n=len(decisions)))}</p>")
    parts.append(f"<h2>{_e(w['trials'])}</h2>")
    parts.append("<ul>" + "".join(f"<li><b>{_e(c.name)}</b>" + (f" — {_e(c.last_rationale)}" if c.last_rationale
                                                                  else "") + "</li>" for c in trials) + "</ul>"
                 if trials else f"<p>{_e(w['no_trials'])}</p>")
    parts.append(f"<h2>{_e(w['rising'])}</h2>")
    parts.append("<ul>" + "".join(f"<li>{_e(w['suggested'].format(name=s.name, n=s.articles))}"
                                  f" · {_e(format_percent(s.mean_score, language))}</li>" for s in rising) + "</ul>"
                 if rising else f"<p>{_e(w['no_rising'])}</p>")
    return _page(f"{w['quarter']} {label}", "".join(parts), language)
