"""The dossier measured on labelled sets written for it, blind to the code (invented tools with confusable names,
English and French articles from sources of every kind, stances and quantified claims labelled). All five sets here
are development sets now: tests/data/dossier (the cues were revised on it after a first blind measure),
tests/data/dossier2 (written blind after that revision, it found the misses; the reading was revised on both in
issue 13), tests/data/dossier3 (written blind after that, it showed the rules missing critical articles),
tests/data/dossier4 and tests/data/dossier5 (each written blind after the learned stance reading and measured once:
stance 62.5% and 65%). The learned reading, scoring.stance_model, is fitted on all five, so its figures here are
in-sample; the blind figures are in README ("The evidence dossier"). tests/data/dossier6, written blind after that
fit and the claims revision, is kept out of both: measured once (3 Dec), stance 63% (critical found 88%, precision
50%), vendors' claims quoted 91%, the trough found. tests/data/dossier7, written blind after the matcher was revised
on dossier6, measured once: stance 62% (critical found 90%, precision 47%), vendors' claims 100%, the trough found,
every tool's articles found with precision and recall >= 0.9.
The set's feeds are served on 127.0.0.1, crawled into a real SQLite file and embedded with the default model (the
dossier reads the stored vectors); the figures are printed (README; `python -m scoring.dossier_eval` prints the same
stance figures without a crawl).

Bars: articles found per tool precision and recall >= 0.9, kind of source right >= 95%, stance right >= 75% with
critical articles found >= 70%, vendors' quantified claims quoted >= 70%, and the trough recognised on the tool
whose tide turned."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from config import clock
from config.settings import load_settings
from scoring.model import DEFAULT_MODEL
from tests.plugins.app import editor_ctx
from watcher import crawler
from watcher.db import open_store

DATA = Path(__file__).resolve().parent / "data"
# development sets, the first five (the module's docstring says how each was used), and dossier6, written blind
# after the five-set fit and the claims revision, and dossier7, written blind after the matcher's revision: nothing
# is fitted on either yet, so their figures are out of sample
SETS = ("dossier", "dossier2", "dossier3", "dossier4", "dossier5", "dossier6", "dossier7")


def _load(name: str):
    folder = DATA / name
    feeds = json.loads((folder / "feeds.json").read_text(encoding="utf-8"))
    tools = json.loads((folder / "tools.json").read_text(encoding="utf-8"))
    articles = [json.loads(line) for line in (folder / "articles.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
    return feeds, tools, articles


def _rss(feed: dict, items: list[dict], base: str) -> bytes:
    entries = "".join(
        f"<item><title>{escape(a['title'])}</title><link>{base}/{a['id']}</link><guid>{base}/{a['id']}</guid>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(a['published'] + 'T09:00:00+00:00'))}</pubDate>"
        f"<description>{escape(a['summary'])}</description></item>" for a in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(feed["title"])}'
            f'</title><link>{base}</link><language>{feed["language"]}</language><description>x</description>'
            f"{entries}</channel></rss>").encode()


@pytest.fixture(scope="module", params=SETS)
def measured(tmp_path_factory, request):
    """The set crawled and every tool's dossier built, at the end of the set's period."""
    from scoring.embedder import embed_pending
    from scoring.model import load_encoder
    from tests.plugins.http_server import FeedServer
    from ui.services import dossier
    from ui.services.tools import add_tool

    feeds, tools, articles = _load(request.param)
    folder = tmp_path_factory.mktemp(request.param)
    server = FeedServer().start()
    try:
        for f in feeds:
            server.add(f"/{f['key']}", _rss(f, [a for a in articles if a["feed"] == f["key"]], server.url("/a")),
                       content_type="application/rss+xml")
        config = folder / "veille.toml"
        config.write_text('[database]\npath = "veille.db"\n[crawler]\nallow_private_networks = true\n'
                          + "".join(f'[[feeds]]\nurl = "{server.url("/" + f["key"])}"\nkind = "{f["kind"]}"\n'
                                    f'language = "{f["language"]}"\n' for f in feeds), encoding="utf-8")
        settings = load_settings(config)
        last = max(a["published"] for a in articles)
        clock.set_now(clock.parse_instant(f"{last}T18:00:00+00:00"))
        with open_store(settings.database_path) as store:
            summary = crawler.crawl(settings, store, all_feeds=True)
            assert summary.failed == 0, summary.failures
            embedded = embed_pending(store, load_encoder(settings.scoring.model))
            assert embedded == len(articles), embedded
            ctx = editor_ctx(settings, store)
            out = {}
            for t in tools:
                add_tool(ctx, t["name"], note="evaluation", description=t.get("description", ""),
                         kind="trend" if t.get("kind") in ("trend", "method") else "tool")
                dossier.set_aliases(ctx, t["name"], list(t.get("aliases", [])))
                out[t["name"]] = dossier.build(ctx, t["name"])
    finally:
        server.stop()
    return feeds, tools, articles, out, request.param


def _figures(measured) -> dict:
    feeds, tools, articles, dossiers, _name = measured
    kind_of = {f["key"]: f["kind"] for f in feeds}
    by_url_id = {a["id"]: a for a in articles}
    per_tool, kinds_right, kinds_all = {}, 0, 0
    stance_right = stance_all = critical_all = critical_found = critical_read = 0
    vendor_claims = vendor_quoted = 0
    confusion: Counter = Counter()
    for t in tools:
        name = t["name"]
        truth = {a["id"] for a in articles if a.get("tool") == name}
        found = {}
        for art in dossiers[name].articles:
            label = (art.url or "").rsplit("/", 1)[-1]
            found[label] = art
        hit = truth & set(found)
        per_tool[name] = {"precision": len(hit) / max(1, len(found)), "recall": len(hit) / max(1, len(truth)),
                          "found": len(found), "truth": len(truth), "stage": dossiers[name].suggested_stage.stage}
        for aid, art in found.items():
            kinds_all += 1
            kinds_right += art.source_kind == kind_of[by_url_id[aid]["feed"]] if aid in by_url_id else 0
        for aid in hit:
            gold, art = by_url_id[aid], found[aid]
            stance_all += 1
            stance_right += art.stance == gold["stance"]
            confusion[(gold["stance"], art.stance)] += 1
            critical_read += art.stance == "critical"
            if gold["stance"] == "critical":
                critical_all += 1
                critical_found += art.stance == "critical"
            if kind_of[gold["feed"]] == "vendor":
                for claim in gold.get("claims", []):
                    vendor_claims += 1
                    vendor_quoted += any(claim in c or c in claim and len(c) >= 0.5 * len(claim) for c in art.claims)
    learned = {d.learned_model for d in dossiers.values()}, sum(d.rules_only for d in dossiers.values())
    return {"per_tool": per_tool, "learned_reading": learned, "kind": kinds_right / max(1, kinds_all),
            "stance": stance_right / max(1, stance_all), "critical_found": critical_found / max(1, critical_all),
            "critical_precision": critical_found / max(1, critical_read),
            "vendor_claims": vendor_quoted / max(1, vendor_claims),
            "counts": {"stance": stance_all, "critical": critical_all, "vendor_claims": vendor_claims},
            "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())}}


# Bars a set misses, recorded rather than asserted (README, "The evidence dossier"). dossier2 missed critical
# articles found (38% against 70%) and the trough of its hype tool (a slope) before issue 13's revision; it meets
# every bar since (critical found 100%, trough). dossier3, measured blind, missed critical found (26%) and stance
# (60%). With the learned reading fitted on all five sets and the claim patterns revised on them (so these are not
# generalisation figures: README has the blind ones) critical found is 100% everywhere, vendors' claims quoted
# 96-100%, and stance 74%, 81% and 76% on dossier3, dossier4 and dossier5.
# dossier6 (blind): stance 63%; its Railwise articles were found 10 of 12 (two French articles with no word the
# matcher knew), 12 of 12 since the matcher reads a French word by its first six letters ("mainteneur").
# dossier7 (blind, after the matcher's revision): stance 62%, every tool's articles found >= 0.9.
MISSED: dict[str, set[str]] = {"dossier3": {"stance"}, "dossier6": {"stance"}, "dossier7": {"stance"}}
BARS = {"kind": 0.95, "stance": 0.75, "critical_found": 0.70, "vendor_claims": 0.70}


def test_the_dossier_on_the_labelled_set(measured, record_property):
    figures = _figures(measured)
    print(json.dumps(figures, indent=1, ensure_ascii=False, default=list))
    for key in ("kind", "stance", "critical_found", "critical_precision", "vendor_claims"):
        record_property(key, round(figures[key], 3))
    # the learned reading of the default model read every article, from the vectors the store holds
    assert figures["learned_reading"] == ({DEFAULT_MODEL}, 0), figures["learned_reading"]
    missed = MISSED.get(measured[4], set())
    short = {name: f for name, f in figures["per_tool"].items() if f["precision"] < 0.9 or f["recall"] < 0.9}
    if "articles" in missed:
        assert short, ("articles", "every tool's articles are found now: take it out of MISSED", figures["per_tool"])
    else:
        assert not short, short
    for key, bar in BARS.items():
        if key in missed:
            assert figures[key] < bar, (key, "meets its bar now: take it out of MISSED", figures)
        else:
            assert figures[key] >= bar, (key, figures)


def test_the_tide_turns_on_the_hype_tool(measured, record_property):
    _feeds, tools, articles, dossiers, name = measured
    # the tool whose mentions surge then fall with a rising critical share, from the labels alone
    def late_critical(name):
        mine = sorted((a for a in articles if a.get("tool") == name), key=lambda a: a["published"])
        tail = mine[len(mine) * 2 // 3:]
        return sum(a["stance"] == "critical" for a in tail) / max(1, len(tail))
    hype = max((t["name"] for t in tools), key=late_critical)
    record_property("hype_stage", dossiers[hype].suggested_stage.stage)
    if "trough" not in MISSED.get(name, ()):
        assert dossiers[hype].suggested_stage.stage == "trough", (hype, dossiers[hype].suggested_stage)
