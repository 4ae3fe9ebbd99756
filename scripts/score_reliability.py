"""How often a score in each band is relevant, on the graded sets the fit never saw (heldout5, heldout6).

    python scripts/score_reliability.py [SET.toml SET.jsonl ...]

Prints, per score band, the (item, profile) pairs in it, the share labelled relevant (>= 1) and clearly
relevant (2). README quotes it for the top band (why cards show 99.4% rather than 99%).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.evaluate import all_vectors, embed_pending, gold_store, load_gold, scorer_scores  # noqa: E402
from scoring.model import load_encoder  # noqa: E402
from scoring.records import Profile  # noqa: E402

DATA = ROOT / "tests" / "data"
DEFAULT = [DATA / "heldout5" / "btp.toml", DATA / "heldout5" / "btp.jsonl",
           DATA / "heldout6" / "commerce.toml", DATA / "heldout6" / "commerce.jsonl"]
BANDS = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 1.01]


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or DEFAULT
    encoder = load_encoder()
    counts = np.zeros((len(BANDS) - 1, 3), dtype=int)
    for toml, gold in zip(paths[::2], paths[1::2], strict=True):
        data = tomllib.loads(toml.read_text(encoding="utf-8"))
        profiles = [Profile(p["key"], p["name"], p.get("description", ""), tuple(p.get("interests", ())),
                            tuple(p.get("avoid", ()))) for p in data["profiles"]]
        items = load_gold(gold)
        labels = {it.id: it.labels for it in items}
        store = gold_store(items)
        try:
            embed_pending(store, encoder)
            ids, x, langs = all_vectors(store, encoder.name)
            for profile in profiles:
                for article_id, score in scorer_scores(store, encoder, profile, ids, x, langs, None).items():
                    band = int(np.searchsorted(BANDS, score, side="right")) - 1
                    label = labels[article_id].get(profile.key, 0)
                    counts[band] += (1, label >= 1, label == 2)
        finally:
            store.close()
    for band, (n, relevant, clear) in enumerate(counts):
        print(f"[{BANDS[band]:.2f}, {min(BANDS[band + 1], 1.0):.2f}) {n:5d} pairs  relevant {relevant / max(n, 1):.2f}"
              f"  clearly relevant {clear / max(n, 1):.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
