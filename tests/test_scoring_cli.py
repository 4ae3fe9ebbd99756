"""The scoring commands through the real `veille` CLI (click CliRunner, real database file)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.plugins.model import insert_articles
from tests.test_scoring_pipeline import ARTICLES, PROFILES
from veille.cli import main
from watcher.store import scores as score_store


def run(path, *args):
    result = CliRunner().invoke(main, ["--config", str(path), *args], catch_exceptions=False)
    return result


def test_score_profiles_feedback_and_eval_commands(tmp_config, encoder, tmp_path):
    from watcher.db import open_store

    path, settings = tmp_config(PROFILES)
    with open_store(settings.database_path) as store:
        insert_articles(store, ARTICLES)
    result = run(path, "score", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["embedded"] == 6

    listed = json.loads(run(path, "profiles", "list", "--json").output)
    assert [p["key"] for p in listed] == ["frontline", "compliance"]

    shown = json.loads(run(path, "profiles", "show", "compliance", "--top", "2", "--json").output)
    assert {a["article_id"] for a in shown["articles"]} == {"a3", "a5"}
    assert all(a["why"] and 0 <= a["score"] <= 1 for a in shown["articles"])
    text = run(path, "profiles", "show", "compliance", "--top", "2").output
    assert "why:" in text

    def frontline_score(article_id):
        with open_store(settings.database_path) as store:
            return score_store.of_profile(store, "frontline").get(article_id)

    before = frontline_score("a6")
    judged = run(path, "feedback", "a6", "--profile", "frontline", "--relevant")
    assert judged.exit_code == 0 and "re-ranked: now 100%, rank 1" in judged.output
    assert frontline_score("a6") == 1.0 > before  # at once, not at the next scheduled score
    undone = run(path, "feedback", "a6", "--profile", "frontline", "--undo")
    assert undone.exit_code == 0 and "withdrawn" in undone.output
    assert abs(frontline_score("a6") - before) < 1e-4  # back where it was
    assert run(path, "feedback", "a6", "--profile", "frontline", "--undo").exit_code == 2  # nothing left to undo
    assert run(path, "feedback", "a6", "--profile", "frontline").exit_code == 2  # no judgement given
    assert run(path, "feedback", "a6", "--profile", "frontline", "--relevant").exit_code == 0
    bad = run(path, "feedback", "a6", "--profile", "nope", "--relevant")
    assert bad.exit_code == 2 and "unknown profile" in bad.output
    missing = run(path, "feedback", "zzz", "--profile", "frontline", "--irrelevant")
    assert missing.exit_code == 2 and "unknown article" in missing.output
    again = json.loads(run(path, "score", "--json").output)
    assert again["embedded"] == 0 and again["rescored_profiles"] == []  # already applied by `feedback`

    gold = tmp_path / "mini.jsonl"
    gold.write_text("\n".join(json.dumps({"title": a["title"], "summary": a["summary"], "lang": a.get("language", "en"),
                                          "labels": {"compliance": 2 if a["id"] in ("a3", "a5") else 0}})
                              for a in ARTICLES), encoding="utf-8")
    table = run(path, "eval", "--gold", str(gold))
    assert table.exit_code == 0 and "bm25" in table.output and "compliance" in table.output
    rows = json.loads(run(path, "eval", "--gold", str(gold), "--json").output)
    assert {r["system"] for r in rows} == {"scorer", "bm25", "cosine", "cosine all-MiniLM-L6-v2"}
    assert {r["language"] for r in rows} == {"all", "fr", "en"}  # the mini gold set has both languages
    assert "FR items only" in table.output and "EN items only" in table.output
    assert run(path, "eval", "--gold", str(tmp_path / "none.jsonl")).exit_code == 2


def test_unknown_model_in_config_is_one_line_exit_1(tmp_config):
    path, _settings = tmp_config('[scoring]\nmodel = "acme-labs/not-here-model"\n')
    result = CliRunner().invoke(main, ["--config", str(path), "score"])
    assert result.exit_code == 1
    assert "not available offline" in result.output and "Traceback" not in result.output
