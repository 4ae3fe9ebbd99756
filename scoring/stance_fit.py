"""Fit the learned stance reading (scoring.stance_model) on labelled sets and write it into the package.

    python -m scoring.stance_fit tests/data/dossier tests/data/dossier2 tests/data/dossier3 tests/data/dossier4
        [--loso] [--sweep --judge dossier3 dossier4] [--model M]

Every article of a set labelled with a tool is an example (its embedding text's vector from the encoder `M`,
default the configured default, and whether its source is the vendor); the fit is written to
scoring/stance_model_<model>.json with the sets, their digests and counts. `--loso` first prints, per left-out set,
stance accuracy, critical found and critical precision of the rules, the learned reading and their combination
(scoring.stance_model.combine), trained on the other sets. `--sweep` prints that for every regularisation C and
threshold p(critical) of the grid and names the pair with the best mean stance over the `--judge` folds (the sets
the rules were not revised on: on the others the rules read everything right, which flatters any combination)
among those that still find the issue's 70% of critical articles there; that is how stance_model.C_DEFAULT and
CRITICAL_AT were chosen.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from config.errors import ValidationError, VeilleError
from scoring import stance_model
from scoring.stance import STANCES, read


@dataclass
class Examples:
    """Labelled articles: their vectors (encoder passages of the embedding text), vendor flags, gold stances and
    the rules' stances."""

    vectors: np.ndarray
    vendor: list[bool] = field(default_factory=list)
    gold: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.gold)


def set_examples(folder: Path, encoder) -> tuple[Examples, str]:
    """The tool-labelled articles of a set, and the sha256 of its articles.jsonl."""
    if not (folder / "articles.jsonl").is_file() or not (folder / "feeds.json").is_file():
        raise ValidationError(f"{folder}: not a labelled set (feeds.json and articles.jsonl expected)")
    raw = (folder / "articles.jsonl").read_bytes()
    kinds = {f["key"]: f["kind"] for f in json.loads((folder / "feeds.json").read_text(encoding="utf-8"))}
    arts = [a for a in (json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip())
            if a.get("tool") and a.get("stance") in STANCES]
    vendor = [kinds[a["feed"]] == "vendor" for a in arts]
    texts = [stance_model.article_text(a["title"], a["summary"], encoder.name) for a in arts]
    vectors = np.asarray(encoder.encode_passages(texts)) if texts else np.zeros((0, encoder.dim))
    rules = [read(a["title"], a["summary"], vendor=v).stance for a, v in zip(arts, vendor, strict=True)]
    return Examples(vectors, vendor, [a["stance"] for a in arts], rules), hashlib.sha256(raw).hexdigest()


def shipped_sets(model: str) -> list[Path]:
    """The labelled sets the shipped fit of `model` was made from, where this checkout keeps them (tests/data);
    empty when veille is installed without them."""
    shipped = stance_model.load(model)
    root = Path(__file__).resolve().parents[1] / "tests" / "data"
    names = list(shipped.provenance.get("sets", {})) if shipped else []
    return [root / n for n in names if (root / n / "articles.jsonl").is_file()]


def join(parts: Sequence[Examples]) -> Examples:
    return Examples(np.vstack([p.vectors for p in parts]), [v for p in parts for v in p.vendor],
                    [g for p in parts for g in p.gold], [r for p in parts for r in p.rules])


def train(model: str, data: Examples, c: float, provenance: dict,
          critical_at: float | None = stance_model.CRITICAL_AT) -> stance_model.LearnedStance:
    coef, intercept = stance_model.fit(stance_model.features(data.vectors, data.vendor), data.gold, c=c)
    return stance_model.LearnedStance(model=model, recipe=stance_model.recipe(model), classes=STANCES, coef=coef,
                                      intercept=intercept, provenance=provenance, critical_at=critical_at)


def figures(gold: Sequence[str], read_as: Sequence[str]) -> dict:
    g, p = np.asarray(gold), np.asarray(read_as)
    crit, said = g == "critical", p == "critical"
    return {"stance": round(float(np.mean(g == p)), 3) if len(g) else 0.0,
            "critical_found": round(float(np.mean(said[crit])), 3) if crit.any() else 0.0,
            "critical_precision": round(float(np.mean(crit[said])), 3) if said.any() else 0.0}


def readings(learned: stance_model.LearnedStance, data: Examples) -> dict[str, list[str]]:
    probs = learned.probabilities(data.vectors, data.vendor)
    return {"rules": list(data.rules),
            "learned": [learned.classes[i] for i in probs.argmax(axis=1)],
            "combined": [stance_model.combine(r, p, learned.classes, learned.critical_at).stance
                         for r, p in zip(data.rules, probs, strict=True)]}


SWEEP_C = (0.3, 1.0, 3.0, 10.0)
FOUND_BAR = 0.7  # the bar: critical articles found
SWEEP_AT: tuple[float | None, ...] = (None, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)  # None: the most probable stance


