"""Per-language mean-centering of vectors.

An English-only model maps every French text into one crowded region: two unrelated French texts get a
higher cosine than a French and an English text on the same subject. Subtracting each language's mean
vector (from the stored corpus) from articles, and from profile phrases of that language, removes this
"same language" bonus; on the gold set it lifts the best-interest signal from 0.69 to 0.85 nDCG@10.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from watcher.db import Store
from watcher.store.embeddings import iter_vectors

MIN_GROUP = 10  # fewer articles than this in a language: use the global mean for it
SHRINK = 20  # a mean of n vectors is applied with weight n / (n + SHRINK): a handful of articles barely centre


def language_of(code: str | None) -> str:
    return (code or "").strip().lower()[:2]


def guess_language(text: str, choices: Sequence[str]) -> str:
    """The most likely language of a short phrase among `choices` (py3langid ranking, no global state)."""
    import py3langid.langid as langid

    if not choices:
        return ""
    allowed = set(choices)
    for lang, _score in langid.rank(text):
        if lang in allowed:
            return lang
    return ""


@dataclass
class Centering:
    means: dict[str, np.ndarray] = field(default_factory=dict)
    global_mean: np.ndarray | None = None

    def _mean(self, lang: str) -> np.ndarray:
        mean = self.means.get(lang, self.global_mean)
        assert mean is not None  # asked only of a centering that has a global mean
        return mean

    @staticmethod
    def _renorm(x: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return x / np.where(norms > 0, norms, 1.0)

    def articles(self, x: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        if self.global_mean is None or not len(x):
            return x
        offsets = np.vstack([self._mean(language_of(lang)) for lang in langs])
        return self._renorm(x - offsets).astype(np.float32)

    def queries(self, x: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        if self.global_mean is None or not len(x):
            return x
        langs = [guess_language(t, list(self.means)) for t in texts]
        offsets = np.vstack([self._mean(lang) for lang in langs])
        return self._renorm(x - offsets).astype(np.float32)


def fit_arrays(x: np.ndarray, langs: Sequence[str]) -> Centering:
    acc = _Accumulator()
    acc.add(x, langs)
    return acc.result()


class LazyCentering:
    """Fits the language means on first use: a scoring run with nothing pending never reads the vectors."""

    def __init__(self, store: Store, model: str) -> None:
        self.store, self.model = store, model
        self._fitted: Centering | None = None

    @property
    def fitted(self) -> Centering:
        if self._fitted is None:
            self._fitted = fit(self.store, self.model)
        return self._fitted

    def articles(self, x: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        return self.fitted.articles(x, langs)

    def queries(self, x: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        return self.fitted.queries(x, texts)


CenteringLike = Centering | LazyCentering  # what scores and topics take: both center articles and queries


def fit(store: Store, model: str) -> Centering:
    """Language means of every stored vector of `model`, read a chunk at a time."""
    acc = _Accumulator()
    for _ids, x, langs in iter_vectors(store, model, with_language=True):
        acc.add(x, langs)
    return acc.result()


class _Accumulator:
    def __init__(self) -> None:
        self.sums: dict[str, np.ndarray] = {}
        self.counts: dict[str, int] = {}

    def add(self, x: np.ndarray, langs: Sequence[str]) -> None:
        codes = np.array([language_of(lang) for lang in langs])
        for lang in set(codes.tolist()):
            mask = codes == lang
            self.sums[lang] = self.sums.get(lang, 0) + x[mask].astype(np.float64).sum(axis=0)
            self.counts[lang] = self.counts.get(lang, 0) + int(mask.sum())

    def result(self) -> Centering:
        total = sum(self.counts.values())
        if not total:
            return Centering()
        summed = sum(self.sums.values())
        assert isinstance(summed, np.ndarray)  # total > 0: at least one language was added
        global_mean = (summed / (total + SHRINK)).astype(np.float32)
        means = {lang: (self.sums[lang] / (n + SHRINK)).astype(np.float32)
                 for lang, n in self.counts.items() if n >= MIN_GROUP and lang}
        return Centering(means, global_mean)
