"""Crawl benchmark: veille vs reader vs a naive feedparser loop on 300 local feeds x 50 entries.

Every peer runs as its own process against the same local server in the same run; times include
process start-up for all of them. Prints ratios, which are what matters on shared machines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.synthetic import SyntheticServer

ROOT = Path(__file__).resolve().parent.parent
VEILLE = [sys.executable, "-m", "veille"]


def _config(folder: Path, urls: list[str]) -> Path:
    feeds = "".join(f'\n[[feeds]]\nurl = "{u}"\n' for u in urls)
    path = folder / "veille.toml"
    path.write_text(
        '[database]\npath = "veille.db"\n[crawler]\nallow_private_networks = true\n'
        f"timeout_seconds = 30\nconcurrency = 32\nper_host = 8\n{feeds}",
        encoding="utf-8",
    )
    return path


def _timed(cmd: list[str]) -> tuple[float, int, bytes]:
    """Run `cmd`: (seconds, peak RSS in bytes of the process tree polled every 10 ms, stdout)."""
    start = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        try:
            rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err.decode()[-500:]}")
    return elapsed, peak, out


def _runs(values: list[float], unit: str = "s") -> str:
    return ", ".join(f"{v:.2f}" for v in values) + f" {unit}"


def main(argv: list[str] | None = None) -> dict:
    """Each measure is taken `--repeats` times, alternating the crawlers; ratios are of the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    feeds, entries, repeats = args.feeds, args.entries, args.repeats
    runs: dict[str, list[float]] = {k: [] for k in (
        "veille_first_s", "veille_recrawl_s", "veille_first_inner_s", "veille_recrawl_inner_s", "reader_s", "naive_s")}
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp, SyntheticServer(feeds, entries, bomb=True) as server:
        folder = Path(tmp)
        urls_file = folder / "urls.txt"
        urls_file.write_text("\n".join(server.urls))
        # Warm the OS caches and the server once so the first measured peer is not penalised.
        _timed([sys.executable, "-m", "bench.peers", "naive", str(urls_file), ""])
        for round_ in range(repeats):
            here = folder / f"run{round_}"
            here.mkdir()
            config = _config(here, server.urls)
            crawl = [*VEILLE, "--config", str(config), "crawl", "--all", "--json"]
            seconds, _, out = _timed(crawl)
            first = json.loads(out)
            runs["veille_first_s"].append(seconds)
            seconds, _, out = _timed(crawl)
            again = json.loads(out)
            runs["veille_recrawl_s"].append(seconds)
            assert first["new_articles"] == feeds * entries and again["not_modified"] == feeds, (first, again)
            runs["veille_first_inner_s"].append(first["seconds"])
            runs["veille_recrawl_inner_s"].append(again["seconds"])
            runs["reader_s"].append(_timed(
                [sys.executable, "-m", "bench.peers", "reader", str(urls_file), str(here / "reader.db")])[0])
            runs["naive_s"].append(_timed([sys.executable, "-m", "bench.peers", "naive", str(urls_file), ""])[0])
        bomb_folder = folder / "bomb"
        bomb_folder.mkdir()
        bomb_config = _config(bomb_folder, [server.bomb_url, *server.urls[:20]])
        _, peak, _ = _timed([*VEILLE, "--config", str(bomb_config), "crawl", "--all"])
        results["bomb_peak_mb"] = peak / 1e6
    results["runs"] = runs
    for key, values in runs.items():
        results[key] = statistics.median(values)
    results["speedup_vs_reader"] = results["reader_s"] / results["veille_first_s"]
    results["speedup_vs_naive"] = results["naive_s"] / results["veille_first_s"]
    results["recrawl_speedup"] = results["veille_first_s"] / results["veille_recrawl_s"]
    results["recrawl_speedup_inner"] = results["veille_first_inner_s"] / results["veille_recrawl_inner_s"]
    print(f"crawl bench: {feeds} feeds x {entries} entries on 127.0.0.1, process start-up included for all; "
          f"medians of {repeats} runs (runs in brackets)")
    print(f"  veille crawl --all, empty db : {results['veille_first_s']:.2f} s [{_runs(runs['veille_first_s'])}]")
    print(f"  veille crawl --all, unchanged: {results['veille_recrawl_s']:.2f} s [{_runs(runs['veille_recrawl_s'])}]")
    print(f"  reader update_feeds(workers=8): {results['reader_s']:.2f} s [{_runs(runs['reader_s'])}]")
    print(f"  naive feedparser.parse loop  : {results['naive_s']:.2f} s [{_runs(runs['naive_s'])}]")
    print(f"  ratio reader / veille         : {results['speedup_vs_reader']:.2f}x (target >= 2)")
    print(f"  ratio naive / veille          : {results['speedup_vs_naive']:.2f}x (target >= 1)")
    print(f"  ratio first / unchanged crawl : {results['recrawl_speedup_inner']:.1f}x crawl time only "
          f"({results['veille_first_inner_s']:.2f} s / {results['veille_recrawl_inner_s']:.3f} s; "
          f"runs {_runs(runs['veille_first_inner_s'])} / {_runs(runs['veille_recrawl_inner_s'])}); "
          f"{results['recrawl_speedup']:.1f}x with process start-up (target >= 5)")
    print(f"  peak RSS with a 200 MB gzip bomb: {results['bomb_peak_mb']:.0f} MB (target < 300)")
    return results


if __name__ == "__main__":
    main()
