"""Embed each article once per model: only new or changed ones, shortest first, stored as float32 BLOBs.

Re-embedding an article (new content, or another model) drops its scores, topics and cluster progress, so
the later stages find it "missing" and redo it; nothing of two models is ever mixed in one ranking.
"""

from __future__ import annotations

from collections.abc import Callable

from scoring.model import Encoder
from scoring.records import ArticleText
from scoring.text import embedding_text, text_recipe
from watcher.cleaner import now_iso
from watcher.db import Store
from watcher.store import embeddings, scores

Progress = Callable[[str, int, int], None]  # (stage, done, total)
CHUNK = 512  # texts per encode call and per write transaction


def pending_ids(store: Store, model: str) -> list[str]:
    """Articles without a current vector for `model`, shortest text first (so batches have similar lengths)."""
    return embeddings.pending_ids(store, model)


def load_texts(store: Store, ids: list[str]) -> list[ArticleText]:
    return embeddings.texts(store, ids)


def embed_pending(
    store: Store, encoder: Encoder, *, batch_size: int = 64, progress: Progress | None = None,
    chunk: int = CHUNK, gloss: bool = True,
) -> int:
    """Embed every article lacking a current vector for `encoder.name`; return how many were embedded.

    `gloss=False` (ablation only) embeds the bare text without the glossary's English equivalents.
    """
    model = encoder.name
    recipe, gloss = text_recipe(encoder.multilingual, gloss)  # a multilingual model reads French as it is
    if embeddings.recipe(store, model) != recipe:  # the text recipe changed: every vector is stale
        with store.write():
            embeddings.drop_model(store, model)
            embeddings.set_recipe(store, model, recipe)
    ids = pending_ids(store, model)
    total = len(ids)
    if progress:
        progress("embed", 0, total)
    done = 0
    for start in range(0, total, chunk):
        articles = load_texts(store, ids[start:start + chunk])
        vectors = encoder.encode_passages([embedding_text(a, gloss=gloss) for a in articles], batch_size=batch_size)
        now = now_iso()
        with store.write():  # one transaction per chunk: the vectors and dropping what they make stale
            embeddings.put(store, model, articles, vectors, now)
            scores.forget_articles(store, [a.id for a in articles])
        done += len(articles)
        if progress:
            progress("embed", done, total)
    if total:
        _drop_other_models(store, model)
    return done


def _drop_other_models(store: Store, model: str) -> None:
    """Once every article has a vector of the current model, vectors of older models are dead weight."""
    if not embeddings.missing_count(store, model):
        embeddings.drop_other_models(store, model)
