"""CLI of the boards: the tool & trend register (`veille tools …`), the radar export/import and the veille log.

The CLI acts as an editor (whoever can open the database file can edit it); `--by NAME` records who decided,
default: the login name.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path

import click

from config import clock
from config.errors import ValidationError
from ui.services.statuses import INITIAL, STATUSES
from veille.cli import echo_json, pass_app


def _ctx(app, by: str | None = None):
    from ui.services.context import ServiceContext, cli_user

    return ServiceContext(settings=app.settings, store=app.store, user=cli_user(by))


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {output}", err=True)


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{name}: expected a date YYYY-MM-DD, got {value!r}") from None


BY = click.option("--by", "by", metavar="NAME", help="Who decides (default: your login name).")


# --- tools ------------------------------------------------------------------------------------


@click.group()
def tools() -> None:
    """The tool & trend register: signal → assess → trial → adopted | rejected | hold."""


@tools.command("list")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--kind", type=click.Choice(["tool", "trend"]))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def tools_list(app, status: str | None, kind: str | None, as_json: bool) -> None:
    """List the register, lane by lane."""
    from ui.services import tools as register

    cards = register.list_tools(_ctx(app), status=status, kind=kind)
    if as_json:
        echo_json([c.as_dict() for c in cards])
        return
    if not cards:
        click.echo("The register is empty. Add one: veille tools add NAME --note 'why'")
        return
    for c in cards:
        score = f"{c.score_total}/{c.score_max}" if c.score_max else "-"
        ko = f"  KNOCK-OUT: {', '.join(c.knocked_out)}" if c.knocked_out else ""
        click.echo(f"{c.status:9} {c.name:40} {c.kind:6} {score:>6}  {c.quadrant}{ko}")


@tools.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(["tool", "trend"]), default="tool", show_default=True)
@click.option("--quadrant", help="AI & automation | Immersive (VR/AR/metaverse) | Formats & pedagogy | "
                                 "Platforms, data & compliance")
@click.option("--description", default="", help="One or two sentences.")
@click.option("--status", type=click.Choice(STATUSES), default=INITIAL, show_default=True)
@click.option("--note", required=True, help="Why it enters the register (mandatory).")
@BY
@pass_app
def tools_add(app, name: str, kind: str, quadrant: str | None, description: str, status: str, note: str,
              by: str | None) -> None:
    """Add a tool or trend."""
    from ui.services import tools as register

    card = register.add_tool(_ctx(app, by), name, kind=kind, quadrant=quadrant or "", description=description,
                             note=note, status=status)
    click.echo(f"Added {card.name} ({card.kind}) as {card.status}.")


@tools.command("set")
@click.argument("name")
@click.option("--status", required=True, type=click.Choice(STATUSES))
@click.option("--note", required=True, help="The rationale of the decision (mandatory).")
@BY
@pass_app
def tools_set(app, name: str, status: str, note: str, by: str | None) -> None:
    """Record a decision: move NAME to STATUS with a rationale."""
    from ui.services import tools as register

    ctx = _ctx(app, by)
    before = register.get_card(ctx, name).status
    if status == "trial":
        raise ValidationError(f"{name}: a trial needs its plan: veille tools trial NAME --owner … --review DATE "
                              "--kpi … --ltem N --profile KEY --note …")
    if before == "trial":
        raise ValidationError(f"{name}: close the trial with its outcome first: veille tools close-trial NAME "
                              "--outcome met|partly|not_met --result … --status STATUS --note …")
    card = register.set_status(ctx, name, status, note)
    click.echo(f"{card.name}: {before} → {card.status} (recorded by {ctx.user.name}).")


@tools.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def tools_show(app, name: str, as_json: bool) -> None:
    """Show one entry with its scorecard, evidence and full history."""
    from ui.services import tools as register

    detail = register.get_tool(_ctx(app), name)
    if as_json:
        echo_json(detail.as_dict())
        return
    c = detail.card
    click.echo(f"{c.name} — {c.kind}, {c.status}" + (f", {c.quadrant}" if c.quadrant else ""))
    if c.description:
        click.echo(f"  {c.description}")
    click.echo(f"  next: {', '.join(detail.allowed_next) or '-'}")
    sc = detail.scorecard
    click.echo(f"\nScorecard {sc.total}/{sc.max_total}" + (f"  KNOCK-OUT: {', '.join(sc.knocked_out)}"
                                                           if sc.knocked_out else ""))
    for e in sc.entries:
        value = "-" if e.score is None else str(e.score)
        click.echo(f"  {e.label:34} {value:>2}{' (KO)' if e.knockout else '     '}  {e.note}")
    if sc.fit_prefill:
        click.echo("  fit prefill from evidence: " + ", ".join(f"{k} {v:.2f}" for k, v in sc.fit_prefill.items()))
    click.echo(f"\nEvidence ({len(detail.evidence)})")
    for ev in detail.evidence:
        click.echo(f"  {ev.published[:10]}  {ev.title}  <{ev.url or ev.article_id}>")
    click.echo("\nHistory")
    for h in detail.history:
        move = f"{h.from_status or '∅'} → {h.to_status}" if h.change in ("created", "status", "import") else h.change
        click.echo(f"  {h.at[:16].replace('T', ' ')}  {h.by:16} {move:20} {h.rationale}")


@tools.command("score")
@click.argument("name")
@click.argument("criterion", type=click.Choice(["evidence", "fit", "cost", "accessibility", "data_protection",
                                                "ai_act", "maturity", "fr_compliance"]))
@click.argument("score", type=click.IntRange(0, 3))
@click.option("--note", required=True, help="Why this score (mandatory).")
@click.option("--details", "details_json", metavar="JSON",
              help='Structured details, e.g. \'{"hype_stage": "peak"}\' or \'{"ltem_level": 4}\'.')
@BY
@pass_app
def tools_score(app, name: str, criterion: str, score: int, note: str, details_json: str | None,
                by: str | None) -> None:
    """Score one scorecard CRITERION 0-3 (0 on accessibility, data_protection or ai_act is a knock-out)."""
    from ui.services import tools as register

    details = None
    if details_json:
        try:
            details = json.loads(details_json)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"--details: invalid JSON ({exc.msg})") from None
    sc = register.set_score(_ctx(app, by), name, criterion, score, note, details)
    ko = f"  KNOCK-OUT: {', '.join(sc.knocked_out)}" if sc.knocked_out else ""
    click.echo(f"{sc.tool}: {criterion} = {score}; total {sc.total}/{sc.max_total}{ko}")


@tools.command("link")
@click.argument("name")
@click.argument("article_id")
@click.option("--note", default="", help="What this article shows.")
@BY
@pass_app
def tools_link(app, name: str, article_id: str, note: str, by: str | None) -> None:
    """Link an article (id from `veille export`) as evidence for NAME."""
    from ui.services import tools as register

    added = register.add_evidence(_ctx(app, by), name, article_id, note)
    click.echo("Linked." if added else "Already linked.")


@tools.command("suggest")
@click.option("--limit", type=click.IntRange(1, 100), default=15, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def tools_suggest(app, limit: int, as_json: bool) -> None:
    """Names recurring in highly scored articles that are not in the register yet."""
    from dataclasses import asdict

    from ui.services import tools as register

    items = register.suggest_signals(_ctx(app), limit=limit)
    if as_json:
        echo_json([asdict(s) for s in items])
        return
    if not items:
        click.echo("No suggestion (needs scored articles mentioning the same name at least 3 times).")
    for s in items:
        click.echo(f"{s.articles:4} articles  {s.sources:2} sources  mean {s.mean_score:.2f}  {s.name}"
                   + (f"  [{s.quadrant}]" if s.quadrant else "") + (f"\n      best: {s.example}" if s.example else ""))


# --- radar ------------------------------------------------------------------------------------

FORMAT = click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
SINCE = click.option("--since", metavar="DATE", help="Mark entries new since DATE (YYYY-MM-DD).")
OUTPUT = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
WITH_REJECTED = click.option("--include-rejected", is_flag=True,
                             help="Also export rejected entries (ring 'rejected'; not a BYOR ring: for backups).")


def _export(app, fmt: str, since: str | None, output: Path | None, include_rejected: bool) -> None:
    from ui.services.radar import export_byor

    _write(export_byor(_ctx(app), fmt, _date(since, "--since"), include_rejected), output)


@click.group(invoke_without_command=True)
@FORMAT
@SINCE
@OUTPUT
@WITH_REJECTED
@click.pass_context
def radar(ctx: click.Context, fmt: str, since: str | None, output: Path | None, include_rejected: bool) -> None:
    """Export the radar as Build-Your-Own-Radar CSV/JSON (name, ring, quadrant, isNew, description);
    `radar import FILE` re-creates register entries from such a file."""
    if ctx.invoked_subcommand is None:
        _export(ctx.find_object(_app_type()), fmt, since, output, include_rejected)


def _app_type():
    from veille.cli import AppContext

    return AppContext


@radar.command("export")
@FORMAT
@SINCE
@OUTPUT
@WITH_REJECTED
@pass_app
def radar_export(app, fmt: str, since: str | None, output: Path | None, include_rejected: bool) -> None:
    """Export the radar (same as `veille radar` with options)."""
    _export(app, fmt, since, output, include_rejected)


@radar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="", help="Rationale recorded in each changed entry's history.")
@BY
@pass_app
def radar_import(app, file: Path, note: str, by: str | None) -> None:
    """Create or move register entries from a BYOR CSV/JSON file."""
    from ui.services.radar import MAX_IMPORT_BYTES, import_byor

    fmt = "json" if file.suffix.lower() == ".json" else "csv" if file.suffix.lower() == ".csv" else None
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_IMPORT_BYTES + 1)  # one byte over the cap is enough to refuse it
    except OSError as exc:
        raise ValidationError(f"{file}: cannot read ({exc.strerror})") from None
    result = import_byor(_ctx(app, by), data, fmt, source=file.name, rationale=note)
    for line in result.errors:
        click.echo(line, err=True)
    click.echo(f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
               f"{len(result.errors)} rejected.")


# --- veille log -------------------------------------------------------------------------------


@click.command("log")
@click.option("--from", "date_from", metavar="DATE", help="First day (default: 90 days ago).")
@click.option("--to", "date_to", metavar="DATE", help="Last day, included (default: today).")
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="html", show_default=True)
@click.option("--lang", type=click.Choice(["en", "fr"]), help="Report language (default: [ui] language).")
@OUTPUT
@pass_app
def veille_log(app, date_from: str | None, date_to: str | None, fmt: str, lang: str | None,
               output: Path | None) -> None:
    """Export the veille log for a period: decisions with rationale and evidence, sources and volumes."""
    from ui.services import veille_log as vlog

    end = _date(date_to, "--to") or clock.today(app.settings.schedule.timezone)
    start = _date(date_from, "--from") or end - timedelta(days=90)
    log = vlog.build_log(_ctx(app), start, end)
    language = lang or app.settings.ui.language
    text = vlog.to_csv(log, language) if fmt == "csv" else vlog.to_html(log, language)
    _write(text, output)
    if output is not None:
        figures = vlog.counts(log)  # the figures the report, the CSV and the app's page show
        click.echo(f"{figures.decisions} decisions, {figures.assessments} assessments, {figures.articles_collected} "
                   f"articles, {figures.sources} sources.", err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(tools())


# --- the evidence dossier --------------------------------------------------------------------------------------


@tools.command("dossier")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def tools_dossier(app, name: str, as_json: bool) -> None:
    """The evidence dossier of a card: every article about it (by its name and aliases) by kind of source, with
    its stance, quantified claims and evidence; the strongest independent evidence; mentions per week and a
    suggested hype stage."""
    from config.errors import ModelError
    from scoring import stance_model
    from scoring.model import LazyEncoder
    from ui.services import dossier

    scoring = app.settings.scoring
    encoder = None
    if stance_model.load(scoring.model) is not None:
        try:  # loaded only if an article about the card has no stored vector yet
            encoder = LazyEncoder(scoring.model, scoring.device)
        except ModelError:
            encoder = None  # not installed here: those articles are read by the rules alone
    d = dossier.build(_ctx(app), name, encoder=encoder)
    if as_json:
        echo_json(d.as_json())
        return
    click.echo(f"{d.tool}" + (f" (also: {', '.join(d.aliases)})" if d.aliases else "")
               + f": {len(d.articles)} articles, " + (", ".join(f"{n} {k}" for k, n in d.by_kind.items()) or "none"))
    level = d.evidence_level
    click.echo("strongest independent evidence: "
               + (f"{level.key} (LTEM tier {level.ltem}, Kirkpatrick level {level.kirkpatrick}: \"{level.cue}\")"
                  if level else "none found"))
    click.echo(f"suggested stage: {d.suggested_stage.stage} ({d.suggested_stage.reason})")
    if not d.learned_model:
        click.echo(f"stance: read by the rules alone (no learned reading for the model {scoring.model!r})")
    elif d.rules_only:
        click.echo(f"stance: {d.rules_only} articles read by the rules alone (no vector)")
    if d.learned_corrections:
        click.echo(f"stance: the learned reading is refitted with {d.learned_corrections} corrections")
    for a in d.articles:
        mark = "*" if a.corrected else " "
        click.echo(f"  {a.published[:10]}  {a.source_kind:<12} {a.stance:<11}{mark} {a.title}")
        if a.cues:
            click.echo(f"  {'':10}  {'':12} because: {', '.join(repr(c) for c in a.cues[:4])}")
        if a.learned is not None:
            click.echo(f"  {'':10}  {'':12} read as {a.stance} by the learned reading, p = {a.learned:.2f}")
        for claim in a.claims:
            click.echo(f"  {'':10}  {'':12} claim{' (vendor)' if a.vendor_claims else ''}: \"{claim}\"")
    if d.timeline:
        click.echo("weeks (mentions / critical / promotional): "
                   + "  ".join(f"{w.week} {w.mentions}/{w.critical}/{w.promotional}" for w in d.timeline
                               if w.mentions))


@tools.command("stance")
@click.argument("name")
@click.argument("article_id")
@click.argument("stance", type=click.Choice(["promotional", "neutral", "critical", "auto"]))
@BY
@pass_app
def tools_stance(app, name: str, article_id: str, stance: str, by: str | None) -> None:
    """Correct the stance of an article towards a card (`auto`: back to the reading of its words)."""
    from ui.services import dossier

    dossier.correct_stance(_ctx(app, by), name, article_id, None if stance == "auto" else stance)
    click.echo(f"{name}: {article_id} is {stance}")


@tools.command("stance-refit")
@click.option("--set", "sets", multiple=True, type=click.Path(path_type=Path),
              help="A labelled set folder (feeds.json, articles.jsonl); default: the shipped fit's sets.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@BY
@pass_app
def tools_stance_refit(app, sets: tuple[Path, ...], as_json: bool, by: str | None) -> None:
    """Refit the dossier's learned stance reading on the labelled sets and your stance corrections (kept next to
    the database; every later dossier uses it). Loads the model."""
    from scoring.model import load_encoder
    from scoring.stance_fit import shipped_sets
    from ui.services import dossier

    model = app.settings.scoring.model
    folders = list(sets) or shipped_sets(model)
    if not folders:
        raise ValidationError("no labelled set found: pass --set FOLDER (tests/data/dossier* in a checkout)")
    result = dossier.refit_stance(_ctx(app, by), load_encoder(model, app.settings.scoring.device), folders)
    if as_json:
        echo_json({"path": result.path, "corrections": result.corrections, "examples": result.examples,
                   "counts": result.counts})
        return
    click.echo(f"stance reading refitted on {result.examples} articles ({result.corrections} of them your "
               f"corrections: " + ", ".join(f"{n} {s}" for s, n in result.counts.items()) + f"), kept in {result.path}")


@tools.command("aliases")
@click.argument("name")
@click.argument("aliases", nargs=-1)
@BY
@pass_app
def tools_aliases(app, name: str, aliases: tuple[str, ...], by: str | None) -> None:
    """Set the other names articles use for a card (none given: clear them)."""
    from ui.services import dossier

    kept = dossier.set_aliases(_ctx(app, by), name, list(aliases))
    click.echo(f"{name}: aliases {', '.join(kept) or 'none'}")


# --- briefings for management ------------------------------------------------------------------------------------

LANG = click.option("--lang", "language", type=click.Choice(["en", "fr"]), default="en", show_default=True,
                    help="Language of the page.")


@tools.command("brief")
@click.argument("name")
@LANG
@OUTPUT
@pass_app
def tools_brief(app, name: str, language: str, output: Path | None) -> None:
    """A card's one-page brief, printable HTML for A4: what it is, the dossier in five lines, the scorecard,
    the decision and its rationale, the trial."""
    from ui.services import briefing

    _write(briefing.card_brief(_ctx(app), name, language), output)


@tools.command("briefing")
@click.option("--quarter", metavar="YEAR-Qn", help="e.g. 2026-Q3 (default: the current quarter).")
@LANG
@OUTPUT
@pass_app
def tools_briefing(app, quarter: str | None, language: str, output: Path | None) -> None:
    """The quarterly briefing across the register, printable HTML for A4: the radar, moves on it, decisions,
    trials, what is rising."""
    from ui.services import briefing

    _write(briefing.quarterly(_ctx(app), quarter, language), output)


# --- managed trials ------------------------------------------------------------------------------------------


@tools.command("trial")
@click.argument("name")
@click.option("--owner", required=True, help="Who runs the trial.")
@click.option("--review", "review_on", required=True, metavar="DATE", help="Review date (YYYY-MM-DD).")
@click.option("--kpi", required=True, help="The success criterion: what must change, and by how much.")
@click.option("--ltem", "ltem_target", required=True, type=click.IntRange(1, 8), help="LTEM level targeted (1-8).")
@click.option("--profile", "profiles", multiple=True, required=True, help="A learner profile concerned (repeat).")
@click.option("--note", required=True, help="The rationale of the decision (mandatory).")
@BY
@pass_app
def tools_trial(app, name: str, owner: str, review_on: str, kpi: str, ltem_target: int, profiles: tuple[str, ...],
                note: str, by: str | None) -> None:
    """Move a card to trial with its plan: owner, review date, KPI, LTEM level targeted, profiles."""
    from ui.services import trials

    trial = trials.start_trial(_ctx(app, by), name, owner=owner, review_on=review_on, kpi=kpi,
                               ltem_target=ltem_target, profiles=list(profiles), rationale=note)
    click.echo(f"{trial.tool}: trial started, owner {trial.owner}, review on {trial.review_on}.")


@tools.command("close-trial")
@click.argument("name")
@click.option("--outcome", required=True, type=click.Choice(["met", "partly", "not_met"]),
              help="Against the trial's criteria.")
@click.option("--result", required=True, help="What was measured.")
@click.option("--status", required=True, type=click.Choice(STATUSES), help="Where the card goes next.")
@click.option("--note", required=True, help="The rationale of the decision (mandatory).")
@BY
@pass_app
def tools_close_trial(app, name: str, outcome: str, result: str, status: str, note: str, by: str | None) -> None:
    """Close a card's trial with its outcome and move the card on (the outcome goes to the history)."""
    from ui.services import trials

    trial = trials.close_trial(_ctx(app, by), name, outcome=outcome, result=result, status=status, rationale=note)
    click.echo(f"{trial.tool}: trial closed ({outcome}), now {status}.")


