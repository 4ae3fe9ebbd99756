"""Keyword relevance with SQLite FTS5's BM25 over `articles_fts` (title weighted ×2), in C, at any corpus size.

A profile becomes one OR query of its content words (light prefix stemming) and, with `bilingual`, of every
glossary variant of the concepts it mentions, so an English profile also matches "entrepôt" or "RGPD".
"""

from __future__ import annotations

import sqlite3

import numpy as np

from scoring.glossary import STOPWORDS, expand, words
from watcher.db import Store

TITLE_WEIGHT = 2.0


def _stem(word: str) -> str:
    """A crude language-neutral stem used as an FTS prefix ("warehouses" → "warehou*")."""
    return word[: max(5, len(word) - 2)] if len(word) > 6 else word


def query_terms(text: str, *, bilingual: bool = True, stem: bool = True) -> list[str]:
    """Distinct FTS phrases for a profile text: '"word"*' for words, '"two words"' for glossary phrases."""
    terms: dict[str, None] = {}
    for w in words(text):
        if len(w) < 2 or w in STOPWORDS or w.isdigit():
            continue
        terms[f'"{_stem(w)}"*' if stem and len(w) > 6 else f'"{w}"'] = None
    if bilingual:
        for variant in expand(text):
            tokens = [t for t in words(variant) if t]
            if not tokens or (len(tokens) == 1 and tokens[0] in STOPWORDS):
                continue
            if len(tokens) == 1 and stem and len(tokens[0]) > 6:
                terms[f'"{_stem(tokens[0])}"*'] = None
            else:
                terms['"' + " ".join(tokens) + '"'] = None
    return list(terms)


def match_query(terms: list[str]) -> str:
    return " OR ".join(terms)


def bm25_scores(store: Store, terms: list[str]) -> dict[str, float]:
    """article id → BM25 (higher is better) for every article matching at least one term."""
    if not terms:
        return {}
    try:
        rows = store.query(
            "SELECT a.id, -bm25(articles_fts, ?, 1.0) FROM articles_fts "
            "JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ?",
            (TITLE_WEIGHT, match_query(terms)),
        )
    except sqlite3.OperationalError as exc:  # a malformed query must not stop scoring
        raise ValueError(f"keyword query rejected by FTS5: {exc}") from None
    return {r[0]: float(r[1]) for r in rows}


def normalise(raw: dict[str, float]) -> dict[str, float]:
    """Scale BM25 into 0..1 by the 95th percentile of the matching articles (robust to one outlier)."""
    if not raw:
        return {}
    values = np.fromiter(raw.values(), dtype=np.float64)
    top = float(np.percentile(values, 95)) if len(values) > 1 else float(values[0])
    top = top if top > 0 else 1.0
    return {k: min(1.0, v / top) for k, v in raw.items()}
