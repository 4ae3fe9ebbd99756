"""Digest page server time with 100k articles vs 1k (target: at most 2x).

The digest page's server work is its service calls: `digest_options` (filter choices) and `list_stories`
(one page of story cards and the count). Both databases are built in the same run with the same synthetic
corpus generator as the tests (executemany, one transaction), then each scenario is timed as the median of
repeated runs. Prints one line per scenario and the overall ratio.

    .venv/bin/python -m bench.bench_digest [--small 1000] [--large 100000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from config import clock

SCENARIOS = {
    "all profiles, page 1": {},
    "profile frontline, page 1": {"profile": "frontline"},
    "profile managers, page 5": {"profile": "managers", "page": 5},
    "frontline + topic xr + min 0.5": {"profile": "frontline", "topics": ("xr",), "min_score": 0.5},
    "all, language fr, unread": {"languages": ("fr",), "unread_only": True},
    "recent first": {"sort": "recent"},
    "search 'safety'": {"query": "safety"},
    "last 14 days, compliance": {"profile": "compliance", "date_from": "14d"},
}


def build(folder: Path, n: int):
    from bench.corpus import PROFILES_TOML, build_corpus
    from config.settings import load_settings
    from ui.services.context import ServiceContext, make_user
    from watcher.db import analyze, open_store

    config = folder / "veille.toml"
    config.write_text(f'[database]\npath = "veille.db"\n{PROFILES_TOML}', encoding="utf-8")
    settings = load_settings(config)
    store = open_store(settings.database_path)
    started = time.perf_counter()
    build_corpus(store, n, weeks=52)
    analyze(store)
    print(f"  built {n:>7} articles in {time.perf_counter() - started:5.1f} s")
    return ServiceContext(settings=settings, store=store, user=make_user("bench", "viewer"))


def _filter(spec: dict):
    from ui.services.records import DigestFilter

    spec = dict(spec)
    if spec.get("date_from") == "14d":
        spec["date_from"] = clock.today() - timedelta(days=14)
    return DigestFilter(**spec)


def one_page(ctx, flt) -> float:
    """Server time of one digest page view: the filter choices, then one page of story cards."""
    from ui.services.stories import digest_options, list_stories

    t0 = time.perf_counter()
    digest_options(ctx)
    page = list_stories(ctx, flt)
    elapsed = time.perf_counter() - t0
    assert page.stories, f"no stories for {flt}"
    return elapsed


def paired_times(small, large, spec: dict, repeat: int) -> tuple[float, float]:
    """Medians, measured alternately so that load from other processes hits both sides alike."""
    flt = _filter(spec)
    for _ in range(2):  # warm caches
        one_page(small, flt)
        one_page(large, flt)
    ts, tl = [], []
    for _ in range(repeat):
        ts.append(one_page(small, flt))
        tl.append(one_page(large, flt))
    return statistics.median(ts), statistics.median(tl)


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        small_dir, large_dir = Path(tmp, "small"), Path(tmp, "large")
        small_dir.mkdir()
        large_dir.mkdir()
        small, large = build(small_dir, args.small), build(large_dir, args.large)
        totals = [0.0, 0.0]
        print(f"{'scenario':34} {args.small:>9} {args.large:>9}  ratio")
        for name, spec in SCENARIOS.items():
            ts, tl = paired_times(small, large, spec, args.repeat)
            totals[0] += ts
            totals[1] += tl
            print(f"{name:34} {ts * 1000:7.2f}ms {tl * 1000:7.2f}ms  {tl / ts:5.2f}x")
        ratio = totals[1] / totals[0]
        print(f"{'digest page (sum of scenarios)':34} {totals[0] * 1000:7.2f}ms {totals[1] * 1000:7.2f}ms  "
              f"{ratio:5.2f}x  (target <= 2x)")
        small.store.close()
        large.store.close()
    return ratio


if __name__ == "__main__":
    main()
