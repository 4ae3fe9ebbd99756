"""Fit the learned stance reading (scoring.stance_model) on labelled sets and write it into the package.

    python -m scoring.stance_fit tests/data/dossier tests/data/dossier2 tests/data/dossier3 [--loso] [--model M]

Every article of a set labelled with a tool is an example (its embedding text's vector from the encoder `M`,
default the configured default, and whether its source is the vendor); the fit is written to
scoring/stance_model_<model>.json with the sets, their digests and counts. `--loso` first prints, per left-out set,
stance accuracy, critical found and critical precision of the rules, the learned reading and their combination
(scoring.stance_model.combine), trained on the other sets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

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


def train(model: str, data: Examples, c: float, provenance: dict) -> stance_model.LearnedStance:
    coef, intercept = stance_model.fit(stance_model.features(data.vectors, data.vendor), data.gold, c=c)
    return stance_model.LearnedStance(model=model, recipe=stance_model.recipe(model), classes=STANCES, coef=coef,
                                      intercept=intercept, provenance=provenance)


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
            "combined": [stance_model.combine(r, p, learned.classes).stance
                         for r, p in zip(data.rules, probs, strict=True)]}


def leave_one_set_out(model: str, sets: dict[str, Examples], c: float) -> dict:
    out: dict = {}
    for left in sets:
        learned = train(model, join([d for n, d in sets.items() if n != left]), c, {})
        out[left] = {how: figures(sets[left].gold, said) for how, said in readings(learned, sets[left]).items()}
    out["mean"] = {how: {k: round(float(np.mean([out[n][how][k] for n in sets])), 3)
                         for k in ("stance", "critical_found", "critical_precision")}
                   for how in ("rules", "learned", "combined")}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring.stance_fit", description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="labelled sets (feeds.json, articles.jsonl)")
    parser.add_argument("--model", default="", help="encoder name (default: the default model)")
    parser.add_argument("--c", type=float, default=stance_model.C_DEFAULT, help="inverse L2 strength")
    parser.add_argument("--loso", action="store_true", help="print leave-one-set-out figures first")
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
    if args.loso:
        for name, row in leave_one_set_out(encoder.name, sets, args.c).items():
            print(json.dumps({"left_out": name, **row}, ensure_ascii=False))
    if args.no_write:
        return 0
    data = join(list(sets.values()))
    provenance = {
        "command": "python -m scoring.stance_fit " + " ".join(str(f) for f in args.folders),
        "sets": {name: {"sha256": digest, "articles": len(ex)} for name, (ex, digest) in loaded.items()},
        "counts": {s: data.gold.count(s) for s in STANCES}, "c": args.c, "class_weight": "balanced",
        "features": f"encoder passage vector ({encoder.dim}) of the embedding text + vendor flag",
    }
    learned = train(encoder.name, data, args.c, provenance)
    path = stance_model.model_path(encoder.name, args.out)
    stance_model.write(learned, path)
    print(f"wrote {path} ({len(data)} articles: "
          + ", ".join(f"{n} {s}" for s, n in provenance["counts"].items()) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
