"""`make bench`: every benchmark, printing ratios measured in this run.

`python -m bench [crawl] [scoring] [digest]` runs the ones named (all by default) with their defaults;
`python -m bench.bench_NAME --help` lists each one's options.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

BENCHES = ["bench.bench_crawl", "bench.bench_scoring", "bench.bench_digest"]


def main(selected: list[str]) -> None:
    known = {name.rsplit("_", 1)[-1] for name in BENCHES}
    if "-h" in selected or "--help" in selected:
        print(__doc__)
        return
    unknown = [name for name in selected if name not in known]
    if unknown:
        print(f"unknown benchmark: {' '.join(unknown)} (choose from {', '.join(sorted(known))})", file=sys.stderr)
        raise SystemExit(2)
    results = {}
    for name in BENCHES:
        if selected and name.rsplit("_", 1)[-1] not in selected:
            continue
        print(f"== {name}", flush=True)
        results[name] = importlib.import_module(name).main([])  # defaults; not this command's arguments
    out = Path("artifacts") / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"results written to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
