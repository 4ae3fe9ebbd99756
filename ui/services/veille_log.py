"""The veille log: what was watched and decided over a period, as evidence for an auditor.

Qualiopi (the French quality standard for training providers) asks for evidence of a watch and of its use:
indicator 23 (legal and regulatory watch), 24 (watch on skills, jobs and occupations), 25 (watch on
pedagogical and technological innovation). The report lists the register decisions with their rationale and
evidence, the assessments, the sources watched with their volumes, the reading activity and the digests sent.
Exports: CSV (one flat table) and a standalone printable HTML page (inline CSS, print stylesheet, every value
escaped, no script).
"""

from __future__ import annotations

import html
import io
from datetime import date, timedelta

from config import clock
from config.errors import ValidationError
from ui.services.context import ServiceContext, now_iso
from ui.services.records import DecisionEntry, DigestSent, SourceVolume, VeilleLog
from ui.services.statuses import label as status_label
from ui.services.tools import evidence_for_ids, list_tools
from watcher import csvsafe
from watcher.store import reports
from watcher.store import tools as tools_store

DECISION_CHANGES = ("created", "status", "import")


def build_log(ctx: ServiceContext, date_from: date, date_to: date) -> VeilleLog:
    """Everything that happened between date_from and date_to (both inclusive)."""
    if date_from > date_to:
        raise ValidationError("period: the start is after the end")
    zone = ctx.settings.schedule.timezone  # the period's days are days in the configured zone
    start, end = clock.day_start_iso(date_from, zone), clock.day_start_iso(date_to + timedelta(days=1), zone)
    rows = tools_store.history(ctx.store, since=start, until=end)
    evidence = evidence_for_ids(ctx, sorted({r.tool_id for r in rows}))
    decisions = tuple(
        DecisionEntry(
            tool=r.tool, kind=r.kind, at=r.at, by=r.by, change=r.change, from_status=r.from_status,
            to_status=r.to_status, rationale=r.rationale,
            evidence=tuple(e for e in evidence.get(r.tool_id, []) if e.added_at < end),
            details=r.details,
        )
        for r in rows
    )
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
        decisions=decisions, sources=sources,
        articles_collected=done.articles_collected,
        # read/saved state is per user: the log counts articles (read or saved by anyone), not clicks
        articles_read=done.articles_read, articles_saved=done.articles_saved, feedback_given=done.feedback_given,
        digests=digests, register=tuple(list_tools(ctx)),
    )


build = build_log  # short name used by the pages


# --- CSV --------------------------------------------------------------------------------------

CSV_FIELDS = ("section", "date", "item", "change", "from", "to", "by", "rationale", "evidence", "count")


def _evidence_text(d: DecisionEntry) -> str:
    return " | ".join(f"{e.title} <{e.url or e.article_id}>" + (f" ({e.note})" if e.note else "") for e in d.evidence)


def _change_text(d: DecisionEntry) -> str:
    if d.change == "score" and d.details:
        return f"score {d.details.get('criterion')}: {d.details.get('from')} -> {d.details.get('to')}"
    return d.change


def to_csv(log: VeilleLog) -> str:
    """One flat table: period summary, decisions and assessments, sources, digests."""
    buf = io.StringIO()
    w = csvsafe.DictWriter(buf, CSV_FIELDS)
    w.writeheader()
    period = f"{log.date_from.isoformat()}..{log.date_to.isoformat()}"
    for label, value in (("articles collected", log.articles_collected), ("articles read", log.articles_read),
                         ("articles saved", log.articles_saved), ("relevance judgements", log.feedback_given),
                         ("digests sent", len(log.digests)), ("decisions", len(log.decisions))):
        w.writerow({"section": "summary", "date": period, "item": label, "count": value})
    for d in log.decisions:
        w.writerow({
            "section": "decision" if d.change in DECISION_CHANGES else "assessment", "date": d.at, "item": d.tool,
            "change": _change_text(d), "from": d.from_status or "", "to": d.to_status or "", "by": d.by,
            "rationale": d.rationale, "evidence": _evidence_text(d), "count": len(d.evidence),
        })
    for s in log.sources:
        w.writerow({"section": "source", "date": s.last_published or "", "item": f"{s.title} <{s.url}>",
                    "count": s.articles})
    for g in log.digests:
        w.writerow({"section": "digest", "date": g.sent_at, "item": g.subject, "by": g.recipient,
                    "change": g.frequency, "count": g.stories})
    return buf.getvalue()


# --- HTML -------------------------------------------------------------------------------------

