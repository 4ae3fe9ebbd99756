"""Embed each article once per model: only new or changed ones, shortest first, stored as float32 BLOBs.

Re-embedding an article (new content, or another model) drops its scores, topics and cluster progress, so
the later stages find it "missing" and redo it; nothing of two models is ever mixed in one ranking.
"""

from __future__ import annotations

from collections.abc import Callable

from scoring import state
from scoring.model import Encoder
from scoring.records import ArticleText
from scoring.text import RECIPE, embedding_text
from scoring.vectors import to_blob
from watcher.cleaner import now_iso
from watcher.db import Store

Progress = Callable[[str, int, int], None]  # (stage, done, total)
CHUNK = 512  # texts per encode call and per write transaction


def _recipe_key(model: str) -> str:
    return f"embed_recipe:{model}"


def pending_ids(store: Store, model: str) -> list[str]:
    """Articles without a current vector for `model`, shortest text first (so batches have similar lengths)."""
    rows = store.query(
        """SELECT a.id FROM articles a
           LEFT JOIN embeddings e ON e.article_id = a.id AND e.model = ?
           WHERE e.article_id IS NULL OR e.content_hash != a.content_hash
           ORDER BY length(a.title) + min(length(a.summary_text), 900), a.id""",
        (model,),
    )
    return [r[0] for r in rows]


def load_texts(store: Store, ids: list[str]) -> list[ArticleText]:
    out: dict[str, ArticleText] = {}
    for start in range(0, len(ids), 900):
        part = ids[start:start + 900]
        marks = ",".join("?" * len(part))
        for r in store.query(
            f"SELECT id, title, substr(summary_text, 1, 2000) AS summary, language, content_hash, published, url "
            f"FROM articles WHERE id IN ({marks})",
            part,
        ):
            out[r["id"]] = ArticleText(r["id"], r["title"], r["summary"], r["language"], r["content_hash"],
                                       r["published"], r["url"])
    return [out[i] for i in ids if i in out]


def embed_pending(
    store: Store, encoder: Encoder, *, batch_size: int = 64, progress: Progress | None = None,
    chunk: int = CHUNK, gloss: bool = True,
) -> int:
    """Embed every article lacking a current vector for `encoder.name`; return how many were embedded.

    `gloss=False` (ablation only) embeds the bare text without the glossary's English equivalents.
    """
    model = encoder.name
    gloss = gloss and not encoder.multilingual  # a multilingual model reads French as it is
    recipe = RECIPE if gloss else RECIPE + ":nogloss"
    if state.get(store, _recipe_key(model)) != recipe:  # the text recipe changed: every vector is stale
        with store.write() as conn:
            conn.execute("DELETE FROM embeddings WHERE model = ?", (model,))
            state.put(conn, _recipe_key(model), recipe)
    ids = pending_ids(store, model)
    total = len(ids)
    if progress:
        progress("embed", 0, total)
    done = 0
    for start in range(0, total, chunk):
        articles = load_texts(store, ids[start:start + chunk])
        vectors = encoder.encode_passages([embedding_text(a, gloss=gloss) for a in articles], batch_size=batch_size)
        now = now_iso()
        with store.write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings(article_id, model, content_hash, dim, vector, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(a.id, model, a.content_hash, vectors.shape[1], to_blob(v), now)
                 for a, v in zip(articles, vectors, strict=True)],
            )
            stale = [(a.id,) for a in articles]
            conn.executemany("DELETE FROM scores WHERE article_id = ?", stale)
            conn.executemany("DELETE FROM article_topics WHERE article_id = ?", stale)
            conn.executemany("DELETE FROM scoring_progress WHERE article_id = ?", stale)
        done += len(articles)
        if progress:
            progress("embed", done, total)
    if total:
        _drop_other_models(store, model)
    return done


def _drop_other_models(store: Store, model: str) -> None:
    """Once every article has a vector of the current model, vectors of older models are dead weight."""
    missing = store.scalar(
        "SELECT count(*) FROM articles a LEFT JOIN embeddings e ON e.article_id = a.id AND e.model = ? "
        "WHERE e.article_id IS NULL",
        (model,),
    )
    if not missing:
        with store.write() as conn:
            conn.execute("DELETE FROM embeddings WHERE model != ?", (model,))
