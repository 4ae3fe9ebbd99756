"""Scoring benchmark: ratios against peers measured in the same run.

1. Throughput: `score()` end to end (database → embed → scores, topics, clusters → database) against raw
   `model.encode` of the very same texts with the same batch size.
2. Rescoring N stored articles for a changed profile, against the time embedding them took (extrapolated from
   the raw encode throughput measured in 1). The N articles get *synthetic* random vectors inserted directly
   (real text rows, so the keyword signal and FTS work at full size); embedding 100k for real takes ~30 min.
3. Peak memory of a full `score --rescore` (profiles, topics, clusters) over those N articles, in a child
   process (its ru_maxrss, model included).

Run: `.venv/bin/python -m bench.bench_scoring [--n 100000] [--texts 1500]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

from config import clock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _texts(n: int) -> list[tuple[str, str, str]]:
    """(title, summary, language) built from the gold set and demo corpus, made unique."""
    import re

    base = []
    for line in (ROOT / "tests" / "data" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        base.append((row["title"], row["summary"], row["lang"]))
    for path in sorted((ROOT / "demo" / "corpus" / "articles").glob("*.json")):
        for a in json.loads(path.read_text(encoding="utf-8")):
            base.append((a["title"], re.sub(r"<[^>]+>", "", a["summary"]), ""))
    return [(f"{t} ({i})", s, lang) for i, (t, s, lang) in zip(range(n), (base * (n // len(base) + 1)), strict=False)]


def _insert(store, rows: list[tuple[str, str, str]], *, days: int = 365) -> list[str]:
    now = clock.now()
    ids = []
    with store.write() as conn:
        conn.execute("INSERT OR IGNORE INTO feeds(id, url, title, added_at) VALUES (1, 'bench:', 'bench', ?)",
                     (now.isoformat(),))
        batch = []
        for n, (title, summary, lang) in enumerate(rows):
            aid = f"b{n:06d}"
            ids.append(aid)
            published = (now - timedelta(days=days * n / max(1, len(rows)))).isoformat(timespec="seconds")
            batch.append((aid, title, published, lang, summary, hashlib.sha1(f"{title}{summary}".encode()).hexdigest(),
                          published, published))
        conn.executemany(
            "INSERT INTO articles(id, feed_id, title, published, language, summary_text, content_hash, first_seen, "
            "last_changed) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)", batch)
    return ids


def _settings(db: Path):
    """The project's profiles and topics, on the benchmark database."""
    import tomllib

    from config.settings import parse_settings

    data = tomllib.loads((ROOT / "config" / "veille.toml").read_text(encoding="utf-8"))
    data["database"] = {"path": str(db)}
    data.pop("feeds", None)
    return parse_settings(data, "bench", None)


def throughput(n_texts: int, batch_size: int = 64, repeats: int = 2) -> dict:
    from scoring.model import load_encoder
    from scoring.pipeline import score
    from scoring.records import ArticleText
    from scoring.text import embedding_text
    from watcher.db import open_store

    encoder = load_encoder()
    rows = _texts(n_texts)
    texts = [embedding_text(ArticleText("", t, s, lang, "")) for t, s, lang in rows]
    encoder.encode_passages(texts[:64], batch_size=batch_size)  # warm-up
    raw_runs, pipeline_runs = [], []
    for round_ in range(repeats):  # alternating, so the machine's noise hits both alike; best of each
        started = time.perf_counter()
        encoder.model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
        raw_runs.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as tmp:
            settings = _settings(Path(tmp) / f"bench{round_}.db")
            store = open_store(settings.database_path)
            _insert(store, rows, days=30)
            started = time.perf_counter()
            summary = score(settings, store, encoder=encoder)
            pipeline_runs.append(time.perf_counter() - started)
            store.close()
    raw_s, pipeline_s = min(raw_runs), min(pipeline_runs)
    return {"articles": n_texts, "embedded": summary.embedded, "pipeline_s": round(pipeline_s, 2),
            "raw_encode_s": round(raw_s, 2), "pipeline_per_s": round(n_texts / pipeline_s, 1),
            "raw_per_s": round(n_texts / raw_s, 1), "ratio": round(raw_s / pipeline_s, 3)}


