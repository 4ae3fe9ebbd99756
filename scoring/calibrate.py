"""Fit the scorer's constants for one model on graded sets, reproducibly: `python -m scoring.calibrate`.

The signals of every (item, profile) pair of each set are computed by the real scorer code (scorer.signals),
then a graded logistic regression (Newton's method, small L2: an unrelated item is aimed at 0, a partly
relevant one at `partly_target`, a clearly relevant one at 1) gives one weight per signal and the bias. So a
score of 0.5 or more means relevant, and the top cards stay apart instead of all reading 99%.
The keyword saturation and `partly_target` are chosen by leave-one-set-out: each set (a company) is measured
with constants fitted on the others, as an unseen company would be; the sweep is printed on stderr.
`why_min` is the 20th percentile of the best-interest cosine among relevant items: below it the best interest
explains nothing and no reason is shown. The result is written to scoring/calibration.json under the model's
name with what it was fitted on. The leave-one-set-out figures are the honest estimate for an unseen company.

    python -m scoring.calibrate [--gold SET.jsonl --config PROFILES.toml ...] [--model NAME] [--dry-run]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from scoring import centering, clusters
from scoring.bm25 import REFERENCE_FILE
from scoring.embedder import embed_pending
from scoring.evaluate import GoldItem, all_vectors, gold_store, load_gold
from scoring.model import Encoder, load_encoder
from scoring.records import Profile
from scoring.scorer import CALIBRATION_FILE, SIGNALS, ScorerConfig, build_profile, french_share, signals

L2 = 1e-2
WHY_QUANTILE = 20


# The graded sets the constants are fitted on: six companies (the project's gold set and five written later, blind,
# a new company each time; three with profiles in French only). Each first measured the fit before it: see README.
DEV_SETS: tuple[tuple[str, str], ...] = (
    ("tests/data/gold.jsonl", "config/veille.toml"),
    ("tests/data/gold_holdout.jsonl", "config/veille.toml"),
    ("tests/data/heldout/hospital.jsonl", "tests/data/heldout/hospital.toml"),
    ("tests/data/heldout2/transport.jsonl", "tests/data/heldout2/transport.toml"),
    ("tests/data/heldout3/hotels.jsonl", "tests/data/heldout3/hotels.toml"),
    ("tests/data/heldout4/banque.jsonl", "tests/data/heldout4/banque.toml"),
)
USE = ("whole", "description", "avoid", "keywords")
KW_SCALES = (3.0, 6.0, 10.0, 15.0)  # keyword saturation swept by leave-one-set-out
STEMS = (True, False)  # prefix-stemmed keywords or whole words, swept likewise
PARTLY_TARGETS = (0.5, 0.65, 0.8, 1.0)  # what a partly relevant item (label 1) is aimed at, swept likewise
CALIBRATION_BAR = 0.70  # a score >= 0.5 should mean relevant, and a clearly relevant item should score >= 0.5: the
# candidates whose leave-one-set-out min(precision, recall) at 0.5 reaches this come first
NDCG_NOISE = 0.002  # candidates this close to the best are equal on sets of this size: then fewest profiles below
# BM25, then the best calibration
SWEEP_THRESHOLDS = tuple(round(0.50 + 0.02 * i, 2) for i in range(14))  # cluster_sweep's default


@dataclasses.dataclass
class ProfileRows:
    """The signals of every item of one labelled set for one of its profiles."""

    set_name: str
    profile: str
    features: np.ndarray  # (n, len(SIGNALS) + 2): the scorer's signals, then "French article", then how far
    # the article's language is from the profile's (scorer.ScorerConfig.bias_cross)
    labels: np.ndarray  # (n,) 0 | 1 | 2
    bm25_ndcg: float  # the keyword baseline's nDCG@10 on this profile (the bar not to fall below)


def set_rows(items: Sequence[GoldItem], profiles: Sequence[Profile], encoder: Encoder,
             configs: dict[tuple, ScorerConfig], set_name: str = "") -> dict[tuple, list[ProfileRows]]:
    """ProfileRows of one set for each keyword variant, computed by the real scorer code (scorer.signals)."""
    from scoring.evaluate import bm25_baseline, rank_metrics

    store = gold_store(items)
    out: dict[tuple, list[ProfileRows]] = {variant: [] for variant in configs}
    try:
        embed_pending(store, encoder)
        ids, x, langs = all_vectors(store, encoder.name)
        any_config = next(iter(configs.values()))
        cen = centering.Centering() if not any_config.center else centering.fit_arrays(x, langs)
        xc = cen.articles(x, langs)
        by_id = {it.id: it for it in items}
        french = np.array([[centering.language_of(lang) == "fr"] for lang in langs], dtype=np.float32)
        for p in profiles:
            if not any(p.key in it.labels for it in items):
                continue
            labels = np.array([by_id[i].labels.get(p.key, 0) for i in ids])
            baseline = rank_metrics("bm25", p.key, bm25_baseline(store, p), items).ndcg10
            for variant, config in configs.items():
                f, _best = signals(build_profile(p, encoder, store, cen, config), ids, xc)
                cross = np.abs(french - french_share(p))
                out[variant].append(ProfileRows(set_name, p.key, np.hstack([f, french, cross]), labels, baseline))
    finally:
        store.close()
    return out


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


def _columns(use: Sequence[str]) -> tuple[list[int], np.ndarray]:
    # the last two columns: French article, language distance (their own biases)
    cols = [SIGNALS.index(s) for s in use] + [len(SIGNALS), len(SIGNALS) + 1]
    signs = np.array([-1.0 if c < len(SIGNALS) and SIGNALS[c] == "avoid" else 1.0 for c in cols])
    return cols, signs


def fit_rows(rows: Sequence[ProfileRows], partly: float, use: Sequence[str] = USE) -> tuple[np.ndarray, float]:
    """(weights of `use`, then of "French article" and of the language distance, bias), signs applied (avoid
    is a penalty: its weight is ≥ 0)."""
    cols, signs = _columns(use)
    f = np.vstack([r.features[:, cols] for r in rows]) * signs
    labels = np.concatenate([r.labels for r in rows])
    y = np.where(labels >= 2, 1.0, np.where(labels == 1, partly, 0.0))  # graded targets
    w, bias = fit_logistic(f, y, np.ones(len(y)))
    return w, bias


def measure(rows: Sequence[ProfileRows], w: np.ndarray, bias: float, use: Sequence[str] = USE) -> dict:
    """nDCG@10 per profile, profiles below BM25, and what a score of 0.5 means, on rows not fitted on."""
    from scoring.evaluate import ndcg

    cols, signs = _columns(use)
    per, below, above, relevant, clear, clear_above = {}, [], 0, 0, 0, 0
    for r in rows:
        s = 1.0 / (1.0 + np.exp(-((r.features[:, cols] * signs) @ w + bias)))
        order = np.argsort(-s, kind="stable")
        value = ndcg([int(r.labels[i]) for i in order], r.labels.tolist())
        per[r.profile] = value
        if value < r.bm25_ndcg - 1e-9:
            below.append(r.profile)
        above += int((s >= 0.5).sum())
        relevant += int(((s >= 0.5) & (r.labels >= 1)).sum())
        clear += int((r.labels == 2).sum())
        clear_above += int(((r.labels == 2) & (s >= 0.5)).sum())
    return {"ndcg": float(np.mean(list(per.values()))), "per_profile": per, "below_bm25": below,
            "relevant_share": relevant / max(1, above), "clear_share": clear_above / max(1, clear)}


def leave_one_set_out(by_set: dict[str, list[ProfileRows]], partly: float) -> dict[str, dict]:
    """Each set measured with constants fitted on the other sets: how the fit does on a company it never saw."""
    out = {}
    for name, rows in by_set.items():
        w, bias = fit_rows([r for other, more in by_set.items() if other != name for r in more], partly)
        out[name] = measure(rows, w, bias)
    return out


def fit_sets(sets: Sequence[tuple[str, str]], encoder: Encoder, *, report=None) -> ScorerConfig:
    """The constants for `encoder`: the keyword scale, stemming and the partly-relevant target chosen by
    leave-one-set-out (among the candidates calibrated to CALIBRATION_BAR, those within NDCG_NOISE of the best
    mean nDCG@10; of them, fewest profiles below BM25, then the best worse-of-precision-and-recall at 0.5), then
    one fit on every set. `report(line)` hears the sweep."""
    from config.settings import load_settings

    base = ScorerConfig.for_encoder(encoder)
    configs = {(scale, stem): dataclasses.replace(base, kw_scale=scale, stem=stem)
               for scale in KW_SCALES for stem in STEMS}
    by_variant: dict[tuple, dict[str, list[ProfileRows]]] = {variant: {} for variant in configs}
    for gold, config_path in sets:
        settings = load_settings(config_path)
        profiles = [Profile(p.key, p.name, p.description, tuple(p.interests), tuple(p.avoid))
                    for p in settings.profiles]
        name = Path(gold).stem
        for variant, rows in set_rows(load_gold(gold), profiles, encoder, configs, name).items():
            by_variant[variant][name] = rows
    scored = []
    loso_of: dict[tuple, dict[str, dict]] = {}  # each candidate's leave-one-set-out figures, for the report
    for (scale, stem), by_set in by_variant.items():
        for partly in PARTLY_TARGETS:
            loso = leave_one_set_out(by_set, partly)
            mean = float(np.mean([m["ndcg"] for m in loso.values()]))
            below = sum(len(m["below_bm25"]) for m in loso.values())
            calib = float(np.mean([min(m["relevant_share"], m["clear_share"]) for m in loso.values()]))
            scored.append((mean, -below, calib, scale, stem, partly))
            loso_of[(scale, stem, partly)] = loso
            if report:
                report(f"kw_scale {scale:>4}  stem {stem!s:<5}  partly {partly:.2f}  "
                       f"leave-one-set-out nDCG@10 {mean:.3f}  "
                       f"profiles below BM25 {below}  min(precision, recall) at 0.5 {calib:.2f}  "
                       + "  ".join(f"{n} {m['ndcg']:.3f}" for n, m in loso.items()))
    calibrated = [c for c in scored if c[2] >= CALIBRATION_BAR] or scored
    top = max(m for m, *_ in calibrated)
    near = [c for c in calibrated if c[0] >= top - NDCG_NOISE]
    _mean, _below, _calib, scale, stem, partly = max(near, key=lambda c: (c[1], c[2], c[0]))
    if report:
        report(f"chosen: kw_scale {scale}, stem {stem}, partly {partly}; each set fitted without it:")
        for name, m in loso_of[(scale, stem, partly)].items():
            report(f"  {name:<14} nDCG@10 {m['ndcg']:.3f}  scores >= 0.5 relevant {m['relevant_share']:.0%}  "
                   f"clearly relevant >= 0.5 {m['clear_share']:.0%}  below BM25: {', '.join(m['below_bm25']) or '-'}  "
                   + " ".join(f"{k} {v:.3f}" for k, v in m["per_profile"].items()))
    rows = [r for more in by_variant[(scale, stem)].values() for r in more]
    w, bias = fit_rows(rows, partly)
    # ScorerConfig's weight fields, passed as keywords beside fields of other types (so Any, not float)
    weights: dict[str, Any] = dict.fromkeys(
        ("w_best", "w_top3", "w_description", "w_avoid", "w_keywords", "w_whole"), 0.0)
    names = {"best": "w_best", "top3": "w_top3", "description": "w_description", "avoid": "w_avoid",
             "keywords": "w_keywords", "whole": "w_whole"}
    for signal, value in zip(USE, w[:-2], strict=True):
        weights[names[signal]] = round(float(value), 4)
    best = np.concatenate([r.features[:, SIGNALS.index("best")] for r in rows])
    labels = np.concatenate([r.labels for r in rows])
    why_min = float(np.percentile(best[labels >= 1], WHY_QUANTILE)) if (labels >= 1).any() else 0.0
    return dataclasses.replace(base, **weights, bias=round(bias, 4), bias_fr=round(float(w[-2]), 4),
                               bias_cross=round(float(w[-1]), 4),
                               kw_scale=scale, stem=stem, partly_target=partly, why_min=round(why_min, 4),
                               model=encoder.name)


def _cluster_all(items: list[clusters.Item], x: np.ndarray, *, window_days: float,
                 threshold: float) -> dict[str, str]:
    """Cluster a whole set from scratch with the pipeline's linking rules (clusters.link_pairs): article id →
    cluster id (id of the earliest member)."""
    uf = clusters.UnionFind()
    for a, b in clusters.link_pairs(items, x, list(range(len(items))), window_days=window_days,
                                    threshold=threshold):
        uf.union(a, b)
    return _cluster_ids(items, uf, range(len(items)))


def _cluster_ids(items: list[clusters.Item], uf: clusters.UnionFind, members) -> dict[str, str]:
    groups: dict[int, list[int]] = {}
    for i in members:
        groups.setdefault(uf.find(i), []).append(i)
    out = {}
    for group in groups.values():
        first = min(group, key=lambda i: (items[i].published, items[i].id))
        for i in group:
            out[items[i].id] = items[first].id
    return out



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
                  thresholds: Sequence[float] = SWEEP_THRESHOLDS) -> list[dict]:
    """Pair precision/recall at each threshold of the pipeline's linking rules (scoring.clusters.link_pairs)."""
    from scoring.records import ArticleText
    from scoring.text import embedding_text

    items = [clusters.Item(s["id"], s["published"], s["title"], s["summary"], s.get("url"), s["language"])
             for s in stories]
    x = encoder.encode_passages([embedding_text(ArticleText(s["id"], s["title"], s["summary"], s["language"], ""),
                                                gloss=not encoder.multilingual) for s in stories])
    out = []
    for t in thresholds:
        found = _cluster_all(items, x, window_days=window_days, threshold=t)
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
             if k.startswith("w_") or k in ("bias", "bias_fr", "bias_cross", "kw_scale", "partly_target", "why_min",
                                             "stem", "bilingual")}
    entry["fitted_on"] = source
    models[config.model] = entry
    data["how"] = "python -m scoring.calibrate --gold GOLD --config CONFIG --model MODEL (scoring/calibrate.py)"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    from config.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m scoring.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--gold", action="append", default=[], metavar="JSONL",
                        help="a graded set (repeat; default: the DEV_SETS of this module)")
    parser.add_argument("--config", action="append", default=[], metavar="TOML",
                        help="where that set's profiles are (one per --gold, in the same order)")
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
        encoder = load_encoder(args.model or load_settings(args.config[0] if args.config else None).scoring.model)
        for row in cluster_sweep(stories, encoder):
            print(f"threshold {row['threshold']:.2f}  precision {row['precision']:.3f}  recall {row['recall']:.3f}"
                  f"  translated {row['translated']:.3f}  ({row['pairs']} pairs, {row['translated_pairs']} translated)")
        return 0
    if len(args.gold) != len(args.config):
        parser.error("give one --config per --gold, in the same order")
    sets = list(zip(args.gold, args.config, strict=True)) if args.gold else list(DEV_SETS)
    encoder = load_encoder(args.model or load_settings(sets[0][1]).scoring.model)
    config = fit_sets(sets, encoder, report=lambda line: print(line, file=sys.stderr))
    print(json.dumps(dataclasses.asdict(config), indent=2))
    if not args.dry_run:
        save(config, "; ".join(f"{g} with the profiles of {c}" for g, c in sets))
        print(f"written to {CALIBRATION_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
