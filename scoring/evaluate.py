"""Ranking quality on a graded gold set: nDCG@10 and P@10 per profile, for the scorer and two baselines.

The gold items go into a temporary database and through the real embedding code, so what is measured is what
`veille score` does. Baselines: BM25 of the profile text with the same bilingual expansion and stemming as the
scorer, and naive cosine between one embedding of the whole profile text and one of the raw article text.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from config.errors import ValidationError
from scoring import bm25, centering
from scoring.embedder import embed_pending
from scoring.model import Encoder
from scoring.records import ArticleText, EvalRow, Profile
from scoring.scorer import ScorerConfig, build_profile, score_chunk
from watcher.db import Store, open_store
from watcher.store import gold
from watcher.store.embeddings import iter_vectors

K = 10


@dataclass(frozen=True)
class GoldItem:
    id: str
    title: str
    summary: str
    lang: str
    labels: dict[str, int]


def load_gold(path: Path | str) -> list[GoldItem]:
    """Read a JSONL gold file; a bad line is reported with its number."""
    items: list[GoldItem] = []
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read gold file ({exc.strerror})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            labels = {str(k): int(v) for k, v in row["labels"].items()}
            items.append(GoldItem(str(row.get("id") or f"line{n}"), row["title"], row.get("summary", ""),
                                  row.get("lang", ""), labels))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValidationError(f"{path}:{n}: bad gold line ({type(exc).__name__}: {exc})") from None
    if not items:
        raise ValidationError(f"{path}: no gold items")
    return items


def gold_store(items: Sequence[GoldItem], path: Path | str = ":memory:") -> Store:
    """A database holding the gold items as articles of one feed."""
    store = open_store(path)
    gold.add_articles(store, [ArticleText(it.id, it.title, it.summary, it.lang,
                                          hashlib.sha1(f"{it.title}\n{it.summary}".encode()).hexdigest())
                              for it in items])
    return store


def ndcg(ranked: Sequence[int], all_labels: Iterable[int], k: int = K) -> float:
    def dcg(labels: Sequence[int]) -> float:
        return sum((2 ** rel - 1) / math.log2(i + 2) for i, rel in enumerate(labels[:k]))

    ideal = dcg(sorted(all_labels, reverse=True))
    return dcg(ranked) / ideal if ideal > 0 else 0.0


def precision(ranked: Sequence[int], k: int = K) -> float:
    return sum(1 for rel in ranked[:k] if rel >= 1) / k


def rank_metrics(system: str, profile: str, scores: dict[str, float], items: Sequence[GoldItem]) -> EvalRow:
    order = sorted(items, key=lambda it: (-scores.get(it.id, 0.0), it.id))
    ranked = [it.labels.get(profile, 0) for it in order]
    return EvalRow(system, profile, ndcg(ranked, [it.labels.get(profile, 0) for it in items]), precision(ranked))


def all_vectors(store: Store, model: str) -> tuple[list[str], np.ndarray, list[str]]:
    ids, mats, langs = [], [], []
    for chunk_ids, x, chunk_langs in iter_vectors(store, model, with_language=True):
        ids.extend(chunk_ids)
        mats.append(x)
        langs.extend(chunk_langs)
    return ids, np.vstack(mats), langs


def scorer_scores(store: Store, encoder: Encoder, profile: Profile, ids: list[str], x: np.ndarray,
                  langs: list[str], config: ScorerConfig | None = None) -> dict[str, float]:
    config = config or ScorerConfig.for_encoder(encoder)
    cen = centering.Centering() if encoder.multilingual else centering.fit_arrays(x, langs)
    pm = build_profile(profile, encoder, store, cen, config)
    scores, _why = score_chunk(pm, ids, x, langs, config)
    return dict(zip(ids, scores.tolist(), strict=True))


def bm25_baseline(store: Store, profile: Profile) -> dict[str, float]:
    text = " ".join([profile.description, *profile.interests])
    return bm25.bm25_scores(store, bm25.query_terms(text, bilingual=True, stem=True))


def naive_passages(encoder: Encoder, items: Sequence[GoldItem]) -> np.ndarray:
    """The naive baseline's item vectors (title and summary, nothing else), encoded once for all profiles."""
    return np.asarray(encoder.encode_passages([f"{it.title}. {it.summary}" for it in items]))


