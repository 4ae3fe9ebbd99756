"""The evidence dossier of a register card (`veille tools dossier`, the register page): every article about it,
by kind of source, with its stance, quantified claims and evidence; the strongest independent evidence level;
the timeline of mentions and a suggested hype stage. Built from the store on each call, so it is current as new
articles arrive. The DLM's stance corrections are kept and win over the reading of the words.

The stance is the rules' reading (scoring.stance) combined with the learned one (scoring.stance_model) when the
package has one for the configured model: from the article vectors the store holds for that model (same text
recipe), else, given an encoder, from vectors encoded here; an article with neither is read by the rules alone."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from config import clock
from config.errors import ValidationError, terms
from config.settings import SOURCE_KINDS
from scoring import dossier as rules
from scoring import stance_model
from scoring.stance import STANCES, Evidence, read
from ui.services.context import ServiceContext, now_iso, require_editor
from ui.services.tools import normalize_name, tool_row
from watcher.store import dossier as dossier_store
from watcher.store import embeddings as embeddings_store
from watcher.store import tools as tools_store

if TYPE_CHECKING:
    from scoring.model import Encoder

INDEPENDENT = ("research", "practitioner", "press", "regulator")  # kinds whose evidence counts as independent


@dataclass(frozen=True)
class Dossier:
    tool: str
    aliases: tuple[str, ...]
    articles: tuple[rules.DossierArticle, ...]  # newest first
    by_kind: dict[str, int]  # kind of source → articles
    timeline: tuple[rules.Week, ...]
    evidence_level: Evidence | None  # the strongest from an independent source: a suggestion for the scorecard
    suggested_stage: rules.Stage
    learned_model: str = ""  # the model whose learned stance reading took part; "" when the rules alone read
    learned_corrections: int = 0  # the DLM's corrections it was refitted with (0: the shipped fit)
    rules_only: int = 0  # articles the learned reading could not see (no vector stored, no encoder given)

    def as_json(self) -> dict:
        """The `veille tools dossier --json` document (README)."""
        level = self.evidence_level
        return {
            "tool": self.tool,
            "aliases": list(self.aliases),
            "articles": [{
                "id": a.id, "url": a.url, "title": a.title, "published": a.published, "language": a.language,
                "source_kind": a.source_kind, "feed": a.feed_title, "stance": a.stance, "stance_cues": list(a.cues),
                "stance_corrected": a.corrected, "claims": list(a.claims), "vendor_claims": a.vendor_claims,
                "evidence": asdict(a.evidence) if a.evidence else None, "stance_learned": a.learned,
            } for a in self.articles],
            "learned_reading": {"model": self.learned_model or None, "rules_only": self.rules_only,
                                "corrections": self.learned_corrections},
            "by_kind": self.by_kind,
            "timeline": [asdict(w) for w in self.timeline],
            "evidence_level": ({"key": level.key, "ltem": level.ltem, "kirkpatrick": level.kirkpatrick,
                                "cue": level.cue} if level else None),
            "suggested_stage": self.suggested_stage.stage,
            "stage_reason": self.suggested_stage.reason,
        }


def build(ctx: ServiceContext, name: str, encoder: Encoder | None = None) -> Dossier:
    """The dossier of the card `name` (NotFoundError when it is not in the register). `encoder` (the configured
    model's, already loaded or lazy) encodes the articles the store holds no vector for; without it they are read
    by the rules alone."""
    tool = tool_row(ctx, name)
    names = (tool.name, *tool.aliases)
    pattern = rules.names_pattern(names)
    context = rules.context_words(tool.description, (k for t in ctx.settings.topics for k in t.keywords))
    corrected = dossier_store.corrections(ctx.store, tool.id)
    found = [m for m in dossier_store.mentions(ctx.store, names) if rules.about(m.title, m.summary, pattern, context)]
    learned = stance_model.effective(ctx.settings.scoring.model, ctx.settings.database_path.parent)
    probabilities = _learned(ctx, learned, found, encoder) if learned else {}
    classes = learned.classes if learned else STANCES
    articles = []
    for m in found:
        vendor = m.source_kind == "vendor"
        reading = read(m.title, m.summary, vendor=vendor)
        decision = stance_model.combine(reading.stance, probabilities.get(m.id), classes,
                                         learned.critical_at if learned else None)
        stance = corrected.get(m.id, decision.stance)
        articles.append(rules.DossierArticle(
            id=m.id, url=m.url, title=m.title, published=m.published, language=m.language,
            source_kind=m.source_kind, feed_title=m.feed_title, stance=stance, cues=reading.cues,
            corrected=m.id in corrected, claims=reading.claims, vendor_claims=vendor and bool(reading.claims),
            evidence=reading.evidence, learned=None if m.id in corrected else decision.learned))
    zone = clock.zone(ctx.settings.schedule.timezone)
    weeks = rules.timeline([(clock.parse_instant(a.published), a.stance) for a in articles], zone, clock.now())
    independent = [a.evidence for a in articles if a.evidence and a.source_kind in INDEPENDENT]
    kinds = Counter(a.source_kind for a in articles)
    return Dossier(
        tool=tool.name, aliases=tool.aliases, articles=tuple(articles),
        by_kind={k: kinds[k] for k in SOURCE_KINDS if kinds[k]}, timeline=tuple(weeks),
        evidence_level=max(independent, key=lambda e: e.ltem, default=None),
        suggested_stage=rules.stage(weeks), learned_model=learned.model if learned else "",
        learned_corrections=int(learned.provenance.get("corrections", 0)) if learned else 0,
        rules_only=sum(m.id not in probabilities for m in found) if learned else 0)


def _learned(ctx: ServiceContext, learned: stance_model.LearnedStance, found: list, encoder: Encoder | None
             ) -> dict[str, np.ndarray]:
    """article id → the learned reading's probabilities (for the articles it can see: `_vectors`)."""
    vectors = _vectors(ctx, learned, [(m.id, m.title, m.summary) for m in found], encoder)
    seen = [m for m in found if m.id in vectors]
    if not seen:
        return {}
    probs = learned.probabilities(np.vstack([vectors[m.id] for m in seen]), [m.source_kind == "vendor" for m in seen])
    return {m.id: row for m, row in zip(seen, probs, strict=True)}


def _vectors(ctx: ServiceContext, learned: stance_model.LearnedStance, items: list[tuple[str, str, str]],
             encoder: Encoder | None) -> dict[str, np.ndarray]:
    """article id → its vector for the learned reading's model: the stored one when the store's vectors were made
    from the same text recipe, else encoded with `encoder` (items: id, title, summary); none without either."""
    vectors: dict[str, np.ndarray] = {}
    ids = [i for i, _t, _s in items]
    if ids and embeddings_store.recipe(ctx.store, learned.model) == learned.recipe:
        for got, matrix in embeddings_store.iter_vectors(ctx.store, learned.model, ids=ids):
            vectors.update(zip(got, matrix, strict=True))
    missing = [(i, t, s) for i, t, s in items if i not in vectors]
    if missing and encoder is not None:
        encoded = encoder.encode_passages([stance_model.article_text(t, s, learned.model) for _i, t, s in missing])
        vectors.update(zip((i for i, _t, _s in missing), np.asarray(encoded), strict=True))
    return {i: v for i, v in vectors.items() if len(v) + 1 == learned.coef.shape[0]}


@dataclass(frozen=True)
class Refit:
    path: str  # the refitted reading, next to the database
    corrections: int  # the DLM's corrections used as examples
    examples: int  # with the labelled sets' articles
    counts: dict[str, int]  # examples per stance


def refit_stance(ctx: ServiceContext, encoder: Encoder, sets: list[Path]) -> Refit:
    """Refit the learned stance reading of the configured model on the labelled sets `sets` and the DLM's stance
    corrections (each a labelled example), and keep it next to the database: every later dossier uses it. Needs
    the shipped fit for that model (its provenance says how it was made)."""
    from scoring import stance_fit

    require_editor(ctx.user)
    model = ctx.settings.scoring.model
    shipped = stance_model.load(model)
    if shipped is None:
        raise ValidationError(f"no learned stance reading for the model {model!r}: nothing to refit",
                              key="err.stance.no_model", model=model)
    rows = dossier_store.corrected_articles(ctx.store)
    vectors = _vectors(ctx, shipped, [(r.article_id, r.title, r.summary) for r in rows], encoder)
    rows = [r for r in rows if r.article_id in vectors]
    extra = stance_fit.Examples(np.vstack([vectors[r.article_id] for r in rows]) if rows
                                else np.zeros((0, shipped.coef.shape[0] - 1)),
                                [r.source_kind == "vendor" for r in rows], [r.stance for r in rows], [])
    labelled = {folder.name: stance_fit.set_examples(folder, encoder) for folder in sets}
    data = stance_fit.join([ex for ex, _digest in labelled.values()] + [extra])
    c = float(shipped.provenance.get("c", stance_model.C_DEFAULT))
    provenance = {
        "command": "veille tools stance-refit", "refitted_at": now_iso(), "by": ctx.user.name,
        "sets": {name: {"sha256": digest, "articles": len(ex)} for name, (ex, digest) in labelled.items()},
        "corrections": len(rows), "counts": {s: data.gold.count(s) for s in STANCES}, "c": c,
        "critical_at": shipped.critical_at,
        "class_weight": "balanced", "shipped": shipped.provenance.get("command", ""),
    }
    learned = stance_fit.train(shipped.model, data, c, provenance, shipped.critical_at)
    path = stance_model.model_path(model, ctx.settings.database_path.parent)
    stance_model.write(learned, path)
    return Refit(str(path), len(rows), len(data), provenance["counts"])


def correct_stance(ctx: ServiceContext, name: str, article_id: str, stance: str | None) -> None:
    """The DLM says what an article's stance towards the card is (None: back to the reading of its words)."""
    require_editor(ctx.user)
    if stance is not None and stance not in STANCES:
        raise ValidationError(f"stance {stance!r}: one of {', '.join(STANCES)}", key="err.stance.unknown",
                              got=str(stance), allowed=terms("term.stance", STANCES))
    tool = tool_row(ctx, name)
    dossier_store.correct(ctx.store, tool.id, article_id, stance, ctx.user.name, now_iso())


def set_aliases(ctx: ServiceContext, name: str, aliases: list[str]) -> tuple[str, ...]:
    """The other names articles use for the card (the dossier finds it by them too)."""
    require_editor(ctx.user)
    tool = tool_row(ctx, name)
    given = (normalize_name(x) for x in aliases)
    clean = tuple(dict.fromkeys(a for a in given if a and a.lower() != tool.name.lower()))
    tools_store.set_aliases(ctx.store, tool.id, clean, now_iso())
    return clean
