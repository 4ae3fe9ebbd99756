"""Relevance of articles to one learner profile, in 0..1, from stored vectors (never re-embeds).

A score depends only on the article, the profile, the model and the judgements, never on what else the
store holds. Signals, combined linearly through a logistic link fitted per model (scoring/calibrate.py):
- interests: cosine to each interest vector, the best match counts; `why` is that interest;
- description: cosine to the profile description;
- avoid: a penalty when an article is closer to an `avoid` phrase ("VR gaming") than to any interest;
- keywords: the profile's words and their glossary translations found in the article (FTS5), saturated.
English-only models also get per-language centring (centering.py); a multilingual model needs none.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from scoring import bm25
from scoring.centering import Centering, CenteringLike
from scoring.centering import language_of as centering_language
from scoring.feedback import FeedbackModel
from scoring.model import DEFAULT_MODEL, Encoder
from scoring.records import Profile
from scoring.text import phrase_language, query_text
from watcher.db import Store

SCORER_VERSION = "hybrid:v3"
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
SIGNALS = ("best", "top3", "description", "avoid", "keywords", "whole")


@dataclass(frozen=True)
class ScorerConfig:
    """Weights of each signal and the bias of the logistic link: score = sigmoid(Σ weight·signal + bias).

    They are fitted per model by `python -m scoring.calibrate` (logistic regression on a graded gold set) and
    stored in scoring/calibration.json; switching one off (weight 0 / False) is how the ablation is measured.
    """

    w_best: float = 6.0
    w_top3: float = 0.0
    w_description: float = 4.0
    w_avoid: float = 3.0  # a penalty: subtracted
    w_keywords: float = 4.5
    w_whole: float = 0.0
    bias: float = -5.5
    bias_fr: float = 0.0  # added for French articles: the model's cosines run at another level per language
    bias_cross: float = 0.0  # times how far the article's language is from the profile's (|French article −
    # French share of the profile's phrases|): a retelling across languages has lower cosines and fewer keyword
    # hits than one in the profile's own language (leave-one-set-out nDCG@10 0.892 → 0.904, README)
    kw_scale: float = 3.0  # term hits at which the keyword signal reaches 1 − 1/e
    why_min: float = 0.0  # best-interest cosine below which no interest is named as the reason
    partly_target: float = 0.5  # what the fit aimed a partly relevant item at (a record of the calibration)
    gloss: bool = True  # glossary glosses appended to profile phrases before embedding (English-only models)
    bilingual: bool = True  # keywords expanded to both languages through the glossary, so a profile written in
    # French finds English articles by its words too (leave-one-company-out nDCG@10 0.857 → 0.889, README)
    center: bool = True  # per-language mean-centring (English-only models only)
    stem: bool = True  # prefix-stemmed keywords
    model: str = ""  # the model these constants were fitted for ("" = not fitted)

    @classmethod
    def for_encoder(cls, encoder: Encoder) -> ScorerConfig:
        """The constants fitted for this model; a model never fitted gets the default model's."""
        table = calibration_table()
        entry = table.get(encoder.name) or table.get(DEFAULT_MODEL) or {}
        fields = {k: v for k, v in entry.items() if k in cls.__dataclass_fields__}
        config = cls(**fields)
        if encoder.multilingual:  # glossary and centring were crutches of the English-only model: measured,
            config = replace(config, center=False, gloss=False)  # they cost this one (README)
        return config

    def signature(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@lru_cache(maxsize=1)
def calibration_table() -> dict[str, dict]:
    try:
        data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return {k: v for k, v in data.get("models", {}).items() if isinstance(v, dict)}


@dataclass
class ProfileModel:
    profile: Profile
    interest_texts: list[str]
    interests: np.ndarray  # (k, d), centred
    description: np.ndarray | None  # (d,), centred
    avoid: np.ndarray  # (m, d), centred
    centering: CenteringLike
    keywords: dict[str, float] = field(default_factory=dict)  # article id → 0..1
    feedback: FeedbackModel | None = None
    whole: np.ndarray | None = None  # (d,): the whole profile text in one embedding
    french_share: float = 0.0  # share of the profile's phrases (description, interests) written in French


def french_share(profile: Profile) -> float:
    """Share of the profile's phrases (description and interests) written in French, among those whose language
    shows: 1.0 for a profile written in French, 0.0 in English, in between for a bilingual one."""
    known = [lang for lang in map(phrase_language, (profile.description, *profile.interests)) if lang]
    return sum(lang == "fr" for lang in known) / len(known) if known else 0.0


def build_profile(profile: Profile, encoder: Encoder, store: Store | None, centering: CenteringLike | None = None,
                  config: ScorerConfig = ScorerConfig(), feedback: FeedbackModel | None = None) -> ProfileModel:
    """Embed the profile's phrases (a few dozen: milliseconds) and run its keyword query over the store."""
    centering = centering if (centering is not None and config.center) else Centering()

    gloss_texts = config.gloss and not encoder.multilingual

    def embed(texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        vectors = encoder.encode_queries([query_text(t, gloss=gloss_texts) for t in texts])
        return centering.queries(vectors, texts)

    interests = list(profile.interests) or [profile.description or profile.name]
    description = embed([profile.description])[0] if profile.description else None
    whole = embed([" ".join([profile.description, *interests]).strip()])[0]
    keywords: dict[str, float] = {}
    if store is not None and config.w_keywords > 0:
        text = " ".join([profile.description, *profile.interests])
        terms = bm25.query_terms(text, bilingual=config.bilingual, stem=config.stem, generic=False)
        keywords = bm25.saturate(bm25.term_hits(store, terms), config.kw_scale)
    return ProfileModel(profile, interests, embed(interests), description, embed(list(profile.avoid)), centering,
                        keywords, feedback, whole, french_share(profile) if config.bias_cross else 0.0)


def signals(pm: ProfileModel, ids: list[str], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n, 6) signals in SIGNALS order and the index of the best interest, for articles with (centred) vectors x.

    best: cosine to the closest interest; top3: mean of the three closest; description: cosine to the
    description; avoid: how much closer the closest `avoid` phrase is than the best interest (≥ 0);
    keywords: the profile's terms found in the article, saturated into 0..1; whole: cosine to one embedding of
    the whole profile text (description and interests together).
    """
    n = len(ids)
    sims = x @ pm.interests.T
    best_idx = sims.argmax(axis=1)
    best = sims.max(axis=1)
    k = min(3, sims.shape[1])
    top3 = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
    description = x @ pm.description if pm.description is not None else np.zeros(n, dtype=np.float32)
    avoid = (np.clip((x @ pm.avoid.T).max(axis=1) - best, 0.0, None) if len(pm.avoid)
             else np.zeros(n, dtype=np.float32))
    keywords = np.array([pm.keywords.get(i, 0.0) for i in ids], dtype=np.float32)
    whole = x @ pm.whole if pm.whole is not None else np.zeros(n, dtype=np.float32)
    return np.stack([best, top3, description, avoid, keywords, whole], axis=1).astype(np.float32), best_idx


def weights(config: ScorerConfig) -> np.ndarray:
    return np.array([config.w_best, config.w_top3, config.w_description, -config.w_avoid, config.w_keywords,
                     config.w_whole],
                    dtype=np.float32)


def calibrate(raw: np.ndarray, config: ScorerConfig = ScorerConfig()) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(raw + config.bias)))


def score_chunk(pm: ProfileModel, ids: list[str], x: np.ndarray, langs: list[str],
                config: ScorerConfig = ScorerConfig()) -> tuple[np.ndarray, list[str]]:
    """Scores in 0..1 and the `why` (best-matching interest, or the DLM's judgement) of each article.

    `x` are the stored (uncentred) vectors; feedback works on them too.
    """
    xc = pm.centering.articles(x, langs)
    feats, best_idx = signals(pm, ids, xc)
    raw = feats @ weights(config)
    if config.bias_fr or config.bias_cross:
        french = np.array([centering_language(lang) == "fr" for lang in langs], dtype=np.float32)
        raw = raw + config.bias_fr * french + config.bias_cross * np.abs(french - pm.french_share)
    fb = pm.feedback
    if fb is not None:
        # moving the profile towards the judged articles moves every dense signal at once
        raw = fb.adjust_raw(xc, raw, config.w_best + config.w_top3 + config.w_description + config.w_whole)
    scores = calibrate(raw, config)
    if fb is not None:
        scores = fb.blend(xc, scores)
    best = feats[:, SIGNALS.index("best")]
    why = [pm.interest_texts[j] if b >= config.why_min else "" for j, b in zip(best_idx, best, strict=True)]
    if fb is not None and fb.judged:
        for n, article_id in enumerate(ids):
            label = fb.judged.get(article_id)
            if label is not None:  # judged articles keep their judged place
                scores[n] = 1.0 if label > 0 else 0.0
                why[n] = "judged relevant" if label > 0 else "judged irrelevant"
    return np.clip(scores, 0.0, 1.0), why
