"""Peer crawlers measured against veille, each run in its own process: `python -m bench.peers NAME URLS DB`."""

from __future__ import annotations

import sys
from pathlib import Path


def run_reader(urls: list[str], db: str) -> int:
    """lemon24/reader: add every feed, then update_feeds(workers=8)."""
    from reader import make_reader

    reader = make_reader(db)
    for url in urls:
        reader.add_feed(url, exist_ok=True)
    reader.update_feeds(workers=8)
    return reader.get_entry_counts().total


def run_naive(urls: list[str], _db: str) -> int:
    """A sequential loop of feedparser.parse(url): fetches and parses, stores nothing."""
    import feedparser

    return sum(len(feedparser.parse(url).entries) for url in urls)


PEERS = {"reader": run_reader, "naive": run_naive}

if __name__ == "__main__":
    name, urls_file, db = sys.argv[1:4]
    count = PEERS[name](Path(urls_file).read_text().split(), db)
    print(count)
