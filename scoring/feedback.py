"""The DLM's judgements: stored per (article, profile), then used to re-rank without re-embedding.

Few labels: Rocchio — the profile gains a direction towards the judged-relevant articles and away from the
irrelevant ones. Once `feedback_min_labels` labels of both kinds exist: a per-profile logistic regression on
the embeddings (numpy, L2-regularised) is blended in. Judged articles keep their judged place (1.0 / 0.0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from config.errors import NotFoundError
from scoring.records import Feedback
from watcher.cleaner import now_iso
from watcher.db import Store
from watcher.store import feedback as feedback_store
from watcher.store.embeddings import iter_vectors

ROCCHIO_BETA = 0.75
ROCCHIO_GAMMA = 0.25


def record(store: Store, fb: Feedback) -> None:
    """Store (or replace) a judgement; the article must exist."""
    if fb.label not in (1, -1):
        raise ValueError("label must be 1 (relevant) or -1 (irrelevant)")
    if not feedback_store.record(store, fb.article_id, fb.profile_key, fb.label, fb.user, now_iso()):
        raise NotFoundError(f"unknown article {fb.article_id!r}", key="err.article.not_found", article=fb.article_id)


def forget(store: Store, article_id: str, profile_key: str) -> bool:
    """Undo a judgement; False if there was none."""
    return feedback_store.forget(store, article_id, profile_key)


def labels(store: Store, profile_key: str) -> dict[str, int]:
    return feedback_store.labels(store, profile_key)


def feedback_state(store: Store, profile_key: str) -> tuple:
    """Part of the profile signature: any new or changed judgement triggers a rescoring."""
    return feedback_store.summary(store, profile_key)


@dataclass
class FeedbackModel:
    judged: dict[str, int]
    direction: np.ndarray | None = None  # Rocchio: β·mean(relevant) − γ·mean(irrelevant)
    weights: np.ndarray | None = None  # logistic regression (d,) and bias
    bias: float = 0.0

    def adjust_raw(self, vectors: np.ndarray, raw: np.ndarray, gain: float = 1.0) -> np.ndarray:
        """Rocchio: raw profile scores moved towards what the DLM found relevant (before calibration).

        `gain` is the summed weight of the dense signals: the shift counts as much as a move of the profile."""
        return raw + gain * (vectors @ self.direction) if self.direction is not None else raw

    def blend(self, vectors: np.ndarray, calibrated: np.ndarray) -> np.ndarray:
        """Mix in the logistic model's probability, more as labels accumulate (at most half)."""
        if self.weights is None:
            return calibrated
        prob = 1.0 / (1.0 + np.exp(-(vectors @ self.weights + self.bias)))
        share = min(0.5, len(self.judged) / 60)
        return (1 - share) * calibrated + share * prob


def build(store: Store, model: str, profile_key: str, min_labels: int, centering=None) -> FeedbackModel | None:
    judged = labels(store, profile_key)
    if not judged:
        return None
    ids, rows = [], []
    for chunk_ids, vecs, langs in iter_vectors(store, model, ids=list(judged), with_language=True):
        ids.extend(chunk_ids)
        rows.append(centering.articles(vecs, langs) if centering is not None else vecs)
    fm = FeedbackModel(judged=judged)
    if not ids:
        return fm
    x = np.vstack(rows)
    y = np.array([1.0 if judged[i] > 0 else 0.0 for i in ids])
    direction = np.zeros(x.shape[1], dtype=np.float32)
    if y.any():
        direction += ROCCHIO_BETA * x[y == 1].mean(axis=0)
    if (1 - y).any():
        direction -= ROCCHIO_GAMMA * x[y == 0].mean(axis=0)
    fm.direction = direction.astype(np.float32)
    if len(ids) >= min_labels and 0 < y.sum() < len(y):
        fm.weights, fm.bias = fit_logistic(x, y)
    return fm


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 1.0, steps: int = 300, lr: float = 0.5):
    """Plain gradient descent on the L2-regularised log loss (a few hundred labels: milliseconds)."""
    n, d = x.shape
    w = np.zeros(d, dtype=np.float64)
    b = 0.0
    x64 = x.astype(np.float64)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x64 @ w + b)))
        grad = p - y
        w -= lr * (x64.T @ grad / n + l2 * w / n)
        b -= lr * float(grad.mean())
    return w.astype(np.float32), b
