"""`make bench`: every benchmark, printing ratios measured in this run."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

BENCHES = ["bench.bench_crawl", "bench.bench_scoring", "bench.bench_digest"]


def main(selected: list[str]) -> None:
    results = {}
    for name in BENCHES:
        if selected and name.rsplit("_", 1)[-1] not in selected:
            continue
        print(f"== {name}", flush=True)
        results[name] = importlib.import_module(name).main()
    out = Path("artifacts") / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"results written to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
