"""Kinds of source (research, practitioner, vendor, press, regulator, unknown): in the config, in the database, in
OPML (round trip, other readers' files), and on the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from config.errors import ConfigError, ValidationError
from config.settings import SOURCE_KINDS, load_settings, parse_settings
from veille.cli import main
from watcher.db import open_store
from watcher.opml import read_opml, to_opml
from watcher.store import feeds as feed_store


def test_the_config_names_a_kind_and_refuses_an_unknown_one():
    settings = parse_settings({"feeds": [{"url": "https://a.example/rss", "kind": "vendor"},
                                         {"url": "https://b.example/rss"}]})
    assert [f.kind for f in settings.feeds] == ["vendor", "unknown"]
    with pytest.raises(ConfigError) as exc:
        parse_settings({"feeds": [{"url": "https://a.example/rss", "kind": "blog"}]}, source="veille.toml")
    message = str(exc.value)
    assert "\n" not in message and "feeds[0].kind" in message and "'blog'" in message and "regulator" in message


def test_every_shipped_feed_says_what_kind_it_is():
    settings = load_settings("config/veille.toml")
    kinds = {f.kind for f in settings.feeds}
    assert settings.feeds and "unknown" not in kinds and kinds <= set(SOURCE_KINDS)
    assert {"research", "practitioner", "vendor", "press", "regulator"} <= kinds
    assert next(f.kind for f in settings.feeds if "cnil.fr" in f.url) == "regulator"


def test_config_kinds_reach_the_store_and_a_kind_the_config_leaves_out_is_kept(tmp_path):
    with open_store(tmp_path / "v.db") as store:
        settings = parse_settings({"feeds": [{"url": "https://a.example/rss", "kind": "research"},
                                             {"url": "https://b.example/rss"}]})
        assert feed_store.sync_config_feeds(store, settings) == 2
        assert feed_store.get_feed(store, "https://a.example/rss").kind == "research"
        assert feed_store.get_feed(store, "https://b.example/rss").kind == "unknown"
        feed_store.set_feed_kind(store, "https://b.example/rss", "Press ")
        changed = parse_settings({"feeds": [{"url": "https://a.example/rss", "kind": "practitioner"},
                                            {"url": "https://b.example/rss"}]})
        assert feed_store.sync_config_feeds(store, changed) == 0
        assert feed_store.get_feed(store, "https://a.example/rss").kind == "practitioner"  # the config decides
        assert feed_store.get_feed(store, "https://b.example/rss").kind == "press"  # the user's word stays
        with pytest.raises(ValidationError, match="not a kind of source"):
            feed_store.set_feed_kind(store, "https://b.example/rss", "blog")
        assert feed_store.get_feed(store, "https://b.example/rss").kind == "press"
        with pytest.raises(ValidationError, match="not a kind of source"):
            feed_store.add_feed(store, "https://c.example/rss", kind="blog")
        assert feed_store.find_feed(store, "https://c.example/rss") is None


def test_opml_round_trip_keeps_kinds_and_other_readers_files_read_as_unknown(tmp_path):
    with open_store(tmp_path / "a.db") as store:
        for url, kind in (("https://r.example/rss", "research"), ("https://v.example/rss", "vendor"),
                          ("https://u.example/rss", "unknown")):
            feed_store.add_feed(store, url, title=url, kind=kind)
        text = to_opml(feed_store.all_feeds(store))
    assert 'veille:kind="research"' in text and "u.example" in text
    assert text.count("veille:kind=") == 2  # unknown is not written
    with open_store(tmp_path / "b.db") as other:
        added, skipped, errors = feed_store.import_feeds(other, read_opml(text.encode("utf-8")))
        assert (added, skipped, errors) == (3, 0, [])
        assert {f.url: f.kind for f in feed_store.all_feeds(other)} == {
            "https://r.example/rss": "research", "https://v.example/rss": "vendor", "https://u.example/rss": "unknown"}
    foreign = b"""<?xml version="1.0"?><opml version="2.0" xmlns:veille="https://veille.invalid/opml"><body>
      <outline text="Plain" xmlUrl="https://p.example/rss"/>
      <outline text="Odd" xmlUrl="https://o.example/rss" veille:kind="blog"/></body></opml>"""
    with open_store(tmp_path / "c.db") as third:
        added, _skipped, errors = feed_store.import_feeds(third, read_opml(foreign))
        assert added == 2  # a feed with a wrong kind is still added, as unknown, and said in one line
        assert len(errors) == 1 and "o.example" in errors[0] and "'blog'" in errors[0] and "\n" not in errors[0]
        assert {f.kind for f in feed_store.all_feeds(third)} == {"unknown"}


def test_the_command_line_adds_lists_and_changes_kinds(tmp_path):
    config = tmp_path / "veille.toml"
    config.write_text('[database]\npath = "veille.db"\n[[feeds]]\nurl = "https://cfg.example/rss"\n'
                      'kind = "regulator"\n', encoding="utf-8")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--config", str(config), *args], catch_exceptions=False)

    added = run("feeds", "add", "https://v.example/rss", "--kind", "vendor")
    assert added.exit_code == 0 and "(vendor)" in added.stdout
    bad = run("feeds", "add", "https://w.example/rss", "--kind", "blog")
    assert bad.exit_code == 2 and "blog" in bad.stderr
    rows = {r["url"]: r for r in json.loads(run("feeds", "list", "--json").stdout)}
    assert rows["https://v.example/rss"]["kind"] == "vendor" and rows["https://cfg.example/rss"]["kind"] == "regulator"
    assert "https://w.example/rss" not in rows
    assert "vendor" in run("feeds", "list").stdout
    changed = run("feeds", "kind", "https://v.example/rss", "research")
    assert changed.exit_code == 0 and changed.stdout.strip() == "https://v.example/rss: research"
    note = run("feeds", "kind", "https://cfg.example/rss", "press")
    assert note.exit_code == 0 and "config file" in note.stderr
    rows = {r["url"]: r["kind"] for r in json.loads(run("feeds", "list", "--json").stdout)}
    assert rows["https://v.example/rss"] == "research"
    assert rows["https://cfg.example/rss"] == "regulator"  # `feeds list` syncs the config first, as it says
    exported = run("feeds", "export")
    assert 'veille:kind="research"' in exported.stdout
    assert run("feeds", "kind", "--help").exit_code == 0


def test_the_sources_page_shows_and_changes_the_kind(app_test, populated_store):
    """The table names each feed's kind; an editor changes it from the page (the store says so after)."""
    from tests.plugins.app import editor_ctx
    from ui.services import sources

    _path, settings, store = populated_store
    feeds = sources.feed_health(editor_ctx(settings, store))
    first = feeds[0]
    at = app_test("sources")
    assert not at.exception
    frame = at.dataframe[0].value
    assert "kind" in frame.columns and set(frame["kind"]) <= {"research", "practitioner", "vendor", "press",
                                                               "regulator", "unknown"}
    at.selectbox(key="sources_pick").set_value(first.id).run()
    at.selectbox(key=f"sources_kind_{first.id}").set_value("research").run()
    at.button(key="sources_set_kind").click().run()
    assert not at.exception and not at.error
    assert feed_store.get_feed(store, first.url).kind == "research"
    assert at.selectbox(key="feed_kind").value == "unknown"  # a new feed's kind, chosen when adding it


def test_the_sources_page_in_french_names_kinds_in_french(app_test, populated_store):
    at = app_test("sources", lang="fr")
    assert not at.exception
    assert set(at.dataframe[0].value["kind"]) <= {"recherche", "praticien", "fournisseur", "presse", "autorité",
                                                  "inconnu"}
