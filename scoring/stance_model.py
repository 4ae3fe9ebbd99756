"""The learned stance reading: a multinomial logistic regression on an article's vector (the encoder's passage
vector of its embedding text, scoring.text.embedding_text, the same text the store's vectors are made of) and a
vendor flag, giving the probability of each stance.

Its coefficients are data in the package, one file per encoder (`stance_model_<model>.json`), written by
`python -m scoring.stance_fit` with their provenance (the labelled sets and their digests, the counts, the
regularisation). With another model configured there is no file for it, and the rules alone read the stance.
Numpy only: fitting too (no scikit-learn at run time), so `veille tools stance-refit` works where veille does.

How the learned reading and the rules are combined (`combine`, its threshold `critical_at`) and the regularisation
were chosen by leave-one-set-out on the labelled sets, `python -m scoring.stance_fit … --sweep` (README, "The
evidence dossier").
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from scoring.model import is_multilingual
from scoring.stance import STANCES
from scoring.text import embedding_text, text_recipe
from watcher.records import ArticleText

MODEL_DIR = Path(__file__).resolve().parent
C_DEFAULT = 3.0  # inverse L2 strength (scikit-learn's convention), balanced class weights; chosen with CRITICAL_AT
# p(critical) from which the learned reading calls an article critical; None: when critical is its most probable
# stance (what the sweep chose on five sets, stance_fit --sweep)
CRITICAL_AT: float | None = None


def slug(model: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", model.strip().lower()).strip("-") or "model"


def model_path(model: str, folder: Path | None = None) -> Path:
    return (folder or MODEL_DIR) / f"stance_model_{slug(model)}.json"


def recipe(model: str) -> str:
    """The embedding text recipe of `model`'s stored vectors (scoring.embedder)."""
    return text_recipe(is_multilingual(model))[0]


def article_text(title: str, summary: str, model: str) -> str:
    """The text the learned reading of `model` sees: the store's embedding text of the article, same recipe."""
    article = ArticleText(id="", title=title, summary=summary, language="", content_hash="")
    return embedding_text(article, gloss=text_recipe(is_multilingual(model))[1])


def features(vectors: np.ndarray, vendor: Sequence[bool]) -> np.ndarray:
    """An article's vector and its vendor flag (1.0 when the source is the vendor)."""
    flag = np.asarray(vendor, dtype=np.float64).reshape(-1, 1)
    return np.hstack([np.asarray(vectors, dtype=np.float64).reshape(len(flag), -1), flag])


@dataclass(frozen=True)
class LearnedStance:
    model: str  # the encoder's name the vectors come from
    recipe: str  # the embedding text recipe (scoring.text.RECIPE) it was fitted on
    classes: tuple[str, ...]
    coef: np.ndarray  # (features, classes)
    intercept: np.ndarray  # (classes,)
    provenance: dict
    critical_at: float | None = None  # None: critical when it is the most probable stance

    def probabilities(self, vectors: np.ndarray, vendor: Sequence[bool]) -> np.ndarray:
        """(articles, classes) probabilities, each row summing to 1."""
        return softmax(features(vectors, vendor) @ self.coef + self.intercept)

    def as_json(self) -> dict:
        return {"model": self.model, "recipe": self.recipe, "classes": list(self.classes),
                "intercept": [round(float(v), 6) for v in self.intercept],
                "coef": [[round(float(v), 6) for v in row] for row in self.coef], "critical_at": self.critical_at,
                "provenance": self.provenance}


