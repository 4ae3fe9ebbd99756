"""Keyword relevance with SQLite FTS5's BM25 over `articles_fts` (title weighted ×2), in C, at any corpus size.

A profile becomes one OR query of its content words (light prefix stemming) and, with `bilingual`, of every
glossary variant of the concepts it mentions, so an English profile also matches "entrepôt" or "RGPD".
"""

from __future__ import annotations

import bisect
import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from scoring.glossary import STOPWORDS, expand, words
from watcher.db import Store
from watcher.store import search

TITLE_WEIGHT = 2.0
REFERENCE_FILE = Path(__file__).with_name("reference_terms.json")
# Words every article of a learning-technology watch uses: matching them says nothing about a profile.
GENERIC = frozenset("""training trainings train learning learn learner learners course courses staff employee
employees people team teams work workers worker company companies new program programme programmes programs
formation formations former apprentissage apprenant apprenants apprenante cours salarie salaries personnel
equipe equipes entreprise entreprises travail collaborateurs collaborateur nouveau nouvelle nouveaux
digital numerique numeriques""".split())


def _stem(word: str) -> str:
    """A crude language-neutral stem used as an FTS prefix ("warehouses" → "warehou*")."""
    return word[: max(5, len(word) - 2)] if len(word) > 6 else word


def query_terms(text: str, *, bilingual: bool = True, stem: bool = True, generic: bool = True) -> list[str]:
    """Distinct FTS phrases for a profile text: '"word"*' for words, '"two words"' for glossary phrases.

    `generic=False` leaves out the words of GENERIC."""
    terms: dict[str, None] = {}
    for w in words(text):
        if len(w) < 2 or w in STOPWORDS or w.isdigit() or (not generic and w in GENERIC):
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
    return search.bm25(store, match_query(terms), TITLE_WEIGHT)  # ValueError: a malformed query


@lru_cache(maxsize=1)
def _reference() -> tuple[int, list[str], list[int]]:
    try:
        data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return 0, [], []
    words_df = sorted(data.get("df", {}).items())
    return int(data.get("documents", 0)), [w for w, _ in words_df], [int(n) for _, n in words_df]


def term_weight(term: str) -> float:
    """An IDF from a fixed reference corpus (scoring/reference_terms.json), not from the user's store: a word
    every L&D article uses weighs little, a specific one a lot. A prefix term takes its most frequent word."""
    n, vocab, counts = _reference()
    if not n:
        return 1.0
    body = term.strip('"*')
    phrase = body.split()
    prefix = term.endswith("*")
    dfs = []
    for w in phrase:
        lo = bisect.bisect_left(vocab, w)
        if prefix and len(phrase) == 1:
            hi = bisect.bisect_left(vocab, w + "\uffff")
            dfs.append(max(counts[lo:hi], default=0))
        else:
            dfs.append(counts[lo] if lo < len(vocab) and vocab[lo] == w else 0)
    df = min(dfs) if dfs else 0
    return math.log((n + 1) / (df + 0.5)) / math.log(n + 1)


def term_hits(store: Store, terms: list[str]) -> dict[str, float]:
    """article id → the reference-weighted count of the profile's terms it contains (title counts twice).

    Unlike BM25 this depends on the article and the profile only, never on the rest of the store (weights come
    from a fixed reference, no length normalisation), so a score means the same whatever the store holds.
    """
    found: list[tuple[np.ndarray, np.ndarray]] = []  # per term: rowids, their weights
    for term in terms:  # ValueError: a malformed query
        anywhere, in_title = search.matches(store, term)
        if not anywhere:
            continue
        weight = term_weight(term)
        rowids = np.fromiter(anywhere, dtype=np.int64, count=len(anywhere))
        weights = np.full(len(rowids), weight)
        if in_title:
            weights[np.isin(rowids, np.fromiter(in_title, dtype=np.int64, count=len(in_title)))] *= TITLE_WEIGHT
        found.append((rowids, weights))
    if not found:
        return {}
    # summed per rowid in numpy (a common word matches most of the store: a Python loop cost ~0.3 s per 100k),
    # term after term in the same order as before, so the float sums are the same
    top = max(int(r.max()) for r, _ in found)
    total = np.zeros(top + 1)
    for rowids, weights in found:
        total[rowids] += weights  # rowids are unique within one term's matches
    hit = np.flatnonzero(total)
    ids = search.article_ids(store, set(hit.tolist()))
    return {ids[r]: v for r, v in zip(hit.tolist(), total[hit].tolist(), strict=True) if r in ids}


def saturate(hits: dict[str, float], scale: float) -> dict[str, float]:
    """Term hits into 0..1 with diminishing returns: 1 − exp(−hits / scale)."""
    return {k: float(1.0 - np.exp(-v / scale)) for k, v in hits.items()}
