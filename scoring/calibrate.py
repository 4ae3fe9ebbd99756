"""Fit the scorer's constants for one model on a graded gold set, reproducibly: `python -m scoring.calibrate`.

The signals of every (gold item, profile) pair are computed by the real scorer code (scorer.signals), then a
graded logistic regression (Newton's method, small L2; target label / 2: an unrelated item is aimed at 0, a
partly relevant one at 0.5, a clearly relevant one at 1) gives one weight per signal and the bias. So a score
of 0.5 or more means relevant, and the top cards stay apart instead of all reading 99%.
`why_min` is the 20th percentile of the best-interest cosine among relevant items: below it the best interest
explains nothing and no reason is shown. The result is written to scoring/calibration.json under the model's
name with what it was fitted on; check it on a set written after the fit (tests/data/heldout/).

    python -m scoring.calibrate --gold tests/data/gold.jsonl --config config/veille.toml [--model NAME]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np

from scoring import centering
from scoring.bm25 import REFERENCE_FILE
from scoring.embedder import embed_pending
from scoring.evaluate import GoldItem, all_vectors, gold_store, load_gold
from scoring.model import Encoder, load_encoder
from scoring.records import Profile
from scoring.scorer import CALIBRATION_FILE, SIGNALS, ScorerConfig, build_profile, signals

L2 = 1e-2
WHY_QUANTILE = 20


def gold_signals(items: Sequence[GoldItem], profiles: Sequence[Profile], encoder: Encoder,
                 config: ScorerConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(signals (n, 5), graded labels (n,), best-interest cosine (n,)) over every labelled (item, profile)."""
    store = gold_store(items)
    try:
        embed_pending(store, encoder)
        ids, x, langs = all_vectors(store, encoder.name)
        cen = centering.Centering() if not config.center else centering.fit_arrays(x, langs)
        xc = cen.articles(x, langs)
        by_id = {it.id: it for it in items}
        feats, labels = [], []
        for p in profiles:
            if not any(p.key in it.labels for it in items):
                continue
            pm = build_profile(p, encoder, store, cen, config)
            f, _best = signals(pm, ids, xc)
            french = np.array([[centering.language_of(lang) == "fr"] for lang in langs], dtype=np.float32)
            feats.append(np.hstack([f, french]))
            labels.extend(by_id[i].labels.get(p.key, 0) for i in ids)
    finally:
        store.close()
    f = np.vstack(feats)
    return f, np.array(labels), f[:, SIGNALS.index("best")]


