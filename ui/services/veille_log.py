"""The veille log: what was watched and decided over a period, as evidence for an auditor.

Qualiopi (the French quality standard for training providers) asks for evidence of a watch and of its use:
indicator 23 (legal and regulatory watch), 24 (watch on skills, jobs and occupations), 25 (watch on
pedagogical and technological innovation). The report lists the register decisions with their rationale and
evidence, the assessments, the sources watched with their volumes, the reading activity and the digests sent.
Exports: CSV (one flat table) and a standalone printable HTML page (inline CSS, A4 print stylesheet, every value
escaped, no script, a Content-Security-Policy that allows none).

One count everywhere: :func:`counts` gives the figures the page, the report and the CSV all show. A decision is a
register entry, a status change or an import; scorecard changes, evidence links and edits are assessments, listed
apart and never counted as decisions. No placeholder reaches an auditor: the single-user name ``local`` is shown as
"local user" / "utilisateur local", a missing value is an empty cell, and the note older versions wrote for a
scorecard change without one ("scorecard update") is shown empty.
"""

from __future__ import annotations

import html
import io
from datetime import date, timedelta

from config import clock
from config.errors import ValidationError
from ui.auth import LOCAL_USER
from ui.services.context import ServiceContext, now_iso
from ui.services.records import DecisionEntry, DigestSent, LogCounts, SourceVolume, VeilleLog
from ui.services.statuses import label as status_label
from ui.services.tools import CRITERIA, evidence_for_ids, list_tools
from watcher import csvsafe
from watcher.store import reports
from watcher.store import tools as tools_store

DECISION_CHANGES = ("created", "status", "import")
# what older versions stored as the note of a scorecard change made without one: never shown to an auditor
PLACEHOLDER_NOTES = frozenset({"scorecard update"})
PEOPLE = {LOCAL_USER: {"en": "local user", "fr": "utilisateur local"}}


def is_decision(entry: DecisionEntry) -> bool:
    return entry.change in DECISION_CHANGES


def _note(change: str, rationale: str | None) -> str:
    text = (rationale or "").strip()
    return "" if change != "status" and text.lower() in PLACEHOLDER_NOTES else text


def person(name: str | None, language: str = "en") -> str:
    """A user name as an auditor reads it: the single-user name `local` in words, others as they are."""
    words = PEOPLE.get((name or "").strip())
    return words.get(language, words["en"]) if words else (name or "")


def build_log(ctx: ServiceContext, date_from: date, date_to: date) -> VeilleLog:
    """Everything that happened between date_from and date_to (both inclusive)."""
    if date_from > date_to:
        raise ValidationError("period: the start is after the end", key="err.period.order")
    zone = ctx.settings.schedule.timezone  # the period's days are days in the configured zone
    start, end = clock.day_start_iso(date_from, zone), clock.day_start_iso(date_to + timedelta(days=1), zone)
    rows = tools_store.history(ctx.store, since=start, until=end)
    evidence = evidence_for_ids(ctx, sorted({r.tool_id for r in rows}))
    # a tool's evidence on file at the end of the period goes with its latest decision in the period (the one in
    # force), once: repeating it on every earlier decision made a quarter's report many pages long
    latest = {r.tool_id: r.id for r in rows if r.change in DECISION_CHANGES}
    entries = [
        DecisionEntry(
            tool=r.tool, kind=r.kind, at=r.at, by=r.by, change=r.change, from_status=r.from_status,
            to_status=r.to_status, rationale=_note(r.change, r.rationale),
            evidence=tuple(e for e in evidence.get(r.tool_id, []) if e.added_at < end) if (
                latest.get(r.tool_id) == r.id) else (),
            details=r.details,
        )
        for r in rows
    ]
    sources = tuple(
        SourceVolume(feed_id=v.feed_id, title=v.title or v.url, url=v.url, articles=v.articles,
                     last_published=v.last_published)
        for v in reports.feed_volumes(ctx.store, start, end)
    )
    digests = tuple(
        DigestSent(recipient=g.recipient, frequency=g.frequency, sent_at=g.sent_at, stories=g.stories,
                   subject=g.subject)
        for g in reports.digests_sent(ctx.store, start, end)
    )
    done = reports.activity(ctx.store, start, end)
    return VeilleLog(
        date_from=date_from, date_to=date_to, generated_at=now_iso(), generated_by=ctx.user.name,
        decisions=tuple(e for e in entries if is_decision(e)), sources=sources,
        articles_collected=done.articles_collected,
        # read/saved state is per user: the log counts articles (read or saved by anyone), not clicks
        articles_read=done.articles_read, articles_saved=done.articles_saved, feedback_given=done.feedback_given,
        digests=digests, register=tuple(list_tools(ctx)),
        assessments=tuple(e for e in entries if not is_decision(e)),
    )


