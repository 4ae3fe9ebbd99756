"""The watcher's CLI through click's CliRunner: crawl, feeds, export (real server, real SQLite)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from veille.cli import main
from watcher.store import articles, scores

FEEDS = Path(__file__).parent / "data" / "feeds"
LISTING_FIELDS = {"url", "title", "status", "last_fetched", "last_error", "error_count", "articles", "next_check",
                  "moved_to", "disabled_reason"}
EXPORT_FIELDS = ["id", "url", "title", "feed_url", "published", "language", "summary_text", "topics", "scores",
                 "cluster_id"]


@pytest.fixture
def cli(tmp_path, feed_server):
    """cli(*args) -> Result, with a config of two good feeds and a 404 on the local server."""
    feed_server.add("/rss2", (FEEDS / "rss2.xml").read_bytes())
    feed_server.add("/atom", (FEEDS / "atom.xml").read_bytes(), content_type="application/atom+xml")
    feed_server.add("/gone", b"gone", status=404, content_type="text/plain")
    config = tmp_path / "veille.toml"
    config.write_text(
        '[database]\npath = "veille.db"\n[crawler]\nallow_private_networks = true\n'
        + "".join(f'[[feeds]]\nurl = "{feed_server.url(p)}"\n' for p in ("/rss2", "/atom", "/gone")),
        encoding="utf-8",
    )
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--config", str(config), *args], catch_exceptions=False)

    run.server = feed_server
    run.tmp = tmp_path
    return run


def test_crawl_prints_summary_and_exits_0_with_failures(cli):
    result = cli("crawl")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("feeds: 2 ok, 0 not modified, 1 failed · articles: 5 new, 0 updated")
    assert any(cli.server.url("/gone") in line and "404" in line for line in lines[1:])
    again = cli("crawl", "--all", "--json")
    assert again.exit_code == 0
    data = json.loads(again.stdout)
    assert (data["ok"], data["new_articles"], data["failed"]) == (2, 0, 1)
    assert data["failures"] == [{"url": cli.server.url("/gone"), "error": "HTTP 404 Not Found"}]


def test_feeds_list_json(cli):
    cli("crawl")
    result = cli("feeds", "list", "--json")
    assert result.exit_code == 0
    rows = {r["url"]: r for r in json.loads(result.stdout)}
    assert len(rows) == 3
    for row in rows.values():
        assert set(row) >= LISTING_FIELDS
    good = rows[cli.server.url("/rss2")]
    assert (good["status"], good["articles"], good["error_count"], good["last_error"]) == ("ok", 3, 0, None)
    assert good["title"] == "Learning Tech Weekly" and good["last_fetched"] and good["next_check"]
    bad = rows[cli.server.url("/gone")]
    assert (bad["status"], bad["error_count"], bad["last_error"]) == ("error", 1, "HTTP 404 Not Found")
    text = cli("feeds", "list")
    assert "Learning Tech Weekly" in text.stdout and "HTTP 404" in text.stdout


def test_feeds_add_disable_enable_remove(cli):
    cli.server.add("/extra", (FEEDS / "rss1.rdf").read_bytes())
    url = cli.server.url("/extra")
    assert cli("feeds", "add", url, "--title", "Extra", "--topic", "ai", "--language", "en").exit_code == 0
    dup = cli("feeds", "add", url)
    assert dup.exit_code == 2 and "already exists" in dup.stderr
    bad_topic = cli("feeds", "add", cli.server.url("/x"), "--topic", "astrology")
    assert bad_topic.exit_code == 2 and "unknown topic" in bad_topic.stderr
    assert cli("feeds", "disable", url, "--reason", "paused").exit_code == 0
    rows = {r["url"]: r for r in json.loads(cli("feeds", "list", "--json").stdout)}
    assert rows[url]["status"] == "disabled" and rows[url]["disabled_reason"] == "paused"
    assert rows[url]["title"] == "Extra" and rows[url]["topics"] == ["ai"]
    assert cli("feeds", "enable", url).exit_code == 0
    cli("crawl")
    rows = {r["url"]: r for r in json.loads(cli("feeds", "list", "--json").stdout)}
    assert rows[url]["articles"] == 2 and rows[url]["title"] == "Extra"  # the user's title is kept
    assert cli("feeds", "remove", url).exit_code == 0
    missing = cli("feeds", "remove", url)
    assert missing.exit_code == 2 and "no feed" in missing.stderr and len(missing.stderr.splitlines()) == 1


def test_export_jsonl_and_csv(cli):
    cli("crawl")
    from config.settings import load_settings
    from watcher.db import open_store

    settings = load_settings(cli.tmp / "veille.toml")
    with open_store(settings.database_path) as store:
        art = next(a.id for a in articles.stored(store) if (a.url or "").endswith("ai-tutors"))
        scores.set_topics(store, [art], [(art, "ai", 0.8)], "test")
        scores.upsert(store, [(art, "frontline", 0.61, "")])
        scores.set_clusters(store, [("c1", [], [art])], [])
    result = cli("export", "--format", "jsonl")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 5
    assert all(list(r) == EXPORT_FIELDS for r in records)
    tutors = next(r for r in records if r["id"] == art)
    assert tutors["topics"] == ["ai"] and tutors["scores"] == {"frontline": 0.61} and tutors["cluster_id"] == "c1"
    assert tutors["url"] == "https://learning-tech.example/2024/ai-tutors"
    assert tutors["feed_url"] == cli.server.url("/rss2")
    assert all(r["topics"] == [] and r["scores"] == {} for r in records if r["id"] != art)

    out = cli.tmp / "out.csv"
    result = cli("export", "--format", "csv", "--since", "2024-03-04", "--output", str(out))
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == EXPORT_FIELDS
    assert {r["title"] for r in rows} == {"AI tutors reach the shop floor", "Microlearning and spaced repetition"}
    row = next(r for r in rows if r["id"] == art)
    assert json.loads(row["topics"]) == ["ai"] and json.loads(row["scores"]) == {"frontline": 0.61}

    bad = cli("export", "--since", "last tuesday")
    assert bad.exit_code == 2 and "not a date" in bad.stderr


def test_commands_have_help(cli):
    for args in (["crawl"], ["update"], ["export"], ["feeds"], ["feeds", "list"], ["feeds", "import"]):
        result = cli(*args, "--help")
        assert result.exit_code == 0 and "Usage" in result.stdout