def cosine_baseline(encoder: Encoder, profile: Profile, items: Sequence[GoldItem],
                    passages: np.ndarray | None = None) -> dict[str, float]:
    query = encoder.encode_queries([" ".join([profile.description, *profile.interests])])[0]
    x = naive_passages(encoder, items) if passages is None else passages
    return dict(zip([it.id for it in items], (x @ query).tolist(), strict=True))


def evaluate(items: Sequence[GoldItem], profiles: Sequence[Profile], encoder: Encoder,
             config: ScorerConfig | None = None, *, baselines: bool = True,
             other_encoders: Sequence[Encoder] = ()) -> list[EvalRow]:
    """EvalRows for every (system, profile) plus a 'mean' row per system; `other_encoders` add a naive-cosine
    baseline each ("cosine NAME")."""
    keys = {k for it in items for k in it.labels}
    profiles = [p for p in profiles if p.key in keys]
    if not profiles:
        raise ValidationError("no profile of the configuration is labelled in the gold file")
    store = gold_store(items)
    try:
        embed_pending(store, encoder)
        ids, x, langs = all_vectors(store, encoder.name)
        rows: list[EvalRow] = []
        naive = {e.name: naive_passages(e, items) for e in (encoder, *other_encoders)} if baselines else {}
        for p in profiles:
            rows.append(rank_metrics("scorer", p.key, scorer_scores(store, encoder, p, ids, x, langs, config), items))
            if baselines:
                rows.append(rank_metrics("bm25", p.key, bm25_baseline(store, p), items))
                for e, system in ((encoder, "cosine"), *((o, f"cosine {o.name}") for o in other_encoders)):
                    rows.append(rank_metrics(system, p.key, cosine_baseline(e, p, items, naive[e.name]), items))
    finally:
        store.close()
    return with_means(rows)


def calibration(items: Sequence[GoldItem], profiles: Sequence[Profile], encoder: Encoder,
                config: ScorerConfig | None = None) -> dict[str, float]:
    """What a score of 0.5 means on this set, over every labelled (item, profile) pair: the share of scores
    ≥ 0.5 that are relevant (label ≥ 1), and the share of clearly relevant items (label 2) that score ≥ 0.5."""
    keys = {k for it in items for k in it.labels}
    store = gold_store(items)
    above = relevant_above = clear = clear_above = 0
    try:
        embed_pending(store, encoder)
        ids, x, langs = all_vectors(store, encoder.name)
        by_id = {it.id: it for it in items}
        for p in (p for p in profiles if p.key in keys):
            for article_id, score in scorer_scores(store, encoder, p, ids, x, langs, config).items():
                label = by_id[article_id].labels.get(p.key, 0)
                above += score >= 0.5
                relevant_above += score >= 0.5 and label >= 1
                clear += label == 2
                clear_above += label == 2 and score >= 0.5
    finally:
        store.close()
    return {"scores_at_least_half": above, "relevant_share": relevant_above / max(1, above),
            "clearly_relevant": clear, "clearly_relevant_at_least_half": clear_above / max(1, clear)}


def by_language(items: Sequence[GoldItem], profiles: Sequence[Profile], encoder: Encoder,
                other_encoders: Sequence[Encoder] = ()) -> dict[str, list[EvalRow]]:
    """The same evaluation on the French items only and on the English items only."""
    out = {}
    for lang in ("fr", "en"):
        subset = [it for it in items if it.lang == lang]
        if subset:
            out[lang] = evaluate(subset, profiles, encoder, other_encoders=other_encoders)
    return out


def with_means(rows: list[EvalRow]) -> list[EvalRow]:
    out = list(rows)
    for system in dict.fromkeys(r.system for r in rows):
        mine = [r for r in rows if r.system == system]
        out.append(EvalRow(system, "mean", sum(r.ndcg10 for r in mine) / len(mine),
                           sum(r.p10 for r in mine) / len(mine)))
    return out


def table(rows: Sequence[EvalRow]) -> str:
    """A plain text table: one line per profile, nDCG@10 / P@10 per system."""
    systems = list(dict.fromkeys(r.system for r in rows))
    profiles = list(dict.fromkeys(r.profile for r in rows))
    by = {(r.system, r.profile): r for r in rows}
    head = f"{'profile':<12}" + "".join(f"{s + ' nDCG@10':>16}{'P@10':>7}" for s in systems)
    lines = [head, "-" * len(head)]
    for p in profiles:
        cells = "".join(f"{by[(s, p)].ndcg10:>16.3f}{by[(s, p)].p10:>7.2f}" if (s, p) in by else " " * 23
                        for s in systems)
        lines.append(f"{p:<12}{cells}")
    return "\n".join(lines)