build = build_log  # short name used by the pages


def counts(log: VeilleLog) -> LogCounts:
    """The log's figures, shown alike on the page, in the report and in the CSV."""
    return LogCounts(
        decisions=sum(1 for d in log.decisions if is_decision(d)),
        assessments=len(log.assessments) + sum(1 for d in log.decisions if not is_decision(d)),
        articles_collected=log.articles_collected, articles_read=log.articles_read,
        articles_saved=log.articles_saved, feedback_given=log.feedback_given, digests_sent=len(log.digests),
        sources=len(log.sources),
    )


COUNT_FIELDS = ("decisions", "assessments", "articles_collected", "articles_read", "articles_saved",
                "feedback_given", "digests_sent", "sources")


# --- words ------------------------------------------------------------------------------------

TEXT = {
    "en": {
        "title": "Veille log", "period": "Period", "generated": "Generated on {at} by {by}",
        "purpose": "Record of our learning-technology watch and of the decisions it informed, kept as evidence "
                   "for Qualiopi indicators 23 (legal and regulatory watch), 24 (skills, jobs and occupations) and "
                   "25 (pedagogical and technological innovation).",
        "summary": "Summary", "decisions": "Decisions", "assessments": "Assessments (scorecards, evidence, edits)",
        "articles_collected": "Articles collected", "articles_read": "Articles read",
        "articles_saved": "Articles saved", "feedback_given": "Relevance judgements", "digests_sent": "Digests sent",
        "sources": "Sources watched", "digests": "Digests sent",
        "register": "Register at the date of the report", "when": "Date", "tool": "Tool / trend",
        "change": "Change", "by": "By", "rationale": "Rationale", "note": "Note", "evidence": "Evidence",
        "feed": "Source", "volume": "Articles", "last": "Latest article", "status": "Status",
        "none": "Nothing recorded in this period.", "indicators": "Qualiopi indicators",
        "ind23": "23 — legal and regulatory watch: regulation and compliance sources and decisions below "
                 "(EU AI Act, GDPR, funding).",
        "ind24": "24 — skills, jobs and occupations: learner-profile relevance scoring and judgements.",
        "ind25": "25 — pedagogical and technological innovation: the tool & trend register, its decisions and "
                 "evidence.",
        "recipient": "Recipient", "stories": "Stories", "subject": "Subject", "kind": "Kind",
        "last_rationale": "Latest rationale", "quadrant": "Quadrant",
        "print_hint": "To keep a copy, print this page (Ctrl+P or ⌘P) and choose “Save as PDF”; it is laid out "
                      "for A4.",
        "created": "Added", "import": "Imported",
        "score": "Scorecard · {criterion}: {old} → {new}", "not_scored": "not scored",
        "evidence_linked": "Evidence linked", "edit": "Details edited",
    },
    "fr": {
        "title": "Journal de veille", "period": "Période", "generated": "Généré le {at} par {by}",
        "purpose": "Trace de notre veille sur les technologies de formation et des décisions qu'elle a éclairées, "
                   "conservée comme preuve pour les indicateurs Qualiopi 23 (veille légale et réglementaire), 24 "
                   "(évolution des compétences, des métiers et des emplois) et 25 (innovations pédagogiques et "
                   "technologiques).",
        "summary": "Synthèse", "decisions": "Décisions", "assessments": "Évaluations (grilles, preuves, modifications)",
        "articles_collected": "Articles collectés", "articles_read": "Articles lus",
        "articles_saved": "Articles enregistrés", "feedback_given": "Jugements de pertinence",
        "digests_sent": "Synthèses envoyées", "sources": "Sources surveillées", "digests": "Synthèses envoyées",
        "register": "Registre à la date du rapport", "when": "Date", "tool": "Outil / tendance",
        "change": "Changement", "by": "Par", "rationale": "Justification", "note": "Note", "evidence": "Preuves",
        "feed": "Source", "volume": "Articles", "last": "Dernier article", "status": "Statut",
        "none": "Rien d'enregistré sur cette période.", "indicators": "Indicateurs Qualiopi",
        "ind23": "23 — veille légale et réglementaire : sources et décisions réglementation et conformité "
                 "ci-dessous (AI Act, RGPD, financement).",
        "ind24": "24 — compétences, métiers et emplois : pertinence par public cible et jugements.",
        "ind25": "25 — innovations pédagogiques et technologiques : le registre des outils et tendances, ses "
                 "décisions et leurs preuves.",
        "recipient": "Destinataire", "stories": "Sujets", "subject": "Objet", "kind": "Type",
        "last_rationale": "Dernière justification", "quadrant": "Quadrant",
        "print_hint": "Pour en garder une copie, imprimez cette page (Ctrl+P ou ⌘P) et choisissez « Enregistrer "
                      "au format PDF » ; elle est mise en page pour l'A4.",
        "created": "Ajout", "import": "Import",
        "score": "Grille · {criterion} : {old} → {new}", "not_scored": "non noté",
        "evidence_linked": "Preuve ajoutée", "edit": "Fiche modifiée",
    },
}

