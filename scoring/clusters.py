"""Story clusters: the same news from several outlets (also across French and English) shares a cluster_id.

Two articles published within `cluster_window_days` are linked when they have the same canonical URL, nearly
the same title, embeddings closer than `cluster_threshold`, or (across languages, where an English model
sees little) moderately close embeddings *and* the same rare anchors: figures and proper names. Clusters are
the connected components; each one's id is the id of its earliest article, so it is stable and deterministic.
Different stories on one theme share words but not figures and names, which keeps them apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from scoring.glossary import STOPWORDS, normalize, words
from watcher.cleaner import url_key

TITLE_JACCARD = 0.6
ANCHOR_MARGIN = 0.35  # cosine may be this much below the threshold when anchors agree
MIN_SHARED_ANCHORS = 2
CANDIDATE_COS = 0.3  # near-identical titles are always at least this close
_NUMBER = re.compile(r"\d[\d\s.,]*\d|\d")
_YEAR = re.compile(r"(19[89]\d|20[0-4]\d)")
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-Z][\w'-]*[A-Za-z])")


def title_words(title: str) -> frozenset[str]:
    return frozenset(w for w in words(title) if w not in STOPWORDS and len(w) > 2)


def anchors(text: str) -> frozenset[str]:
    """Figures (≥ 2 digits, "#"-prefixed, not years) and capitalised names inside sentences: what a
    translation keeps unchanged. A link on anchors needs at least one shared figure."""
    out = set()
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) >= 2 and not _YEAR.fullmatch(digits):  # years are shared by unrelated stories
            out.add("#" + digits)
    for m in _NAME.finditer(text):
        word = normalize(m.group(1))
        if word not in STOPWORDS and len(word) > 2:
            out.add(word)
    return frozenset(out)


@dataclass(frozen=True)
class Item:
    id: str
    published: str
    title: str
    text: str
    url: str | None
    language: str = ""

    @property
    def when(self) -> float:
        try:
            return datetime.fromisoformat(self.published.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return 0.0


class _Features:
    def __init__(self, items: list[Item]):
        self.urls = [url_key(i.url) for i in items]
        self.titles = [title_words(i.title) for i in items]
        self.anchors = [anchors(f"{i.title}. {i.text}") for i in items]
        self.when = np.array([i.when for i in items])
        self.langs = [i.language[:2].lower() for i in items]


def _linked(f: _Features, a: int, b: int, cos: float, threshold: float) -> bool:
    if f.urls[a] and f.urls[a] == f.urls[b]:
        return True
    ta, tb = f.titles[a], f.titles[b]
    if len(ta) >= 4 and len(tb) >= 4 and len(ta & tb) / len(ta | tb) >= TITLE_JACCARD:
        return True
    if cos >= threshold:
        return True
    if cos < threshold - ANCHOR_MARGIN:
        return False
    shared = f.anchors[a] & f.anchors[b]
    return len(shared) >= MIN_SHARED_ANCHORS and any(s.startswith("#") for s in shared)


def link_pairs(items: list[Item], x: np.ndarray, focus: list[int], *, window_days: float,
               threshold: float) -> list[tuple[int, int]]:
    """Links between each `focus` index and any other item within the window (indices into `items`).

    Only pairs that are within the window and either share a canonical URL or have a cosine of at least
    CANDIDATE_COS are examined in Python; the rest is numpy.
    """
    if not focus:
        return []
    f = _Features(items)
    window = window_days * 86400
    by_url: dict[str, list[int]] = {}
    for n, url in enumerate(f.urls):
        if url:
            by_url.setdefault(url, []).append(n)
    floor = min(threshold - ANCHOR_MARGIN, CANDIDATE_COS)
    sims = x[focus] @ x.T
    pairs = []
    for row, a in enumerate(focus):
        near = np.abs(f.when - f.when[a]) <= window
        candidates = set(np.nonzero(near & (sims[row] >= floor))[0].tolist())
        if url := f.urls[a]:
            candidates.update(b for b in by_url.get(url, ()) if near[b])
        for b in sorted(candidates):
            if b != a and _linked(f, a, b, float(sims[row, b]), threshold):
                pairs.append((a, b))
    return pairs


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, a):
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
