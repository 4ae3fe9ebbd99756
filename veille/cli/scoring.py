"""CLI commands of the scoring area: score, feedback, eval, profiles (registered in watcher/cli.py COMMANDS)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from config.errors import ValidationError
from veille.cli import echo_json, pass_app


class _Bars:
    """One tqdm bar per stage on stderr (silent when stderr is not a terminal and --json is asked)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bars: dict = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=stage, unit="art", file=sys.stderr, leave=False)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@click.command()
@click.option("--rescore", is_flag=True, help="Rescore every article for every profile, topic and cluster.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_app
def score(app, rescore: bool, as_json: bool) -> None:
    """Embed new articles (once per model), score all profiles, assign topics and story clusters."""
    from scoring.pipeline import score as run

    bars = _Bars(enabled=not as_json)
    try:
        summary = run(app.settings, app.store, rescore=rescore, progress=bars)
    finally:
        bars.close()
    if as_json:
        echo_json(summary.as_dict())
        return
    click.echo(f"model {summary.model}: embedded {summary.embedded}, scored {summary.scored}, "
               f"topics {summary.topics}, stories with several sources {summary.clusters} "
               f"({summary.seconds:.1f} s)")


@click.command()
@click.argument("article_id")
@click.option("--profile", "profile_key", required=True, help="Profile key the judgement is about.")
@click.option("--relevant/--irrelevant", default=None, help="The judgement.")
@click.option("--undo", is_flag=True, help="Withdraw the judgement of this article for this profile.")
@click.option("--user", default="", help="Who judged (recorded with the judgement).")
@pass_app
def feedback(app, article_id: str, profile_key: str, relevant: bool | None, undo: bool, user: str) -> None:
    """Record (or --undo) the DLM's judgement of an article for a profile; that profile is re-ranked at once
    from stored vectors (nothing is re-embedded)."""
    from scoring import feedback as fb
    from scoring.pipeline import rescore_profile
    from scoring.profiles import get_profile
    from scoring.records import Feedback

    if undo == (relevant is not None):
        raise ValidationError("say --relevant, --irrelevant or --undo")
    get_profile(app.settings, app.store, profile_key)
    if undo:
        if not fb.forget(app.store, article_id, profile_key):
            raise ValidationError(f"{article_id}: no judgement for {profile_key} to undo")
        what = "judgement withdrawn"
    else:
        fb.record(app.store, Feedback(article_id, profile_key, 1 if relevant else -1, user))
        what = "relevant" if relevant else "irrelevant"
    rescore_profile(app.settings, app.store, profile_key)
    from watcher.store import scores

    now = scores.place(app.store, article_id, profile_key)
    place = f": now {now[0]:.0%}, rank {now[1]}" if now else ""
    click.echo(f"{article_id}: {what} for {profile_key}, re-ranked{place}")


@click.command()
@click.option("--gold", "gold_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSONL gold file: title, summary, lang, labels{profile: 0|1|2}.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.option("--no-minilm", is_flag=True, help="Skip the naive-cosine baseline on all-MiniLM-L6-v2.")
@pass_app
def evaluate(app, gold_path: Path, as_json: bool, no_minilm: bool) -> None:
    """nDCG@10 and P@10 per profile for the scorer, a BM25 baseline and naive cosine."""
    from scoring.evaluate import by_language, calibration, load_gold, table
    from scoring.evaluate import evaluate as run
    from scoring.model import MINILM, load_encoder
    from scoring.profiles import effective_profiles

    if not gold_path.exists():
        raise ValidationError(f"{gold_path}: gold file not found")
    items = load_gold(gold_path)
    encoder = load_encoder(app.settings.scoring.model, app.settings.scoring.device)
    others = [] if no_minilm or encoder.name.lower() == MINILM.lower() else [load_encoder(MINILM)]
    profiles = effective_profiles(app.settings, app.store)
    rows = run(items, profiles, encoder, other_encoders=others)
    per_language = by_language(items, profiles, encoder, others) if len({it.lang for it in items}) > 1 else {}
    if as_json:
        echo_json([dict(r.as_dict(), language="all") for r in rows]
                  + [dict(r.as_dict(), language=lang) for lang, part in per_language.items() for r in part])
    else:
        click.echo(f"{len(items)} gold items, model {encoder.name}")
        click.echo(table(rows))
        for lang, part in per_language.items():
            n = sum(it.lang == lang for it in items)
            click.echo(f"\n{lang.upper()} items only ({n})")
            click.echo(table(part))
        cal = calibration(items, profiles, encoder)
        click.echo(f"\nscores >= 0.5: {cal['scores_at_least_half']}, relevant (label >= 1): "
                   f"{cal['relevant_share']:.0%}; clearly relevant items (label 2) scoring >= 0.5: "
                   f"{cal['clearly_relevant_at_least_half']:.0%} of {cal['clearly_relevant']}")


@click.group()
def profiles() -> None:
    """Learner profiles (config, edited in the app) and their top articles."""


@profiles.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def profiles_list(app, as_json: bool) -> None:
    """List the effective profiles."""
    from scoring.profiles import effective_profiles

    items = effective_profiles(app.settings, app.store)
    if as_json:
        echo_json([p.as_dict() for p in items])
        return
    if not items:
        click.echo("no profiles configured")
    for p in items:
        click.echo(f"{p.key:<12} {p.name}  ({len(p.interests)} interests, {len(p.avoid)} avoid, {p.source})")


@profiles.command("show")
@click.argument("key")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000), help="How many articles.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def profiles_show(app, key: str, top: int, as_json: bool) -> None:
    """Show a profile and its top articles with scores and why (best-matching interest)."""
    from scoring.profiles import get_profile
    from scoring.ranking import top_articles

    profile = get_profile(app.settings, app.store, key)
    ranked = top_articles(app.store, key, top)
    if as_json:
        echo_json({"profile": profile.as_dict(), "articles": [r.as_dict() for r in ranked]})
        return
    click.echo(f"{profile.key}: {profile.name}")
    if not ranked:
        click.echo("no scored articles yet: run `veille score`")
    for r in ranked:
        click.echo(f"{r.score:.2f}  {r.title[:80]}  [{r.article_id}]\n      why: {r.why}")


__all__ = ["score", "feedback", "evaluate", "profiles"]