_CRITERIA = {c.key: c for c in CRITERIA}


def _words(language: str) -> dict[str, str]:
    """The report's wording; French with French typography (ui.i18n: a no-break space before ':' ';' '?')."""
    from ui.i18n import french_typography

    if language == "fr":
        return {key: french_typography(text) for key, text in TEXT["fr"].items()}
    return TEXT["en"]


def _colon(language: str) -> str:
    from ui.i18n import colon

    return colon(language)


def change_text(d: DecisionEntry, language: str = "en") -> str:
    """What changed, in words (no raw code, no None): 'Status: Trial → Adopted', 'Scorecard · Cost: 1 → 2'."""
    tx = _words(language)
    if d.change == "score":
        crit = _CRITERIA.get(str(d.details.get("criterion", "")))
        name = (crit.label_fr if language == "fr" else crit.label_en) if crit else str(d.details.get("criterion", ""))
        old, new = d.details.get("from"), d.details.get("to")
        return tx["score"].format(criterion=name, old=tx["not_scored"] if old is None else old,
                                  new=tx["not_scored"] if new is None else new)
    if d.change == "evidence":
        return tx["evidence_linked"]
    if d.change == "edit":
        return tx["edit"]
    if d.change not in DECISION_CHANGES or not d.to_status:
        return tx.get(d.change, d.change)
    if d.change == "status" and d.from_status and d.from_status != d.to_status:  # a move: from → to
        return f"{status_label(d.from_status, language)} → {status_label(d.to_status, language)}"
    return f"{tx.get(d.change, d.change)}{_colon(language)} {status_label(d.to_status, language)}"


# --- CSV --------------------------------------------------------------------------------------

CSV_FIELDS = ("section", "date", "item", "change", "what", "from", "to", "by", "rationale", "evidence", "count")


def _evidence_text(d: DecisionEntry) -> str:
    return " | ".join(" ".join(p for p in (e.title, f"<{e.url or e.article_id}>", f"({e.note})" if e.note else "")
                               if p) for e in d.evidence)


