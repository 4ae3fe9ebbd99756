"""The evidence dossier of a register card (`veille tools dossier`, the register page): every article about it,
by kind of source, with its stance, quantified claims and evidence; the strongest independent evidence level;
the timeline of mentions and a suggested hype stage. Built from the store on each call, so it is current as new
articles arrive. The DLM's stance corrections are kept and win over the reading of the words."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from config import clock
from config.errors import ValidationError, terms
from config.settings import SOURCE_KINDS
from scoring import dossier as rules
from scoring.stance import STANCES, Evidence, read
from ui.services.context import ServiceContext, now_iso, require_editor
from ui.services.tools import normalize_name, tool_row
from watcher.store import dossier as dossier_store
from watcher.store import tools as tools_store

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
                "evidence": asdict(a.evidence) if a.evidence else None,
            } for a in self.articles],
            "by_kind": self.by_kind,
            "timeline": [asdict(w) for w in self.timeline],
            "evidence_level": ({"key": level.key, "ltem": level.ltem, "kirkpatrick": level.kirkpatrick,
                                "cue": level.cue} if level else None),
            "suggested_stage": self.suggested_stage.stage,
            "stage_reason": self.suggested_stage.reason,
        }


def build(ctx: ServiceContext, name: str) -> Dossier:
    """The dossier of the card `name` (NotFoundError when it is not in the register)."""
    tool = tool_row(ctx, name)
    names = (tool.name, *tool.aliases)
    pattern = rules.names_pattern(names)
    context = rules.context_words(tool.description, (k for t in ctx.settings.topics for k in t.keywords))
    corrected = dossier_store.corrections(ctx.store, tool.id)
    articles = []
    for m in dossier_store.mentions(ctx.store, names):
        if not rules.about(m.title, m.summary, pattern, context):
            continue
        vendor = m.source_kind == "vendor"
        reading = read(m.title, m.summary, vendor=vendor)
        stance = corrected.get(m.id, reading.stance)
        articles.append(rules.DossierArticle(
            id=m.id, url=m.url, title=m.title, published=m.published, language=m.language,
            source_kind=m.source_kind, feed_title=m.feed_title, stance=stance, cues=reading.cues,
            corrected=m.id in corrected, claims=reading.claims, vendor_claims=vendor and bool(reading.claims),
            evidence=reading.evidence))
    zone = clock.zone(ctx.settings.schedule.timezone)
    weeks = rules.timeline([(clock.parse_instant(a.published), a.stance) for a in articles], zone, clock.now())
    independent = [a.evidence for a in articles if a.evidence and a.source_kind in INDEPENDENT]
    kinds = Counter(a.source_kind for a in articles)
    return Dossier(
        tool=tool.name, aliases=tool.aliases, articles=tuple(articles),
        by_kind={k: kinds[k] for k in SOURCE_KINDS if kinds[k]}, timeline=tuple(weeks),
        evidence_level=max(independent, key=lambda e: e.ltem, default=None),
        suggested_stage=rules.stage(weeks))


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
