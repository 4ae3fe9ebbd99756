"""Feedback: a judged-relevant article pulls similar ones up; judged articles keep their judged place."""

from __future__ import annotations

import pytest

from config.errors import NotFoundError
from scoring import feedback
from scoring.pipeline import score
from scoring.records import Feedback
from tests.plugins.model import insert_articles
from tests.test_scoring_pipeline import ARTICLES, PROFILES
from watcher.store import scores as score_store
from watcher.store import stories

EXTRA = [
    {"id": "b1", "title": "Hospital nurses rehearse patient handover with AI role-play",
     "summary": "A hospital group lets nurses practise handovers with a chatbot playing the patient."},
    {"id": "b2", "title": "Care homes train nursing assistants with AI role-play before night shifts",
     "summary": "Nursing assistants rehearse difficult handovers with an AI playing a confused patient."},
]


def rank(store, key, article_id, *, skip=()):
    ranked = sorted(score_store.of_profile(store, key).items(), key=lambda kv: (-kv[1], kv[0]))
    return [a for a, _score in ranked if a not in skip].index(article_id)


def test_feedback_moves_a_similar_article_up(tmp_config, encoder):
    from watcher.db import open_store

    _path, settings = tmp_config(PROFILES)
    store = open_store(settings.database_path)
    insert_articles(store, ARTICLES + EXTRA)
    score(settings, store, encoder=encoder)
    before_score = score_store.of_profile(store, "frontline")["b2"]
    before_rank = rank(store, "frontline", "b2", skip={"b1", "a4"})  # among the articles not judged
    feedback.record(store, Feedback("b1", "frontline", 1, "dlm"))
    feedback.record(store, Feedback("a4", "frontline", -1, "dlm"))
    summary = score(settings, store, encoder=encoder)
    assert summary.embedded == 0 and summary.rescored_profiles == ["frontline"]
    after_score = score_store.of_profile(store, "frontline")["b2"]
    assert after_score > before_score + 0.15  # the unjudged look-alike of b1 gained clearly
    assert rank(store, "frontline", "b2", skip={"b1", "a4"}) <= before_rank
    assert rank(store, "frontline", "b1") == 0  # judged relevant: top
    assert rank(store, "frontline", "a4") == len(ARTICLES + EXTRA) - 1  # judged irrelevant: bottom
    judged = stories.ranked(store, "b1", "frontline")
    assert judged is not None and judged.why == "judged relevant"
    store.close()


def test_feedback_on_unknown_article_is_refused(store):
    with pytest.raises(NotFoundError):
        feedback.record(store, Feedback("nope", "frontline", 1))


def test_logistic_model_separates_labelled_vectors():
    import numpy as np

    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(1, 0.3, (20, 8)), rng.normal(-1, 0.3, (20, 8))]).astype(np.float32)
    y = np.array([1.0] * 20 + [0.0] * 20)
    w, b = feedback.fit_logistic(x, y)
    prob = 1 / (1 + np.exp(-(x @ w + b)))
    assert (prob[:20] > 0.5).all() and (prob[20:] < 0.5).all()