def to_csv(log: VeilleLog, language: str = "en") -> str:
    """One flat table: the period's figures (those of :func:`counts`), decisions, assessments, sources, digests.
    Section, change and status codes stay codes (a machine reads them); `what` says the change in words, in
    `language`, as the report does."""
    buf = io.StringIO()
    w = csvsafe.DictWriter(buf, CSV_FIELDS)
    w.writeheader()
    period = f"{log.date_from.isoformat()}..{log.date_to.isoformat()}"
    figures = counts(log)
    tx = _words(language)
    for key in COUNT_FIELDS:
        w.writerow({"section": "summary", "date": period, "item": key, "what": tx[key],
                    "count": getattr(figures, key)})
    for d in (*log.decisions, *log.assessments):
        w.writerow({
            "section": "decision" if is_decision(d) else "assessment", "date": d.at, "item": d.tool,
            "change": d.change, "what": change_text(d, language), "from": d.from_status or "",
            "to": d.to_status or "",
            "by": person(d.by, language), "rationale": d.rationale, "evidence": _evidence_text(d),
            "count": len(d.evidence),
        })
    for s in log.sources:
        w.writerow({"section": "source", "date": s.last_published or "", "item": f"{s.title} <{s.url}>",
                    "count": s.articles})
    for g in log.digests:
        w.writerow({"section": "digest", "date": g.sent_at, "item": g.subject, "by": g.recipient,
                    "change": g.frequency, "count": g.stories})
    return buf.getvalue()


# --- HTML -------------------------------------------------------------------------------------