def write(learned: LearnedStance, path: Path) -> None:
    path.write_text(json.dumps(learned.as_json(), ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")


def read_file(path: Path) -> LearnedStance:
    data = json.loads(path.read_text(encoding="utf-8"))
    return LearnedStance(model=data["model"], recipe=data["recipe"], classes=tuple(data["classes"]),
                         coef=np.asarray(data["coef"], dtype=np.float64),
                         intercept=np.asarray(data["intercept"], dtype=np.float64), provenance=data["provenance"],
                         critical_at=data.get("critical_at"))


def load(model: str, folder: Path | None = None) -> LearnedStance | None:
    """The fitted reading of encoder `model` in `folder` (default: the package's shipped fit), or None: no file
    for that model, or one fitted on another model or another text recipe (then the rules alone read). Read once
    per version of the file."""
    path = model_path(model, folder)
    if not path.is_file():
        return None
    return _load(str(path), path.stat().st_mtime_ns, model)


def effective(model: str, local: Path | None) -> LearnedStance | None:
    """The reading the dossier uses: the DLM's refit in `local` (next to the database, `veille tools
    stance-refit`) when there is one for `model`, else the shipped fit."""
    return (load(model, local) if local is not None else None) or load(model)


@lru_cache(maxsize=8)
def _load(path: str, _version: int, model: str) -> LearnedStance | None:
    learned = read_file(Path(path))
    if learned.model.strip().lower() != model.strip().lower() or learned.recipe != recipe(model):
        return None
    return learned


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit(x: np.ndarray, labels: Sequence[str], *, c: float = C_DEFAULT, classes: Sequence[str] = STANCES,
        iterations: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and intercept minimising sum_i w_i * cross-entropy_i + ||coef||² / (2c), with balanced class
    weights w_i = n / (classes × count of i's class): scikit-learn's LogisticRegression(C=c,
    class_weight="balanced") objective. Accelerated gradient descent (the objective is smooth and strongly convex
    in the coefficients; the step is 1 / its gradient's Lipschitz bound)."""
    x = np.asarray(x, dtype=np.float64)
    index = {k: i for i, k in enumerate(classes)}
    y = np.array([index[s] for s in labels])
    n, d = x.shape
    k = len(classes)
    counts = np.bincount(y, minlength=k).astype(np.float64)
    weight = n / (np.count_nonzero(counts) * counts[y])
    target = np.eye(k)[y]
    xa = np.hstack([x, np.ones((n, 1))])
    bound = 0.5 * float(np.linalg.eigvalsh(xa.T @ (weight[:, None] * xa))[-1]) + 1.0 / c
    step = 1.0 / bound
    penalty = np.ones((d + 1, 1))
    penalty[-1] = 0.0  # the intercept is not penalised
    theta = np.zeros((d + 1, k))
    ahead, t = theta.copy(), 1.0
    for _ in range(iterations):
        grad = xa.T @ (weight[:, None] * (softmax(xa @ ahead) - target)) + penalty * ahead / c
        new = ahead - step * grad
        t_next = (1 + (1 + 4 * t * t) ** 0.5) / 2
        ahead = new + ((t - 1) / t_next) * (new - theta)
        theta, t = new, t_next
        if float(np.abs(grad).max()) < 1e-7:
            break
    return theta[:-1], theta[-1]


@dataclass(frozen=True)
class Decision:
    stance: str
    learned: float | None  # the learned reading's probability when it decided the stance, else None


def combine(rule_stance: str, probabilities: np.ndarray | None, classes: Sequence[str] = STANCES,
            critical_at: float | None = None) -> Decision:
    """The stance from the rules' reading and the learned one's probabilities (None: rules alone).

    Critical when the rules say so, or when the learned reading's p(critical) reaches `critical_at` (None: when
    critical is its most probable stance); otherwise the rules' stance stands. The rules miss critical articles
    written without their cue phrases far more often than they misread one; the learned reading finds them but
    would blur the rules' promotional/neutral line. The threshold trades the critical articles it finds against
    those it misreads: chosen by leave-one-set-out on the folds the rules were not revised on (`python -m
    scoring.stance_fit … --sweep`, README "The evidence dossier")."""
    if probabilities is None or rule_stance == "critical":
        return Decision(rule_stance, None)
    row = np.asarray(probabilities, dtype=np.float64)
    at = list(classes).index("critical")
    said = int(row.argmax()) == at if critical_at is None else float(row[at]) >= critical_at
    if said:
        return Decision("critical", round(float(row[at]), 2))
    return Decision(rule_stance, None)
