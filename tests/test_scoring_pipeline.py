"""score(): DB → DB; incremental embedding, profile edits without re-embedding, topics, export-ready fields."""

from __future__ import annotations

import pytest

from config import clock
from scoring.pipeline import score
from tests.plugins.model import CountingEncoder, insert_articles
from watcher.store import articles as article_store
from watcher.store import embeddings, profiles, stories
from watcher.store import scores as score_store

PROFILES = """
[[profiles]]
key = "frontline"
name = "Frontline operators"
description = "Warehouse and retail operators learning safety procedures on a smartphone between shifts."
interests = ["safety training for warehouse staff", "mobile microlearning for shift workers",
             "formation sécurité en entrepôt"]
avoid = ["VR gaming headsets and video games"]

[[profiles]]
key = "compliance"
name = "Compliance"
description = "Mandatory GDPR, harassment prevention and anti-corruption training with audit trails."
interests = ["GDPR training for employees", "formation obligatoire RGPD", "harassment prevention training"]
"""

ARTICLES = [
    {"id": "a1", "title": "Order pickers get three-minute safety refreshers on their phones",
     "summary": "A distribution centre pushes short lessons on lifting and forklift lanes between picking waves."},
    {"id": "a2", "title": "Formation sécurité : des capsules mobiles pour les préparateurs de commandes",
     "summary": "Un entrepôt logistique diffuse des modules de quatre minutes sur smartphone entre deux vagues.",
     "language": "fr"},
    {"id": "a3", "title": "RGPD : la formation obligatoire des salariés passe au format court",
     "summary": "Les entreprises doivent prouver que chaque salarié a suivi la formation sur les données "
                "personnelles.", "language": "fr"},
    {"id": "a4", "title": "New VR game headset launches with faster refresh rate",
     "summary": "The console maker's headset targets gamers with a 120 Hz display and new controllers."},
    {"id": "a5", "title": "Employees must complete GDPR awareness training, regulator says",
     "summary": "Companies are expected to keep audit trails proving completion of data protection courses."},
    {"id": "a6", "title": "Football club sacks coach after five straight defeats",
     "summary": "The manager leaves the club after a poor start to the season."},
]


@pytest.fixture
def setup(tmp_config, encoder):
    from watcher.db import open_store

    path, settings = tmp_config(PROFILES)
    store = open_store(settings.database_path)
    insert_articles(store, ARTICLES)
    yield settings, store, CountingEncoder(encoder)
    store.close()


def scores_of(store, key):
    return score_store.of_profile(store, key)


def test_first_run_embeds_scores_and_second_run_embeds_nothing(setup):
    settings, store, enc = setup
    first = score(settings, store, encoder=enc)
    assert first.embedded == 6 and enc.passages == 6
    assert first.scored == 12 and first.model == "use-multilingual-v3"
    assert set(first.as_dict()) >= {"embedded", "scored", "topics", "clusters", "model"}
    second = score(settings, store, encoder=enc)
    assert second.embedded == 0 and enc.passages == 6 and second.scored == 0
    ids, vectors = next(embeddings.iter_vectors(store, first.model, ids=["a1"]))  # a blob not 512 floats raises
    assert ids == ["a1"] and vectors.shape == (1, 512) and vectors.dtype == "float32" and vectors.nbytes == 512 * 4


def test_a_run_with_nothing_pending_does_not_read_the_vectors(setup, monkeypatch):
    from scoring import centering

    settings, store, enc = setup
    score(settings, store, encoder=enc)

    def refuse(*_args):
        raise AssertionError("language means fitted although nothing was pending")

    monkeypatch.setattr(centering, "fit", refuse)
    again = score(settings, store, encoder=enc)
    assert (again.embedded, again.scored, again.topics) == (0, 0, 0)


def test_changed_article_is_re_embedded_alone(setup):
    settings, store, enc = setup
    score(settings, store, encoder=enc)
    insert_articles(store, [dict(ARTICLES[0], summary="Updated: the refreshers now include pallet-jack rules.")])
    summary = score(settings, store, encoder=enc)
    assert summary.embedded == 1 and enc.passages == 7
    assert summary.scored == 2  # only the changed article, for both profiles


