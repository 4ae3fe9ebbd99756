"""Reading stored embeddings into numpy, a chunk at a time (bounded memory at any corpus size)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from watcher.db import Store

CHUNK = 8192  # 8192 × 384 × 4 bytes = 12.6 MB per chunk


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
            for sub in range(0, len(part), 900):  # SQLite's bound-parameter limit
                piece = part[sub:sub + 900]
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
