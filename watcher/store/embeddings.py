"""Article vectors (`embeddings`): one float32 vector per (article, model), and the text each was made from.

Vectors are read a chunk at a time (bounded memory at any corpus size) as numpy matrices. The embedding text
recipe a model's vectors were made with is kept in `scoring_state`, under `recipe_key(model)`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from watcher.db import Store
from watcher.records import ArticleText
from watcher.store import state

CHUNK = 8192  # 8192 × 384 × 4 bytes = 12.6 MB per chunk
PARAMS = 900  # ids per statement: SQLite's bound-parameter limit


def to_blob(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype=np.float32).tobytes()


def from_blobs(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dim)


def iter_vectors(
    store: Store, model: str, *, ids: Sequence[str] | None = None, chunk: int = CHUNK, with_language: bool = False
) -> Iterator[tuple]:
    """Yield (article ids, float32 matrix[, languages]) of the model's embeddings, `chunk` rows at a time.

    With `ids`, only those articles (missing ones are skipped). Without, every embedded article, by rowid.
    """
    if ids is not None:
        for start in range(0, len(ids), chunk):
            part = list(ids[start:start + chunk])
            rows: list = []
            for sub in range(0, len(part), PARAMS):
                piece = part[sub:sub + PARAMS]
                marks = ",".join("?" * len(piece))
                rows.extend(store.query(
                    "SELECT e.article_id, e.dim, e.vector, a.language FROM embeddings e "
                    f"JOIN articles a ON a.id = e.article_id WHERE e.model = ? AND e.article_id IN ({marks})",
                    [model, *piece],
                ))
            if rows:
                yield _pack(rows, with_language)
        return
    last = -1
    while True:
        rows = store.query(
            "SELECT e.article_id, e.dim, e.vector, a.language, e.rowid FROM embeddings e "
            "JOIN articles a ON a.id = e.article_id WHERE e.model = ? AND e.rowid > ? ORDER BY e.rowid LIMIT ?",
            (model, last, chunk),
        )
        if not rows:
            return
        last = rows[-1][4]
        yield _pack(rows, with_language)


def _pack(rows, with_language: bool) -> tuple:
    ids = [r[0] for r in rows]
    x = from_blobs([r[2] for r in rows], rows[0][1])
    return (ids, x, [r[3] for r in rows]) if with_language else (ids, x)


def count(store: Store, model: str) -> int:
    """How many articles have a vector of `model`."""
    return store.scalar("SELECT count(*) FROM embeddings WHERE model = ?", (model,)) or 0


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


def missing_count(store: Store, model: str) -> int:
    """How many articles have no vector of `model` at all (stale ones count as present)."""
    return store.scalar(
        "SELECT count(*) FROM articles a LEFT JOIN embeddings e ON e.article_id = a.id AND e.model = ? "
        "WHERE e.article_id IS NULL",
        (model,),
    ) or 0


def texts(store: Store, ids: Sequence[str]) -> list[ArticleText]:
    """The texts of these articles (summaries cut at 2000 characters), in the order of `ids`; unknown ids skipped."""
    out: dict[str, ArticleText] = {}
    for start in range(0, len(ids), PARAMS):
        part = list(ids[start:start + PARAMS])
        marks = ",".join("?" * len(part))
        for r in store.query(
            f"SELECT id, title, substr(summary_text, 1, 2000) AS summary, language, content_hash, published, url "
            f"FROM articles WHERE id IN ({marks})",
            part,
        ):
            out[r["id"]] = ArticleText(r["id"], r["title"], r["summary"], r["language"], r["content_hash"],
                                       r["published"], r["url"])
    return [out[i] for i in ids if i in out]


def put(store: Store, model: str, articles: Sequence[ArticleText], vectors: np.ndarray, created_at: str) -> None:
    """Store (or replace) the vectors of `model` for these articles, row i of `vectors` for articles[i]."""
    with store.write() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO embeddings(article_id, model, content_hash, dim, vector, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(a.id, model, a.content_hash, vectors.shape[1], to_blob(v), created_at)
             for a, v in zip(articles, vectors, strict=True)],
        )


def drop_model(store: Store, model: str) -> None:
    """Delete every vector of `model`."""
    with store.write() as conn:
        conn.execute("DELETE FROM embeddings WHERE model = ?", (model,))


def drop_other_models(store: Store, model: str) -> None:
    """Delete every vector of any model but `model`."""
    with store.write() as conn:
        conn.execute("DELETE FROM embeddings WHERE model != ?", (model,))


def recipe_key(model: str) -> str:
    return f"embed_recipe:{model}"


def recipe(store: Store, model: str) -> str | None:
    """The text recipe the stored vectors of `model` were made with (None: never recorded)."""
    return state.get(store, recipe_key(model))


def set_recipe(store: Store, model: str, value: str) -> None:
    state.put(store, recipe_key(model), value)