# Laid out for A4 (210 × 297 mm): 8 pt tables with fixed column widths, dates without the time, evidence as
# short lines; a table header repeats on each page, a row never splits, a heading never ends a page.
CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2430;margin:1.5rem auto;
max-width:62rem;line-height:1.35;padding:0 1rem;font-size:14px}
h1{font-size:1.45rem;margin:0 0 .15rem}
h2{font-size:1.05rem;margin:1.1rem 0 .3rem;border-bottom:2px solid #2b5d8a;padding-bottom:.1rem;color:#2b5d8a}
.meta{color:#555;font-size:.85em}.purpose{background:#f2f6fa;border-left:4px solid #2b5d8a;padding:.4rem .7rem;
margin:.4rem 0}.hint{border:1px dashed #2b5d8a;padding:.35rem .6rem;font-size:.9em}
ul.ind{margin:.2rem 0;padding-left:1.1rem}
table{border-collapse:collapse;width:100%;font-size:.82em;table-layout:fixed}
th,td{border:1px solid #c9d2dc;padding:.15rem .3rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#e8eef4}td.num,th.num{text-align:right}
.evs{display:block;margin-top:.15rem;font-size:.9em;color:#33404f}.evh{font-weight:600}
.ev{display:block;padding-left:.6rem}.day{white-space:nowrap}.status{font-weight:600}
table.figures td{text-align:center;width:12.5%}table.figures b{display:block;font-size:1.25em}
@page{size:A4;margin:11mm 10mm 12mm 10mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:9pt;line-height:1.2}table{font-size:7.5pt}
th,td{padding:1pt 2.5pt}
h2{break-after:avoid;font-size:10.5pt;margin-top:8pt}tr{break-inside:avoid}thead{display:table-header-group}
a{color:inherit;text-decoration:none}.purpose{background:none;padding:2pt 6pt}.hint{display:none}}
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: str | None, text: str) -> str:
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(text)}</a>'
    return _e(text)


def _day(stamp: str | None) -> str:
    return f'<span class="day">{_e((stamp or "")[:10])}</span>'


def _evidence_html(d: DecisionEntry, language: str) -> str:
    """The evidence on file, under the rationale in the same cell: one short line per article."""
    if not d.evidence:
        return ""
    items = "".join(f'<span class="ev">{_link(e.url, e.title or e.article_id)}'
                    + (f' <span class="meta">· {_e(e.feed_title)}</span>' if e.feed_title else "")
                    + (f" — {_e(e.note)}" if e.note else "") + "</span>" for e in d.evidence)
    colon = _colon(language)
    return f'<span class="evs"><span class="evh">{_e(_words(language)["evidence"])}{colon}</span>{items}</span>'


def _table(columns: list[tuple[str, str]], rows: list[str], tx: dict, *, empty: bool = True) -> str:
    """`columns`: (header key, width); rows: the <tr>… strings."""
    if not rows:
        return f"<p>{_e(tx['none'])}</p>" if empty else ""
    cols = "".join(f'<col style="width:{w}">' for _, w in columns)
    head = "".join(f"<th>{_e(tx[k])}</th>" for k, _ in columns)
    return f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _decision_rows(rows: tuple[DecisionEntry, ...], language: str, *, evidence: bool) -> list[str]:
    return [
        f"<tr><td>{_day(d.at)}</td><td>{_e(d.tool)}</td><td class=\"status\">{_e(change_text(d, language))}</td>"
        f"<td>{_e(person(d.by, language))}</td><td>{_e(d.rationale)}"
        + (_evidence_html(d, language) if evidence else "") + "</td></tr>"
        for d in rows
    ]


def to_html(log: VeilleLog, language: str = "en", *, lang: str | None = None) -> str:
    """A standalone printable report (no script, no external resource), laid out for A4."""
    from ui.i18n import kind_label, quadrant_label

    language = lang or language
    tx = _words(language)
    figures = counts(log)
    summary = "".join(f"<td><b>{getattr(figures, k)}</b>{_e(tx[k])}</td>" for k in COUNT_FIELDS)
    decisions = _table([("when", "10%"), ("tool", "14%"), ("change", "14%"), ("by", "11%"), ("rationale", "51%")],
                       _decision_rows(tuple(d for d in log.decisions if is_decision(d)), language, evidence=True), tx)
    assessed = (*(d for d in log.decisions if not is_decision(d)), *log.assessments)
    assessments = _table([("when", "10%"), ("tool", "14%"), ("change", "30%"), ("by", "11%"), ("note", "35%")],
                         _decision_rows(assessed, language, evidence=False), tx)
    sources = _table([("feed", "62%"), ("volume", "14%"), ("last", "24%")], [
        f"<tr><td>{_link(s.url, s.title)}</td><td class=\"num\">{s.articles}</td><td>{_day(s.last_published)}</td></tr>"
        for s in log.sources], tx)
    digests = _table([("when", "14%"), ("recipient", "26%"), ("subject", "50%"), ("stories", "10%")], [
        f"<tr><td>{_day(g.sent_at)}</td><td>{_e(g.recipient)}</td><td>{_e(g.subject)}</td>"
        f"<td class=\"num\">{g.stories}</td></tr>" for g in log.digests], tx)
    register = _table([("tool", "18%"), ("kind", "7%"), ("status", "10%"), ("quadrant", "15%"),
                       ("last_rationale", "50%")], [
        f"<tr><td>{_e(c.name)}</td><td>{_e(kind_label(c.kind, language))}</td>"
        f"<td class=\"status\">{_e(status_label(c.status, language))}"
        f"</td><td>{_e(quadrant_label(c.quadrant, language) if c.quadrant else '')}</td>"
        f"<td>{_e(c.last_rationale)}</td></tr>" for c in log.register], tx)
    period = f"{log.date_from.isoformat()} — {log.date_to.isoformat()}"
    colon = _colon(language)
    generated = tx["generated"].format(at=log.generated_at[:16].replace("T", " "),
                                       by=person(log.generated_by, language))
    return "".join([
        f'<!DOCTYPE html>\n<html lang="{_e(language)}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(tx['title'])} {_e(period)}</title><style>{CSS}</style></head><body>",
        f"<p class=\"hint\">{_e(tx['print_hint'])}</p>",
        f"<h1>{_e(tx['title'])}</h1>",
        f"<p class=\"meta\">{_e(tx['period'])}{colon} <strong>{_e(period)}</strong> · {_e(generated)}</p>",
        f"<p class=\"purpose\">{_e(tx['purpose'])}</p>",
        f"<h2>{_e(tx['summary'])}</h2><table class=\"figures\"><tbody><tr>{summary}</tr></tbody></table>",
        f"<h2>{_e(tx['decisions'])}</h2>{decisions}",
        f"<h2>{_e(tx['assessments'])}</h2>{assessments}",
        f"<h2>{_e(tx['sources'])}</h2>{sources}",
        f"<h2>{_e(tx['digests'])}</h2>{digests}",
        f"<h2>{_e(tx['register'])}</h2>{register}",
        f"<h2>{_e(tx['indicators'])}</h2><ul class=\"ind\"><li>{_e(tx['ind23'])}</li><li>{_e(tx['ind24'])}</li>"
        f"<li>{_e(tx['ind25'])}</li></ul>",
        "</body></html>\n",
    ])
