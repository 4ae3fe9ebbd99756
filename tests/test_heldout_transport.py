"""Set 2 (tests/data/heldout2): a French public-transport operator whose 4 profiles are written in French only.

Written blind, it first measured the scorer fitted on the gold set alone (mean nDCG@10 0.829, below naive
cosine 0.879). It is now one of the sets the constants are fitted on (scoring/calibrate.py DEV_SETS), so this
test guards that fit; the blind checks are tests/data/heldout3 and heldout4 (tests/test_heldout_blind.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

HELDOUT2 = Path(__file__).resolve().parent / "data" / "heldout2"


@pytest.mark.slow
def test_a_french_transport_operator_with_french_profiles(encoder, store):
    """The transport set: the scorer clears the mean bars and beats BM25 on average; no profile falls below naive
    MiniLM. (Per profile, BM25 still wins on agents_maintenance, 0.922 against 0.905: the issue's bar is not met
    there, see the closing note; a test pinning today's gap would only hide it.)"""
    from scoring.evaluate import evaluate, load_gold, table
    from scoring.records import Profile

    data = tomllib.loads((HELDOUT2 / "transport.toml").read_text(encoding="utf-8"))
    profiles = [Profile(p["key"], p["name"], p.get("description", ""), tuple(p.get("interests", ())),
                        tuple(p.get("avoid", ()))) for p in data["profiles"]]
    assert len(profiles) == 4
    items = load_gold(HELDOUT2 / "transport.jsonl")
    assert len(items) >= 100 and {it.lang for it in items} == {"en", "fr"}
    from scoring.model import MINILM, load_encoder

    rows = evaluate(items, profiles, encoder, other_encoders=[load_encoder(MINILM)])
    by = {(r.system, r.profile): r for r in rows}
    assert by[("scorer", "mean")].ndcg10 >= 0.78 and by[("scorer", "mean")].p10 >= 0.6, table(rows)
    assert by[("scorer", "mean")].ndcg10 >= by[("bm25", "mean")].ndcg10, table(rows)
    for p in profiles:
        assert by[("scorer", p.key)].ndcg10 >= by[(f"cosine {MINILM}", p.key)].ndcg10, table(rows)