@tools.command("reviews")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def tools_reviews(app, as_json: bool) -> None:
    """Trial reviews due today or late (the configured time zone)."""
    from dataclasses import asdict

    from ui.services import trials

    due = trials.due_reviews(_ctx(app))
    if as_json:
        echo_json([{**asdict(d.trial), "days_late": d.days_late} for d in due])
        return
    if not due:
        click.echo("no trial review due")
    for d in due:
        late = "due today" if d.days_late == 0 else f"{d.days_late} days late"
        click.echo(f"{d.trial.review_on}  {d.trial.tool}: {late}, owner {d.trial.owner}; KPI: {d.trial.kpi}")


@tools.command("doc")
@click.argument("name")
@click.argument("url")
@click.option("--kind", type=click.Choice(["dpia", "contract", "pilot_report", "other"]), default="other",
              show_default=True)
@click.option("--title", default="", help="What the document is.")
@BY
@pass_app
def tools_doc(app, name: str, url: str, kind: str, title: str, by: str | None) -> None:
    """Attach a document to a card by URL (DPIA, vendor contract, pilot report…)."""
    from ui.services import trials

    added = trials.attach_document(_ctx(app, by), name, url, kind=kind, title=title)
    click.echo(f"{name}: {'attached' if added else 'already attached'} {url}")
