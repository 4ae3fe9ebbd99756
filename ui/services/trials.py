"""Managed trials: moving a card to `trial` takes an owner, a review date, success criteria (a KPI and the LTEM
level targeted) and the learner profiles concerned; reviews come due on the fixed clock's calendar (the configured
zone); closing a trial records its outcome against its criteria, in the history and so in the veille log.
Documents (DPIA, vendor contract, pilot report) are attached to a card by URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from config import clock
from config.errors import Term, ValidationError, terms
from ui.services import tools as register
from ui.services.context import ServiceContext, now_iso, require_editor
from watcher.store import trials as trials_store
from watcher.store.trials import DocumentRow, TrialRow

OUTCOMES = ("met", "partly", "not_met")
OUTCOME_WORDS = {"en": {"met": "criteria met", "partly": "criteria partly met", "not_met": "criteria not met"},
                 "fr": {"met": "critères atteints", "partly": "critères en partie atteints",
                        "not_met": "critères non atteints"}}
DOCUMENT_KINDS = ("dpia", "contract", "pilot_report", "other")


@dataclass(frozen=True)
class DueReview:
    trial: TrialRow
    days_late: int  # 0 = due today


# what a trial needs, in the English of the CLI's line (the app words it through `term.need.<code>`)
NEEDS = {"owner": "an owner", "kpi": "a KPI", "result": "a result (what was measured)", "rationale": "a rationale"}


def _day(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"review date {value!r}: expected a date YYYY-MM-DD", key="err.trial.review_format",
                              got=str(value)) from None


def _text(value: str | None, need: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ValidationError(f"a trial needs {NEEDS[need]}", key="err.trial.needs", need=Term("term.need", need))
    return text


def start_trial(ctx: ServiceContext, name: str, *, owner: str, review_on: date | str, kpi: str, ltem_target: int,
                profiles: list[str], rationale: str, at: str | None = None) -> TrialRow:
    """Move a card to `trial` with its plan (editor). Everything is checked before anything is written."""
    require_editor(ctx.user)
    owner, kpi = _text(owner, "owner"), _text(kpi, "kpi")
    review = _day(review_on)
    if review < clock.today(ctx.settings.schedule.timezone):
        raise ValidationError(f"review date {review.isoformat()}: already past", key="err.trial.review_past",
                              day=review.isoformat())
    if not 1 <= int(ltem_target) <= 8:
        raise ValidationError(f"LTEM level {ltem_target}: 1 (attendance) to 8 (effects of transfer)",
                              key="err.trial.ltem", got=str(ltem_target))
    known = {p.key: p for p in ctx.settings.profiles}
    chosen = list(dict.fromkeys(profiles))
    if not chosen:
        raise ValidationError("a trial needs the learner profiles concerned", key="err.trial.profiles")
    unknown = [k for k in chosen if k not in known]
    if unknown:
        raise ValidationError(f"unknown profile {unknown[0]!r} (known: {', '.join(known)})",
                              key="err.profile.unknown_known", profile=unknown[0], known=", ".join(known))
    tool = register.tool_row(ctx, name)
    if trials_store.open_trial(ctx.store, tool.id) is not None:
        raise ValidationError(f"tool {tool.name!r}: a trial is already open", key="err.trial.open", tool=tool.name)
    at = at or now_iso()
    plan = (f"Trial plan: owner {owner}; review {review.isoformat()}; KPI: {kpi}; LTEM level {int(ltem_target)} "
            f"targeted; profiles: {', '.join(known[k].name for k in chosen)}.")
    with ctx.store.write():
        register.set_status(ctx, tool.name, "trial", f"{_text(rationale, 'rationale')} {plan}", at=at)
        trials_store.start(ctx.store, tool.id, owner, review.isoformat(), kpi, int(ltem_target), chosen, at,
                           ctx.user.name)
    trial = trials_store.open_trial(ctx.store, tool.id)
    assert trial is not None
    return trial


def close_trial(ctx: ServiceContext, name: str, *, outcome: str, result: str, status: str, rationale: str,
                at: str | None = None) -> TrialRow:
    """Close the open trial with its outcome against its criteria and move the card on (editor): the outcome is
    part of the decision's rationale, so it is in the history and the veille log."""
    require_editor(ctx.user)
    if outcome not in OUTCOMES:
        raise ValidationError(f"outcome {outcome!r}: one of {', '.join(OUTCOMES)}", key="err.trial.outcome",
                              got=str(outcome), allowed=terms("term.outcome", OUTCOMES))
    result = _text(result, "result")
    tool = register.tool_row(ctx, name)
    trial = trials_store.open_trial(ctx.store, tool.id)
    if trial is None:
        raise ValidationError(f"tool {tool.name!r}: no open trial", key="err.trial.none", tool=tool.name)
    at = at or now_iso()
    summary = (f"Trial outcome: {OUTCOME_WORDS['en'][outcome]} (KPI: {trial.kpi}; LTEM level {trial.ltem_target} "
               f"targeted): {result}")
    with ctx.store.write():
        register.set_status(ctx, tool.name, status, f"{_text(rationale, 'rationale')} {summary}", at=at)
        trials_store.close(ctx.store, trial.id, outcome, result, at, ctx.user.name)
    return trials_store.of_tool(ctx.store, tool.id)[-1]


def trials_of(ctx: ServiceContext, name: str) -> list[TrialRow]:
    return trials_store.of_tool(ctx.store, register.tool_row(ctx, name).id)


def due_reviews(ctx: ServiceContext, on: date | None = None) -> list[DueReview]:
    """Open trials whose review date has come (today in the configured zone, or `on`)."""
    day = on or clock.today(ctx.settings.schedule.timezone)
    out = []
    for trial in trials_store.open_trials(ctx.store):
        review = date.fromisoformat(trial.review_on)
        if review <= day:
            out.append(DueReview(trial, (day - review).days))
    return out


def attach_document(ctx: ServiceContext, name: str, url: str, *, kind: str = "other", title: str = "") -> bool:
    """Attach a document to a card by URL (editor); False when it is already attached."""
    require_editor(ctx.user)
    if kind not in DOCUMENT_KINDS:
        raise ValidationError(f"document kind {kind!r}: one of {', '.join(DOCUMENT_KINDS)}",
                              key="err.document.kind", got=str(kind), allowed=terms("term.doc", DOCUMENT_KINDS))
    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")) or " " in url:
        raise ValidationError(f"document {url!r}: an http(s) URL", key="err.document.url", url=url)
    tool = register.tool_row(ctx, name)
    return trials_store.attach(ctx.store, tool.id, kind, url, " ".join(title.split()), now_iso(), ctx.user.name)


def documents(ctx: ServiceContext, name: str) -> list[DocumentRow]:
    return trials_store.documents(ctx.store, register.tool_row(ctx, name).id)