def test_relevance_ranks_relevant_articles_first_in_both_languages(setup):
    settings, store, enc = setup
    score(settings, store, encoder=enc)
    front = scores_of(store, "frontline")
    assert all(0.0 <= s <= 1.0 for s in front.values())
    assert min(front["a1"], front["a2"]) > max(front["a4"], front["a6"], front["a3"])
    comp = scores_of(store, "compliance")
    assert min(comp["a3"], comp["a5"]) > max(comp["a1"], comp["a4"], comp["a6"])


def test_profile_edit_rescores_everything_without_re_embedding(setup):
    settings, store, enc = setup
    score(settings, store, encoder=enc)
    before = scores_of(store, "frontline")
    now = clock.now().isoformat()
    profiles.save(store, profiles.ProfileOverride(  # what the UI does when the DLM edits a profile
        "frontline", "Frontline", "Sports fans following football clubs and their coaches.",
        ("football club coaches and results",), (), now, "dlm"))
    summary = score(settings, store, encoder=enc)
    assert summary.embedded == 0 and enc.passages == 6
    assert summary.rescored_profiles == ["frontline"] and summary.scored == 6
    after = scores_of(store, "frontline")
    assert after["a6"] > before["a6"] and after["a6"] == max(after.values())
    ranked = stories.ranked(store, "a6", "frontline")
    assert ranked is not None and ranked.why == "football club coaches and results"


def test_topics_and_export_fields_are_filled(setup):
    settings, store, enc = setup
    summary = score(settings, store, encoder=enc)
    assert summary.topics == 6
    rows = list(article_store.iter_export_rows(store))
    assert len(rows) == article_store.count(store) == len(ARTICLES)
    topics = {(r["id"], t) for r in rows for t in r["topics"]}
    assert ("a3", "regulation") in topics and ("a5", "regulation") in topics
    assert ("a2", "microlearning") in topics
    assert not any(a == "a6" for a, _t in topics)  # football is no learning topic
    assert all(r["cluster_id"] for r in rows)  # every article belongs to a story (itself at least)
    # a reason is named only where an interest really matches: the football article has none
    interests = {i for p in settings.profiles for i in p.interests}
    whys = {(article_id, why) for article_id, _profile, _score, why in score_store.all_rows(store)}
    assert all(w in interests or w == "" for _a, w in whys)
    assert ("a6", "") in whys and any(w for _a, w in whys)


def test_rescore_flag_recomputes_without_re_embedding(setup):
    settings, store, enc = setup
    score(settings, store, encoder=enc)
    summary = score(settings, store, encoder=enc, rescore=True)
    assert summary.embedded == 0 and summary.scored == 12 and summary.topics == 6


@pytest.mark.parametrize("stem", [False, True])
def test_profile_preview_uses_the_scorers_config_stemming_included(setup, monkeypatch, stem):
    """The profile preview (ui.services.profiles.preview -> scoring.pipeline.preview_profile) keys its keyword
    query on the calibration's `stem` exactly as the ranking does, with no keyword search of its own: same terms,
    same scores as rescoring stores."""
    from scoring import bm25, scorer
    from scoring.pipeline import preview_profile
    from scoring.profiles import get_profile

    settings, store, encoder = setup
    table = {name: {**entry, "stem": stem} for name, entry in scorer.calibration_table().items()}
    monkeypatch.setattr(scorer, "calibration_table", lambda: table)
    seen: list[tuple[bool, tuple]] = []
    real = bm25.query_terms

    def spy(text, **kw):
        terms = real(text, **kw)
        seen.append((kw.get("stem", True), tuple(terms)))
        return terms

    monkeypatch.setattr(bm25, "query_terms", spy)
    score(settings, store, encoder=encoder)
    profile = get_profile(settings, store, "frontline")
    preview = preview_profile(settings, store, profile, encoder=encoder, limit=len(ARTICLES))
    frontline = [s for s in seen if s[1] == seen[-1][1]]
    assert len(frontline) == 2 and {s[0] for s in seen} == {stem}  # the ranking's query, the preview's: same
    assert any(t.endswith("*") for t in seen[-1][1]) == stem  # stemmed terms are FTS prefixes
    import inspect

    from ui.services import profiles as board_profiles

    source = inspect.getsource(board_profiles)
    assert "preview_profile" in source and "bm25" not in source and "stem" not in source
    stored = scores_of(store, "frontline")
    assert {a: round(s, 4) for a, s, _ in preview} == pytest.approx({a: round(stored[a], 4) for a, _, _ in preview},
                                                                    abs=1e-4)
