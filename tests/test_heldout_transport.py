"""Held-out set 2 (tests/data/heldout2): a French public-transport operator whose 4 profiles are written in
French only. Written blind after the tuning: it measures the scorer, never tune against it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

HELDOUT2 = Path(__file__).resolve().parent / "data" / "heldout2"


@pytest.mark.slow
def test_a_french_transport_operator_with_french_profiles(encoder, store):
    """The transport set: the scorer clears the bar, beats naive cosine and is at least as good as BM25."""
    from scoring.evaluate import evaluate, load_gold, table
    from scoring.records import Profile

    data = tomllib.loads((HELDOUT2 / "transport.toml").read_text(encoding="utf-8"))
    profiles = [Profile(p["key"], p["name"], p.get("description", ""), tuple(p.get("interests", ())),
                        tuple(p.get("avoid", ()))) for p in data["profiles"]]
    assert len(profiles) == 4
    items = load_gold(HELDOUT2 / "transport.jsonl")
    assert len(items) >= 100 and {it.lang for it in items} == {"en", "fr"}
    rows = evaluate(items, profiles, encoder)
    mean = {r.system: r for r in rows if r.profile == "mean"}
    assert mean["scorer"].ndcg10 >= 0.78, table(rows)
    assert mean["scorer"].ndcg10 >= mean["bm25"].ndcg10, table(rows)
    assert mean["scorer"].ndcg10 > mean["cosine"].ndcg10, table(rows)
    assert mean["scorer"].p10 >= 0.6, table(rows)