def leave_one_set_out(model: str, sets: dict[str, Examples], c: float,
                      critical_at: float | None = stance_model.CRITICAL_AT) -> dict:
    out: dict = {}
    for left in sets:
        learned = train(model, join([d for n, d in sets.items() if n != left]), c, {}, critical_at)
        out[left] = {how: figures(sets[left].gold, said) for how, said in readings(learned, sets[left]).items()}
    out["mean"] = {how: {k: round(float(np.mean([out[n][how][k] for n in sets])), 3)
                         for k in ("stance", "critical_found", "critical_precision")}
                   for how in ("rules", "learned", "combined")}
    return out


def sweep(model: str, sets: dict[str, Examples], judge: Sequence[str]) -> tuple[list[dict], dict]:
    """Leave-one-set-out for every (C, threshold) of the grid; the best by mean combined stance over the `judge`
    folds among the pairs that find at least FOUND_BAR of their critical articles on the mean (ties: the higher
    critical precision, then the smaller C and the higher threshold)."""
    rows: list[dict[str, Any]] = []
    for c in SWEEP_C:
        for at in SWEEP_AT:
            folds = leave_one_set_out(model, sets, c, at)
            judged = [folds[n]["combined"] for n in judge]
            rows.append({"c": c, "critical_at": at,
                         "judged_stance": round(float(np.mean([f["stance"] for f in judged])), 3),
                         "judged_precision": round(float(np.mean([f["critical_precision"] for f in judged])), 3),
                         "judged_found": round(float(np.mean([f["critical_found"] for f in judged])), 3),
                         "folds": {n: folds[n]["combined"] for n in sets}})
    keeping = [r for r in rows if r["judged_found"] >= FOUND_BAR] or rows
    best = max(keeping, key=lambda r: (r["judged_stance"], r["judged_precision"], -r["c"], r["critical_at"] or 0.0))
    return rows, best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring.stance_fit", description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="labelled sets (feeds.json, articles.jsonl)")
    parser.add_argument("--model", default="", help="encoder name (default: the default model)")
    parser.add_argument("--c", type=float, default=stance_model.C_DEFAULT, help="inverse L2 strength")
    parser.add_argument("--critical-at", type=float, default=stance_model.CRITICAL_AT,
                        help="p(critical) from which the learned reading calls an article critical (default: "
                        "when critical is its most probable stance)")
    parser.add_argument("--loso", action="store_true", help="print leave-one-set-out figures first")
    parser.add_argument("--sweep", action="store_true", help="print leave-one-set-out over the grid of C and "
                        "thresholds, and the best pair by the --judge folds")
    parser.add_argument("--judge", nargs="+", default=[], help="set names the sweep judges on (default: all)")
    parser.add_argument("--no-write", action="store_true", help="do not write the fitted file")
    parser.add_argument("--out", type=Path, default=None, help="folder to write into (default: the package)")
    args = parser.parse_args(argv)
    from scoring.model import DEFAULT_MODEL, load_encoder

    try:
        missing = [f for f in args.folders if not f.is_dir()]
        if missing:
            raise VeilleError(f"{missing[0]}: no such folder")
        encoder = load_encoder(args.model or DEFAULT_MODEL)
        loaded = {f.name: set_examples(f, encoder) for f in args.folders}
    except VeilleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sets = {name: ex for name, (ex, _digest) in loaded.items()}
    unknown = [n for n in args.judge if n not in sets]
    if unknown:
        print(f"error: --judge {unknown[0]}: not one of the sets given ({', '.join(sets)})", file=sys.stderr)
        return 2
    if args.loso:
        for name, row in leave_one_set_out(encoder.name, sets, args.c, args.critical_at).items():
            print(json.dumps({"left_out": name, **row}, ensure_ascii=False))
    if args.sweep:
        rows, best = sweep(encoder.name, sets, args.judge or list(sets))
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        print(json.dumps({"best": {k: best[k] for k in ("c", "critical_at", "judged_stance", "judged_precision",
                                                      "judged_found")}}))
    if args.no_write:
        return 0
    data = join(list(sets.values()))
    provenance = {
        "command": "python -m scoring.stance_fit " + " ".join(str(f) for f in args.folders),
        "sets": {name: {"sha256": digest, "articles": len(ex)} for name, (ex, digest) in loaded.items()},
        "counts": {s: data.gold.count(s) for s in STANCES}, "c": args.c, "critical_at": args.critical_at,
        "class_weight": "balanced",
        "features": f"encoder passage vector ({encoder.dim}) of the embedding text + vendor flag",
    }
    learned = train(encoder.name, data, args.c, provenance, args.critical_at)
    path = stance_model.model_path(encoder.name, args.out)
    stance_model.write(learned, path)
    print(f"wrote {path} ({len(data)} articles: "
          + ", ".join(f"{n} {s}" for s, n in provenance["counts"].items()) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
