"""Multi-label topics per article: similarity to each topic's description plus bilingual keyword rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from scoring.centering import CenteringLike
from scoring.glossary import normalize
from scoring.model import Encoder
from scoring.records import ArticleText
from scoring.text import query_text

SIM_FLOOR = 0.0  # centred cosine at which the similarity part starts counting
SIM_SPAN = 0.35  # ...and reaches its full weight (demo corpus: P 0.85, R 0.70)
KEYWORD_HITS_FULL = 2  # distinct keyword hits (title hits count twice) for the full keyword weight
THRESHOLD = 0.35


@dataclass
class TopicModel:
    keys: list[str]
    vectors: np.ndarray  # (t, d) centred
    patterns: list[re.Pattern | None]


def _keyword_pattern(keywords) -> re.Pattern | None:
    terms = sorted({normalize(k).strip() for k in keywords if k.strip()}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(t) for t in terms) + r")(?:s|x|es)?(?![a-z0-9])")


def build(topics, encoder: Encoder, centering: CenteringLike) -> TopicModel:
    texts = [f"{t.label}. {t.description}" for t in topics]
    vectors = encoder.encode_queries([query_text(t) for t in texts]) if texts else np.zeros((0, encoder.dim))
    return TopicModel([t.key for t in topics], centering.queries(vectors, texts),
                      [_keyword_pattern(t.keywords) for t in topics])


def keyword_hits(pattern: re.Pattern | None, title: str, body: str) -> int:
    """Distinct keywords in the title (twice) and the body; both already `normalize`d."""
    if pattern is None:
        return 0
    in_title = {m.group(1) for m in pattern.finditer(title)}
    in_body = {m.group(1) for m in pattern.finditer(body)}
    return 2 * len(in_title) + len(in_body - in_title)


def assign(model: TopicModel, articles: list[ArticleText], xc: np.ndarray) -> list[list[tuple[str, float]]]:
    """For each article, the (topic key, score) pairs at or above THRESHOLD, best first."""
    if not model.keys or not articles:
        return [[] for _ in articles]
    sims = np.clip((xc @ model.vectors.T - SIM_FLOOR) / SIM_SPAN, 0.0, 1.0)
    out = []
    for n, article in enumerate(articles):
        found = []
        title, body = normalize(article.title), normalize(article.summary[:3000])  # once, not once per topic
        for t, key in enumerate(model.keys):
            kw = min(1.0, keyword_hits(model.patterns[t], title, body) / KEYWORD_HITS_FULL)
            score = 0.5 * float(sims[n, t]) + 0.5 * kw
            if score >= THRESHOLD:
                found.append((key, round(score, 4)))
        out.append(sorted(found, key=lambda kv: -kv[1]))
    return out