def build_synthetic(db: Path, n: int, dim: int = 384) -> None:
    """N articles with real text rows and random unit vectors stored as the default model's embeddings."""
    from scoring import state
    from scoring.model import DEFAULT_MODEL
    from scoring.text import RECIPE
    from watcher.db import open_store

    store = open_store(db)
    ids = _insert(store, _texts(n))
    rng = np.random.default_rng(7)
    now = clock.now().isoformat(timespec="seconds")
    for start in range(0, n, 900):
        part = ids[start:start + 900]
        x = rng.standard_normal((len(part), dim)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        hashes = {r[0]: r[1] for r in store.query(
            f"SELECT id, content_hash FROM articles WHERE id IN ({','.join('?' * len(part))})", part)}
        with store.write() as conn:
            conn.executemany(
                "INSERT INTO embeddings(article_id, model, content_hash, dim, vector, created_at) VALUES (?,?,?,?,?,?)",
                [(a, DEFAULT_MODEL, hashes[a], dim, v.tobytes(), now) for a, v in zip(part, x, strict=True)])
    with store.write() as conn:
        state.put(conn, f"embed_recipe:{DEFAULT_MODEL}", RECIPE)
    store.close()


def rescoring(db: Path, raw_per_s: float) -> dict:
    """Time rescoring all N articles for one profile whose interests changed."""
    from scoring.centering import fit
    from scoring.model import load_encoder
    from scoring.pipeline import score_profiles
    from scoring.profiles import effective_profiles
    from watcher.db import open_store

    store = open_store(db)
    settings = _settings(db)
    encoder = load_encoder()
    n = store.scalar("SELECT count(*) FROM embeddings")
    started = time.perf_counter()
    cen = fit(store, encoder.name)
    profile = effective_profiles(settings, store)[0]
    import dataclasses

    changed = dataclasses.replace(profile, interests=(*profile.interests, "forklift safety refreshers"))
    written, _ = score_profiles(store, encoder, [changed], cen, min_labels=12, rescore=True)
    seconds = time.perf_counter() - started
    store.close()
    embed_s = n / raw_per_s
    return {"articles": n, "rescore_one_profile_s": round(seconds, 2), "embed_estimate_s": round(embed_s, 1),
            "ratio_of_embed_time": round(seconds / embed_s, 4), "rows": written}


def _memory_child(db: str) -> None:
    from scoring.pipeline import score
    from watcher.db import open_store

    settings = _settings(Path(db))
    store = open_store(db)
    started = time.perf_counter()
    summary = score(settings, store, rescore=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(time.perf_counter() - started, 1), "peak_mb": round(peak_mb),
                      "summary": summary.as_dict()}))


def memory(db: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.bench_scoring", "--memory-child", str(db)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="stored articles for rescoring and memory")
    parser.add_argument("--texts", type=int, default=1500, help="articles for the throughput comparison")
    parser.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        _memory_child(args.memory_child)
        return {}
    random.seed(1)
    results: dict = {}
    results["throughput"] = t = throughput(args.texts)
    print(f"throughput: pipeline {t['pipeline_per_s']}/s vs raw encode {t['raw_per_s']}/s "
          f"→ ratio {t['ratio']} (bar ≥ 0.9)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "big.db"
        started = time.perf_counter()
        build_synthetic(db, args.n)
        print(f"synthetic store: {args.n} articles with random vectors in {time.perf_counter() - started:.0f} s",
              flush=True)
        results["rescoring"] = r = rescoring(db, t["raw_per_s"])
        print(f"rescoring {r['articles']} articles for a changed profile: {r['rescore_one_profile_s']} s = "
              f"{100 * r['ratio_of_embed_time']:.2f}% of embedding them (~{r['embed_estimate_s']:.0f} s; bar < 2%)",
              flush=True)
        results["memory"] = m = memory(db)
        print(f"score --rescore over {args.n} articles (4 profiles, topics, clusters): {m['seconds']} s, "
              f"peak RSS {m['peak_mb']} MB (bar < 1500 MB)", flush=True)
    return results


if __name__ == "__main__":
    main()
