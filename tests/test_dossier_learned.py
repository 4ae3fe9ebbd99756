"""The dossier's learned stance reading (scoring.stance_model): the shipped fit belongs to the default encoder and
its text recipe and was made from the labelled sets as they are; its fit is scikit-learn's objective; a critical
article written without any of the rules' cue phrases is read critical by it, from the vectors the store holds
(or, before they exist, from the encoder given), and the dossier says so in the service, the CLI and the register
page (English and French); with another model configured the rules alone read, and the dossier says that too."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from config import clock
from scoring import stance_model
from scoring.model import DEFAULT_MODEL, load_encoder
from scoring.stance import STANCES, read
from scoring.text import text_recipe
from tests.plugins.app import editor_ctx
from tests.test_app_register import _open, clean
from ui.i18n import translate
from watcher.store import articles as article_store
from watcher.store import feeds as feed_store
from watcher.store.articles import ArticleRow, EntryRow

DATA = Path(__file__).resolve().parent / "data"
NOW = "2026-11-20T09:00:00+00:00"

# Written for this test: a practitioner's disappointment and a French press piece telling the same, with no word
# of the rules' cue lists (the rules read both neutral), and a vendor's launch the rules read promotional.
QUIET_CRITICAL = ("Six months on, the Vellumo pilot leaves trainers tired",
                  "Store managers say the Vellumo tutor app sends staff the same quiz every morning. Most employees "
                  "now skip it, and the training team spends its Fridays chasing logins instead of coaching.")
QUIET_CRITICAL_FR = ("Vellumo, un an après : les équipes se lassent",
                     "Les apprenants n'ouvrent plus l'application, les quiz se répètent et les managers ont cessé de "
                     "suivre le tableau de bord.")
LAUNCH = ("Vellumo launches its AI tutor for store staff",
          "The new tutor app boosts engagement and cuts onboarding time by 30%, says the vendor. Book a demo.")
ARTICLES = (("practitioner", "2026-11-02", *QUIET_CRITICAL), ("press", "2026-11-09", *QUIET_CRITICAL_FR),
            ("vendor", "2026-10-26", *LAUNCH))


def _seed(store) -> dict[str, str]:
    """The three articles stored as a crawl would leave them (one feed per kind); title -> article id."""
    ids = {}
    stamp = NOW
    rows, entries = [], []
    for n, (kind, day, title, summary) in enumerate(ARTICLES):
        url = f"https://{kind}.example.org/feed.xml"
        feed_store.add_feed(store, url, title=f"{kind} news", kind=kind)
        feed_id = feed_store.ensure_feed(store, url, added_at=stamp)
        aid = f"vellumo{n:04d}"
        when = f"{day}T08:00:00+00:00"
        rows.append(ArticleRow(aid, feed_id, when, aid, stamp, stamp, url=f"https://{kind}.example.org/a/{n}",
                               title=title, language="fr" if "é" in title else "en",
                               content_html=f"<p>{summary}</p>", summary_text=summary))
        entries.append(EntryRow(feed_id, aid, aid, rows[-1].url, stamp))
        ids[title] = aid
    article_store.insert_many(store, rows)
    article_store.add_entries(store, entries)
    return ids


def test_the_shipped_fit_is_the_default_encoders_made_from_the_labelled_sets():
    learned = stance_model.load(DEFAULT_MODEL)
    assert learned is not None
    encoder = load_encoder(DEFAULT_MODEL)
    assert learned.model == encoder.name
    assert learned.recipe == text_recipe(encoder.multilingual)[0]
    assert learned.classes == STANCES
    assert learned.coef.shape == (encoder.dim + 1, len(STANCES)) and learned.intercept.shape == (len(STANCES),)
    sets = learned.provenance["sets"]
    assert set(sets) == {"dossier", "dossier2", "dossier3", "dossier4", "dossier5"}
    # the combination and the regularisation the sweep chose (python -m scoring.stance_fit … --sweep) are the fit's
    assert learned.critical_at == stance_model.CRITICAL_AT and learned.provenance["c"] == stance_model.C_DEFAULT
    for name, facts in sets.items():  # refit (python -m scoring.stance_fit, README) when a set changes
        raw = (DATA / name / "articles.jsonl").read_bytes()
        assert hashlib.sha256(raw).hexdigest() == facts["sha256"], name
        labelled = [a for a in map(json.loads, raw.decode().splitlines()) if a.get("tool")]
        assert facts["articles"] == len(labelled), name
    assert stance_model.load("all-MiniLM-L6-v2") is None  # no fit for another encoder: the rules alone


def test_the_learned_reading_calls_critical_from_its_threshold_and_the_rules_critical_stand():
    row = np.array([0.5, 0.05, 0.45])  # promotional, neutral, critical
    assert stance_model.combine("neutral", row, STANCES, 0.4) == stance_model.Decision("critical", 0.45)
    assert stance_model.combine("neutral", row, STANCES, 0.5).stance == "neutral"
    assert stance_model.combine("neutral", row, STANCES, None).stance == "neutral"  # not its most probable stance
    assert stance_model.combine("promotional", np.array([0.2, 0.2, 0.6]), STANCES, None).stance == "critical"
    assert stance_model.combine("critical", np.array([0.9, 0.1, 0.0]), STANCES, 0.4) == stance_model.Decision(
        "critical", None)  # the rules' critical reading stands, with its cues
    assert stance_model.combine("promotional", None, STANCES, 0.4).stance == "promotional"  # rules alone


def test_the_fit_is_scikit_learns_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    from scoring.stance_fit import set_examples

    encoder = load_encoder(DEFAULT_MODEL)
    data, _digest = set_examples(DATA / "dossier", encoder)
    x = stance_model.features(data.vectors, data.vendor)
    coef, intercept = stance_model.fit(x, data.gold, c=1.0)
    ours = stance_model.softmax(x @ coef + intercept)
    theirs = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000, tol=1e-8).fit(x, data.gold)
    order = [list(theirs.classes_).index(s) for s in STANCES]
    assert np.abs(theirs.predict_proba(x)[:, order] - ours).max() < 2e-3


def test_a_critical_article_without_cues_is_read_critical_by_the_learned_reading(populated_store, app_test):
    from scoring.embedder import embed_pending
    from ui.services import dossier
    from ui.services.tools import add_tool

    path, settings, store = populated_store
    clock.set_now(clock.parse_instant(NOW))
    assert read(*QUIET_CRITICAL).stance == "neutral" and not read(*QUIET_CRITICAL).cues
    assert read(*QUIET_CRITICAL_FR).stance == "neutral" and not read(*QUIET_CRITICAL_FR).cues
    ids = _seed(store)
    ctx = editor_ctx(settings, store)
    add_tool(ctx, "Vellumo", note="seen at a fair", description="An AI tutor app for store staff")

    # no vector stored yet and no encoder: the rules alone, and the dossier counts those articles
    before = dossier.build(ctx, "Vellumo")
    assert before.learned_model == DEFAULT_MODEL and before.rules_only == 3
    assert {a.title: a.stance for a in before.articles}[QUIET_CRITICAL[0]] == "neutral"

    # with the encoder given, the articles are encoded here
    encoder = load_encoder(settings.scoring.model)
    encoded = {a.title: a for a in dossier.build(ctx, "Vellumo", encoder=encoder).articles}
    # once the store holds the vectors (veille score), the dossier reads them: the same reading, no encoder
    assert embed_pending(store, encoder) > 0
    after = dossier.build(ctx, "Vellumo")
    assert after.rules_only == 0
    stored = {a.title: a for a in after.articles}
    for title in (QUIET_CRITICAL[0], QUIET_CRITICAL_FR[0]):
        assert stored[title].stance == "critical" and stored[title].cues == (), stored[title]
        assert stored[title].learned is not None and 0.34 < stored[title].learned < 1, stored[title]
        assert encoded[title].learned == pytest.approx(stored[title].learned, abs=0.011)
    launch = stored[LAUNCH[0]]
    assert launch.stance == "promotional" and launch.learned is None and launch.cues
    p = stored[QUIET_CRITICAL[0]].learned
    row = {a["title"]: a for a in after.as_json()["articles"]}[QUIET_CRITICAL[0]]
    assert row["stance"] == "critical" and row["stance_learned"] == p
    assert after.as_json()["learned_reading"] == {"model": DEFAULT_MODEL, "rules_only": 0, "corrections": 0}

    # the DLM's correction still wins, and the learned reading is then not named
    dossier.correct_stance(ctx, "Vellumo", ids[QUIET_CRITICAL[0]], "neutral")
    corrected = {a.title: a for a in dossier.build(ctx, "Vellumo").articles}[QUIET_CRITICAL[0]]
    assert corrected.stance == "neutral" and corrected.corrected and corrected.learned is None
    dossier.correct_stance(ctx, "Vellumo", ids[QUIET_CRITICAL[0]], None)

    # the CLI
    out = CliRunner().invoke(_cli(), ["--config", str(path), "tools", "dossier", "Vellumo"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert f"read as critical by the learned reading, p = {p:.2f}" in out.output

    # the register page, in English and in French
    for lang, line in (("en", f"read as critical by the learned reading, p = {p:.2f}"),
                       ("fr", f"lu comme critique par la lecture apprise, p = {p:.2f}".replace(".", ","))):
        at = app_test("register", lang=lang)
        clean(at)
        _open(at, ctx, "Vellumo")
        texts = [m.value for m in at.markdown if "pilot leaves trainers tired" in m.value]  # md() escapes commas
        assert texts and line in texts[0], (lang, texts)
    assert translate("dossier.learned", "fr", stance="critique", p="0,44") != translate(
        "dossier.learned", "en", stance="critical", p="0.44")


def test_with_another_model_the_rules_alone_read_and_the_dossier_says_so(tmp_config):
    from ui.services import dossier
    from ui.services.tools import add_tool
    from watcher.db import open_store

    path, settings = tmp_config('[scoring]\nmodel = "all-MiniLM-L6-v2"\n')
    clock.set_now(clock.parse_instant(NOW))
    with open_store(settings.database_path) as store:
        _seed(store)
        ctx = editor_ctx(settings, store)
        add_tool(ctx, "Vellumo", note="seen at a fair", description="An AI tutor app for store staff")
        d = dossier.build(ctx, "Vellumo", encoder=load_encoder(DEFAULT_MODEL))
        assert d.learned_model == "" and d.rules_only == 0
        assert {a.title: a.stance for a in d.articles}[QUIET_CRITICAL[0]] == "neutral"
        assert all(a.learned is None for a in d.articles)
        assert d.as_json()["learned_reading"] == {"model": None, "rules_only": 0, "corrections": 0}
    out = CliRunner().invoke(_cli(), ["--config", str(path), "tools", "dossier", "Vellumo"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "stance: read by the rules alone (no learned reading for the model 'all-MiniLM-L6-v2')" in out.output
    assert "learned reading, p =" not in out.output


def _cli():
    from veille.cli import main

    return main


def test_the_dlm_corrections_refit_the_learned_reading(populated_store, app_test):
    from scoring.embedder import embed_pending
    from ui.services import dossier
    from ui.services.tools import add_tool
    from watcher.store import embeddings

    path, settings, store = populated_store
    clock.set_now(clock.parse_instant(NOW))
    ids = _seed(store)
    ctx = editor_ctx(settings, store)
    add_tool(ctx, "Vellumo", note="seen at a fair", description="An AI tutor app for store staff")
    encoder = load_encoder(settings.scoring.model)
    embed_pending(store, encoder)
    aid = ids[QUIET_CRITICAL[0]]
    dossier.correct_stance(ctx, "Vellumo", aid, "neutral")  # the DLM reads this one as neutral

    def run(*args):
        return CliRunner().invoke(_cli(), ["--config", str(path), "tools", *args], catch_exceptions=False)

    bad = run("stance-refit", "--set", str(path.parent / "nowhere"))
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1, bad.output
    assert not stance_model.model_path(DEFAULT_MODEL, settings.database_path.parent).exists()

    out = run("stance-refit", "--json")
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    local = settings.database_path.parent
    assert Path(result["path"]) == stance_model.model_path(DEFAULT_MODEL, local)
    refit, shipped = stance_model.load(DEFAULT_MODEL, local), stance_model.load(DEFAULT_MODEL)
    assert refit is not None and shipped is not None and refit.provenance["corrections"] == 1
    labelled = sum(s["articles"] for s in shipped.provenance["sets"].values())  # the shipped sets, and the one
    assert result["corrections"] == 1 and result["examples"] == labelled + 1 == 350, result
    assert refit.critical_at == shipped.critical_at and refit.provenance["c"] == shipped.provenance["c"]
    assert stance_model.effective(DEFAULT_MODEL, local) is refit
    ((_ids, x),) = embeddings.iter_vectors(store, DEFAULT_MODEL, ids=[aid])
    critical = STANCES.index("critical")
    before, after = shipped.probabilities(x, [False])[0], refit.probabilities(x, [False])[0]
    assert after[critical] < before[critical], (before, after)  # it learned from the correction

    d = dossier.build(ctx, "Vellumo")
    assert d.learned_corrections == 1 and d.as_json()["learned_reading"]["corrections"] == 1
    assert "the learned reading is refitted with 1 corrections" in run("dossier", "Vellumo").output
    for lang, line in (("en", "The learned reading is refitted with 1 of your corrections."),
                       ("fr", "La lecture apprise est réajustée avec 1 de vos corrections.")):
        at = app_test("register", lang=lang)
        clean(at)
        _open(at, ctx, "Vellumo")
        assert line in [c.value for c in at.caption], (lang, [c.value for c in at.caption])


def test_the_evaluation_and_the_fit_say_one_line_for_a_folder_that_is_not_a_set(tmp_path, capsys):
    from scoring import dossier_eval, stance_fit

    for run in (dossier_eval.main, stance_fit.main):
        assert run([str(DATA / "dossier"), str(tmp_path / "nowhere")]) == 2
        out = capsys.readouterr()
        assert out.out == "" and len(out.err.strip().splitlines()) == 1 and "nowhere" in out.err, out
    assert not (tmp_path / "nowhere").exists()


def test_the_sweep_keeps_the_best_stance_among_pairs_that_find_enough_critical_articles(monkeypatch):
    from scoring import stance_fit

    # leave-one-set-out figures per (C, threshold), as if measured: (stance, critical found, critical precision)
    measured = {(1.0, None): (0.70, 0.50, 0.9), (1.0, 0.5): (0.66, 0.80, 0.6), (3.0, None): (0.66, 0.75, 0.7),
                (3.0, 0.5): (0.60, 0.95, 0.4)}

    def folds(_model, sets, c, at):
        stance, found, precision = measured[c, at]
        row = {"stance": stance, "critical_found": found, "critical_precision": precision}
        return {n: {"rules": row, "learned": row, "combined": row} for n in sets}

    monkeypatch.setattr(stance_fit, "leave_one_set_out", folds)
    monkeypatch.setattr(stance_fit, "SWEEP_C", (1.0, 3.0))
    monkeypatch.setattr(stance_fit, "SWEEP_AT", (None, 0.5))
    sets = {"a": stance_fit.Examples(np.zeros((0, 2))), "b": stance_fit.Examples(np.zeros((0, 2)))}
    rows, best = stance_fit.sweep(DEFAULT_MODEL, sets, ["b"])
    assert len(rows) == 4
    # the best stance finds too few critical articles; of the two next, the better precision wins the tie
    assert (best["c"], best["critical_at"]) == (3.0, None), best
    monkeypatch.setattr(stance_fit, "FOUND_BAR", 0.0)
    assert stance_fit.sweep(DEFAULT_MODEL, sets, ["b"])[1]["judged_stance"] == 0.70


def test_the_sweep_says_one_line_for_a_judge_that_is_not_a_set(capsys):
    from scoring import stance_fit

    assert stance_fit.main([str(DATA / "dossier"), str(DATA / "dossier2"), "--sweep", "--judge", "dossier9",
                            "--no-write"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and len(out.err.strip().splitlines()) == 1 and "dossier9" in out.err, out
