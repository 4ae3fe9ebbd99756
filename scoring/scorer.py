"""Relevance of articles to one learner profile, in 0..1, from stored vectors (never re-embeds).

Signals (vectors mean-centred per language, see centering.py), combined linearly then calibrated with a
logistic curve into 0..1:
- keywords: BM25 of the profile's words and their glossary translations (FTS5), scaled to 0..1;
- interests: cosine to each interest vector, the best match counts; `why` is that interest;
- description: cosine to the profile description;
- avoid: a penalty when an article is closer to an `avoid` phrase ("VR gaming") than to any interest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scoring import bm25
from scoring.centering import Centering
from scoring.feedback import FeedbackModel
from scoring.model import Encoder
from scoring.records import Profile
from scoring.text import query_text
from watcher.db import Store

SCORER_VERSION = "hybrid:v2"


@dataclass(frozen=True)
class ScorerConfig:
    """Weights of each signal; switching one off (weight 0 / False) is how the ablation is measured."""

    w_keywords: float = 1.0
    w_best: float = 0.6
    w_top3: float = 0.0
    w_description: float = 0.3
    w_avoid: float = 1.0
    gloss: bool = True  # glossary glosses on profile texts and bilingual keyword expansion
    center: bool = True  # per-language mean-centering of vectors
    stem: bool = False  # prefix-stemmed keywords (measured: worse)
    # calibration: score = sigmoid(slope · (raw − centre)), fitted once on the project's gold set
    slope: float = 5.4
    centre: float = 0.59


@dataclass
class ProfileModel:
    profile: Profile
    interest_texts: list[str]
    interests: np.ndarray  # (k, d), centred
    description: np.ndarray | None  # (d,), centred
    avoid: np.ndarray  # (m, d), centred
    centering: Centering
    keywords: dict[str, float] = field(default_factory=dict)  # article id → 0..1
    feedback: FeedbackModel | None = None


def build_profile(profile: Profile, encoder: Encoder, store: Store | None, centering: Centering | None = None,
                  config: ScorerConfig = ScorerConfig(), feedback: FeedbackModel | None = None) -> ProfileModel:
    """Embed the profile's phrases (a few dozen: milliseconds) and run its keyword query over the store."""
    centering = centering if (centering is not None and config.center) else Centering()

    def embed(texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        vectors = encoder.encode_queries([query_text(t, gloss=config.gloss) for t in texts])
        return centering.queries(vectors, texts)

    interests = list(profile.interests) or [profile.description or profile.name]
    description = embed([profile.description])[0] if profile.description else None
    keywords: dict[str, float] = {}
    if store is not None and config.w_keywords > 0:
        text = " ".join([profile.description, *profile.interests])
        terms = bm25.query_terms(text, bilingual=config.gloss, stem=config.stem)
        keywords = bm25.normalise(bm25.bm25_scores(store, terms))
    return ProfileModel(profile, interests, embed(interests), description, embed(list(profile.avoid)), centering,
                        keywords, feedback)


def raw_scores(pm: ProfileModel, ids: list[str], x: np.ndarray, config: ScorerConfig = ScorerConfig()):
    """(uncalibrated scores, index of the best interest) for articles `ids` with (centred) vectors `x`."""
    sims = x @ pm.interests.T
    best_idx = sims.argmax(axis=1)
    best = sims.max(axis=1)
    raw = config.w_best * best
    if config.w_top3:
        k = min(3, sims.shape[1])
        raw = raw + config.w_top3 * np.sort(sims, axis=1)[:, -k:].mean(axis=1)
    if pm.description is not None and config.w_description:
        raw = raw + config.w_description * (x @ pm.description)
    if config.w_keywords > 0 and pm.keywords:
        raw = raw + config.w_keywords * np.array([pm.keywords.get(i, 0.0) for i in ids], dtype=np.float32)
    if config.w_avoid > 0 and len(pm.avoid):
        closest_avoid = (x @ pm.avoid.T).max(axis=1)
        raw = raw - config.w_avoid * np.clip(closest_avoid - best, 0.0, None)
    return raw, best_idx


def calibrate(raw: np.ndarray, config: ScorerConfig = ScorerConfig()) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-config.slope * (raw - config.centre)))


def score_chunk(pm: ProfileModel, ids: list[str], x: np.ndarray, langs: list[str],
                config: ScorerConfig = ScorerConfig()) -> tuple[np.ndarray, list[str]]:
    """Scores in 0..1 and the `why` (best-matching interest, or the DLM's judgement) of each article.

    `x` are the stored (uncentred) vectors; feedback works on them too.
    """
    xc = pm.centering.articles(x, langs)
    raw, best_idx = raw_scores(pm, ids, xc, config)
    fb = pm.feedback
    if fb is not None:
        raw = fb.adjust_raw(xc, raw)
    scores = calibrate(raw, config)
    if fb is not None:
        scores = fb.blend(xc, scores)
    why = [pm.interest_texts[j] for j in best_idx]
    if fb is not None and fb.judged:
        for n, article_id in enumerate(ids):
            label = fb.judged.get(article_id)
            if label is not None:  # judged articles keep their judged place
                scores[n] = 1.0 if label > 0 else 0.0
                why[n] = "judged relevant" if label > 0 else "judged irrelevant"
    return np.clip(scores, 0.0, 1.0), why