def fit_logistic(f: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """Weighted L2-regularised logistic regression by Newton's method (5 features: a few iterations)."""
    x = np.hstack([f.astype(np.float64), np.ones((len(f), 1))])
    beta = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        grad = x.T @ (weight * (p - y)) + reg * beta
        hess = (x * (weight * p * (1 - p))[:, None]).T @ x + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def fit(items: Sequence[GoldItem], profiles: Sequence[Profile], encoder: Encoder,
        use: Sequence[str] = ("whole", "description", "avoid", "keywords")) -> ScorerConfig:
    """The fitted ScorerConfig for `encoder`; signals not in `use` get weight 0."""
    base = ScorerConfig.for_encoder(encoder)
    f, labels, best = gold_signals(items, profiles, encoder, base)
    cols = [SIGNALS.index(s) for s in use] + [len(SIGNALS)]  # the last column: French article (its own bias)
    signs = np.array([-1.0 if c < len(SIGNALS) and SIGNALS[c] == "avoid" else 1.0 for c in cols])
    y = np.clip(labels, 0, 2) / 2.0  # graded: a partly relevant item is aimed at 0.5, a clearly relevant one at 1
    w, bias = fit_logistic(f[:, cols] * signs, y, np.ones(len(y)))
    bias_fr = float(w[-1])
    cols, w = cols[:-1], w[:-1]
    weights = dict.fromkeys(("w_best", "w_top3", "w_description", "w_avoid", "w_keywords", "w_whole"), 0.0)
    names = {"best": "w_best", "top3": "w_top3", "description": "w_description", "avoid": "w_avoid",
             "keywords": "w_keywords", "whole": "w_whole"}
    for c, value in zip(cols, w, strict=True):
        weights[names[SIGNALS[c]]] = round(float(value), 4)
    why_min = float(np.percentile(best[labels >= 1], WHY_QUANTILE)) if (labels >= 1).any() else 0.0
    return dataclasses.replace(base, **weights, bias=round(bias, 4), bias_fr=round(bias_fr, 4),
                               why_min=round(why_min, 4), model=encoder.name)


def story_pairs(stories: Sequence[dict], clusters_of: dict[str, str]) -> dict[str, float]:
    """Pair precision and recall of a clustering against `story` keys (None = a story of its own)."""
    tp = fp = fn = cross = cross_tp = 0
    for i, a in enumerate(stories):
        for b in stories[i + 1:]:
            same = a["story"] is not None and a["story"] == b["story"]
            together = clusters_of[a["id"]] == clusters_of[b["id"]]
            tp += same and together
            fp += together and not same
            fn += same and not together
            if same and a["language"] != b["language"]:
                cross += 1
                cross_tp += together
    return {"precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn),
            "translated": cross_tp / max(1, cross), "pairs": tp + fn, "translated_pairs": cross}


def cluster_sweep(stories: Sequence[dict], encoder: Encoder, window_days: float = 7.0,
                  thresholds: Sequence[float] = tuple(round(0.50 + 0.02 * i, 2) for i in range(14))) -> list[dict]:
    """Pair precision/recall of the real clustering (scoring.clusters.cluster) at each threshold."""
    from scoring import clusters
    from scoring.records import ArticleText
    from scoring.text import embedding_text

    items = [clusters.Item(s["id"], s["published"], s["title"], s["summary"], s.get("url"), s["language"])
             for s in stories]
    x = encoder.encode_passages([embedding_text(ArticleText(s["id"], s["title"], s["summary"], s["language"], ""),
                                                gloss=not encoder.multilingual) for s in stories])
    out = []
    for t in thresholds:
        found = clusters.cluster(items, x, window_days=window_days, threshold=t)
        out.append({"threshold": t, **story_pairs(stories, found)})
    return out


def demo_stories() -> list[dict]:
    """The demo corpus's articles with their `story` keys (the set the cluster threshold is fitted on)."""
    import nh3

    from config import clock

    root = Path(__file__).resolve().parent.parent / "demo" / "corpus"
    feeds = {f["key"]: f for f in json.loads((root / "feeds.json").read_text(encoding="utf-8"))}
    base = clock.parse_instant("2026-01-31T12:00:00Z")  # a fixed instant: the sweep must not depend on today
    out = []
    for path in sorted((root / "articles").glob("*.json")):
        for a in json.loads(path.read_text(encoding="utf-8")):
            out.append({"id": f"{path.stem}:{a['id']}", "title": a["title"], "story": a.get("story"),
                        "summary": nh3.clean(a["summary"], tags=set()), "language": feeds[path.stem]["language"],
                        "published": (base - timedelta(days=a["days_ago"])).isoformat()})
    return out


def reference_terms(path: Path = REFERENCE_FILE) -> None:
    """Document frequencies of words in the demo corpus (original L&D news, EN and FR): the fixed reference
    that weights the scorer's keyword signal like an IDF without reading the user's store."""
    from scoring.glossary import words

    docs = demo_stories()
    df: dict[str, int] = {}
    for d in docs:
        for w in set(words(f"{d['title']} {d['summary']}")):
            if len(w) > 2 and not w.isdigit():
                df[w] = df.get(w, 0) + 1
    path.write_text(json.dumps({"documents": len(docs), "source": "demo/corpus (python -m scoring.calibrate "
                                "--reference)", "df": dict(sorted(df.items()))}, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def save(config: ScorerConfig, source: str, path: Path = CALIBRATION_FILE) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        data = {}
    models = data.setdefault("models", {})
    entry = {k: v for k, v in dataclasses.asdict(config).items()
             if k.startswith("w_") or k in ("bias", "bias_fr", "kw_scale", "why_min", "stem")}
    entry["fitted_on"] = source
    models[config.model] = entry
    data["how"] = "python -m scoring.calibrate --gold GOLD --config CONFIG --model MODEL (scoring/calibrate.py)"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    from config.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m scoring.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=Path("tests/data/gold.jsonl"))
    parser.add_argument("--config", type=Path, default=Path("config/veille.toml"), help="where the profiles are")
    parser.add_argument("--model", default="", help="model name (default: the config's [scoring] model)")
    parser.add_argument("--dry-run", action="store_true", help="print the constants, do not write them")
    parser.add_argument("--clusters", type=Path, nargs="?", const="demo", default=None, metavar="STORIES",
                        help="sweep the story-cluster threshold on STORIES (JSONL with `story` keys; default: "
                             "the demo corpus) instead of fitting the scorer")
    parser.add_argument("--reference", action="store_true",
                        help="rebuild the keyword reference frequencies (scoring/reference_terms.json)")
    args = parser.parse_args(argv)
    if args.reference:
        reference_terms()
        print(f"written to {REFERENCE_FILE}")
        return 0
    if args.clusters is not None:
        stories = demo_stories() if str(args.clusters) == "demo" else [
            json.loads(line) for line in Path(args.clusters).read_text(encoding="utf-8").splitlines() if line.strip()]
        for s in stories:
            s.setdefault("language", s.get("lang", ""))
        encoder = load_encoder(args.model or load_settings(args.config).scoring.model)
        for row in cluster_sweep(stories, encoder):
            print(f"threshold {row['threshold']:.2f}  precision {row['precision']:.3f}  recall {row['recall']:.3f}"
                  f"  translated {row['translated']:.3f}  ({row['pairs']} pairs, {row['translated_pairs']} translated)")
        return 0
    settings = load_settings(args.config)
    profiles = [Profile(p.key, p.name, p.description, tuple(p.interests), tuple(p.avoid)) for p in settings.profiles]
    encoder = load_encoder(args.model or settings.scoring.model)
    config = fit(load_gold(args.gold), profiles, encoder)
    print(json.dumps(dataclasses.asdict(config), indent=2))
    if not args.dry_run:
        save(config, f"{args.gold.as_posix()} with the profiles of {args.config.as_posix()}")
        print(f"written to {CALIBRATION_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
