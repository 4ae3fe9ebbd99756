"""The benchmarks' command line, and a miniature crawl benchmark end to end (peers included)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_help_and_unknown_names():
    shown = run("bench", "--help")
    assert shown.returncode == 0 and "python -m bench [crawl] [scoring] [digest]" in shown.stdout
    wrong = run("bench", "nope")
    assert wrong.returncode == 2 and "unknown benchmark: nope" in wrong.stderr


@pytest.mark.slow
def test_miniature_crawl_benchmark_measures_every_peer(tmp_path):
    code = (
        "import json, sys; from bench import bench_crawl; "
        "r = bench_crawl.main(['--feeds', '6', '--entries', '3', '--repeats', '2']); "
        "json.dump({k: v for k, v in r.items() if k != 'runs'} | {'runs': r['runs']}, sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stderr.strip().splitlines()[-1])
    for key in ("veille_first_s", "veille_recrawl_s", "reader_s", "naive_s", "veille_recrawl_inner_s"):
        assert len(results["runs"][key]) == 2 and all(v > 0 for v in results["runs"][key]), key
    assert results["speedup_vs_reader"] > 0 and results["recrawl_speedup_inner"] > 0
    assert 0 < results["bomb_peak_mb"] < 300
    assert "ratio reader / veille" in done.stdout and "gzip bomb" in done.stdout