TEXT = {
    "en": {
        "title": "Veille log", "period": "Period", "generated": "Generated on {at} by {by}",
        "purpose": "Record of our learning-technology watch and of the decisions it informed, kept as evidence "
                   "for Qualiopi indicators 23 (legal and regulatory watch), 24 (skills, jobs and occupations) and "
                   "25 (pedagogical and technological innovation).",
        "summary": "Summary", "collected": "Articles collected", "read": "Articles read", "saved": "Articles saved",
        "feedback": "Relevance judgements", "digests": "Digests sent", "decisions": "Decisions",
        "assessments": "Assessments (scorecards, evidence, edits)", "sources": "Sources watched",
        "register": "Register at the date of the report", "when": "Date", "tool": "Tool / trend",
        "change": "Change", "by": "By", "rationale": "Rationale", "evidence": "Evidence", "feed": "Source",
        "volume": "Articles in period", "last": "Latest article", "status": "Status", "none": "None in this period.",
        "indicators": "Qualiopi indicators", "ind23": "23 — legal and regulatory watch: regulation and compliance "
        "sources and decisions below (EU AI Act, GDPR, funding).", "ind24": "24 — skills, jobs and occupations: "
        "learner-profile relevance scoring and judgements.", "ind25": "25 — pedagogical and technological "
        "innovation: the tool & trend register, its decisions and evidence.", "recipient": "Recipient",
        "stories": "Stories", "subject": "Subject", "kind": "Kind", "last_rationale": "Latest rationale",
        "quadrant": "Quadrant",
    },
    "fr": {
        "title": "Journal de veille", "period": "Période", "generated": "Généré le {at} par {by}",
        "purpose": "Trace de notre veille sur les technologies de formation et des décisions qu'elle a éclairées, "
                   "conservée comme preuve pour les indicateurs Qualiopi 23 (veille légale et réglementaire), 24 "
                   "(évolution des compétences, des métiers et des emplois) et 25 (innovations pédagogiques et "
                   "technologiques).",
        "summary": "Synthèse", "collected": "Articles collectés", "read": "Articles lus",
        "saved": "Articles enregistrés", "feedback": "Jugements de pertinence", "digests": "Synthèses envoyées",
        "decisions": "Décisions", "assessments": "Évaluations (grilles, preuves, modifications)",
        "sources": "Sources surveillées", "register": "Registre à la date du rapport", "when": "Date",
        "tool": "Outil / tendance", "change": "Changement", "by": "Par", "rationale": "Justification",
        "evidence": "Preuves", "feed": "Source", "volume": "Articles sur la période", "last": "Dernier article",
        "status": "Statut", "none": "Aucun sur cette période.", "indicators": "Indicateurs Qualiopi",
        "ind23": "23 — veille légale et réglementaire : sources et décisions réglementation et conformité "
        "ci-dessous (AI Act, RGPD, financement).", "ind24": "24 — compétences, métiers et emplois : pertinence "
        "par public cible et jugements.", "ind25": "25 — innovations pédagogiques et technologiques : le registre "
        "des outils et tendances, ses décisions et leurs preuves.", "recipient": "Destinataire",
        "stories": "Sujets", "subject": "Objet", "kind": "Type", "last_rationale": "Dernière justification",
        "quadrant": "Quadrant",
    },
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2430;margin:2rem auto;max-width:60rem;
line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:2px solid #2b5d8a;
padding-bottom:.2rem;color:#2b5d8a}
.meta{color:#555;font-size:.9rem}.purpose{background:#f2f6fa;border-left:4px solid #2b5d8a;padding:.6rem .9rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin-top:.5rem}
th,td{border:1px solid #c9d2dc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#e8eef4}td.num{text-align:right}ul.ev{margin:0;padding-left:1.1rem}
.summary td:first-child{width:60%}.status{font-weight:600}
@media print{body{margin:0;max-width:none;font-size:10.5pt}h2{break-after:avoid}tr{break-inside:avoid}
a{color:inherit;text-decoration:none}.purpose{background:none}@page{margin:15mm}}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: str | None, text: str) -> str:
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(text)}</a>'
    return _e(text)


def _evidence_html(d: DecisionEntry) -> str:
    if not d.evidence:
        return "—"
    items = "".join(f"<li>{_link(e.url, e.title)} <span class=\"meta\">{_e(e.feed_title)}</span>"
                    + (f" — {_e(e.note)}" if e.note else "") + "</li>" for e in d.evidence)
    return f'<ul class="ev">{items}</ul>'


def _decision_table(rows: list[DecisionEntry], tx: dict, language: str = "en") -> str:
    if not rows:
        return f"<p>{_e(tx['none'])}</p>"
    body = "".join(
        f"<tr><td>{_e(d.at[:16].replace('T', ' '))}</td><td>{_e(d.tool)}</td><td>{_e(_change_text(d))}"
        + (f"<br><span class=\"status\">{_e(status_label(d.from_status, language) or '∅')} → "
           f"{_e(status_label(d.to_status, language))}</span>"
           if d.change in DECISION_CHANGES else "")
        + f"</td><td>{_e(d.by)}</td><td>{_e(d.rationale)}</td><td>{_evidence_html(d)}</td></tr>"
        for d in rows
    )
    head = "".join(f"<th>{_e(tx[k])}</th>" for k in ("when", "tool", "change", "by", "rationale", "evidence"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(log: VeilleLog, language: str = "en", *, lang: str | None = None) -> str:
    """A standalone printable report (no script, no external resource)."""
    language = lang or language
    tx = TEXT.get(language, TEXT["en"])
    decisions = [d for d in log.decisions if d.change in DECISION_CHANGES]
    assessments = [d for d in log.decisions if d.change not in DECISION_CHANGES]
    summary = "".join(f"<tr><td>{_e(tx[k])}</td><td class=\"num\">{v}</td></tr>" for k, v in (
        ("collected", log.articles_collected), ("read", log.articles_read), ("saved", log.articles_saved),
        ("feedback", log.feedback_given), ("digests", len(log.digests)), ("decisions", len(decisions)),
    ))
    sources = "".join(
        f"<tr><td>{_link(s.url, s.title)}</td><td class=\"num\">{s.articles}</td>"
        f"<td>{_e((s.last_published or '—')[:10])}</td></tr>" for s in log.sources
    ) or f"<tr><td colspan=\"3\">{_e(tx['none'])}</td></tr>"
    digests = "".join(
        f"<tr><td>{_e(g.sent_at[:16].replace('T', ' '))}</td><td>{_e(g.recipient)}</td><td>{_e(g.subject)}</td>"
        f"<td class=\"num\">{g.stories}</td></tr>" for g in log.digests
    )
    register = "".join(
        f"<tr><td>{_e(c.name)}</td><td>{_e(c.kind)}</td>"
        f"<td class=\"status\">{_e(status_label(c.status, language))}</td>"
        f"<td>{_e(c.quadrant)}</td><td>{_e(c.last_rationale)}</td></tr>" for c in log.register
    )
    period = f"{log.date_from.isoformat()} — {log.date_to.isoformat()}"
    parts = [
        f'<!DOCTYPE html>\n<html lang="{_e(language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(tx['title'])} {_e(period)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(tx['title'])}</h1>",
        f"<p class=\"meta\">{_e(tx['period'])}: <strong>{_e(period)}</strong> · "
        f"{_e(tx['generated'].format(at=log.generated_at[:16].replace('T', ' '), by=log.generated_by))}</p>",
        f"<p class=\"purpose\">{_e(tx['purpose'])}</p>",
        f"<h2>{_e(tx['indicators'])}</h2><ul><li>{_e(tx['ind23'])}</li><li>{_e(tx['ind24'])}</li>"
        f"<li>{_e(tx['ind25'])}</li></ul>",
        f"<h2>{_e(tx['summary'])}</h2><table class=\"summary\"><tbody>{summary}</tbody></table>",
        f"<h2>{_e(tx['decisions'])}</h2>{_decision_table(decisions, tx, language)}",
        f"<h2>{_e(tx['assessments'])}</h2>{_decision_table(assessments, tx, language)}",
        f"<h2>{_e(tx['sources'])}</h2><table><thead><tr><th>{_e(tx['feed'])}</th><th>{_e(tx['volume'])}</th>"
        f"<th>{_e(tx['last'])}</th></tr></thead><tbody>{sources}</tbody></table>",
    ]
    if digests:
        parts.append(f"<h2>{_e(tx['digests'])}</h2><table><thead><tr><th>{_e(tx['when'])}</th>"
                     f"<th>{_e(tx['recipient'])}</th><th>{_e(tx['subject'])}</th><th>{_e(tx['stories'])}</th></tr></thead>"
                     f"<tbody>{digests}</tbody></table>")
    parts.append(f"<h2>{_e(tx['register'])}</h2><table><thead><tr><th>{_e(tx['tool'])}</th><th>{_e(tx['kind'])}</th>"
                 f"<th>{_e(tx['status'])}</th><th>{_e(tx['quadrant'])}</th><th>{_e(tx['last_rationale'])}</th></tr>"
                 f"</thead><tbody>{register}</tbody></table></body></html>\n")
    return "".join(parts)
