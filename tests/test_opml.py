"""OPML 2.0 import/export round trip; hostile OPML refused."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from config.errors import ValidationError
from veille.cli import main
from watcher.opml import read_opml, to_opml
from watcher.records import Feed

FEEDS = [
    Feed(id=1, url="https://a.example/feed", title="L&D <News>", site="https://a.example/", language="en",
         topics=("ai", "microlearning")),
    Feed(id=2, url="https://b.example/flux?x=1&y=2", title="Réalité \"virtuelle\"", language="fr", topics=("xr",)),
    Feed(id=3, url="https://c.example/rss"),
]


def test_round_trip_in_memory():
    items = read_opml(to_opml(FEEDS).encode("utf-8"))
    assert [(i.url, i.title, i.site, i.language, i.topics) for i in items] == [
        (f.url, f.title, f.site, f.language, f.topics) for f in FEEDS]


def test_reads_nested_outlines_and_categories():
    data = b"""<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
      <outline text="Folder"><outline text="Inner" type="rss" xmlUrl="https://in.example/feed"
        htmlUrl="https://in.example/" category="/Tech/ai, /vr"/></outline>
      <outline text="No url"/>
      <outline text="Dup" xmlUrl="https://in.example/feed"/>
    </body></opml>"""
    items = read_opml(data)
    assert len(items) == 1
    assert items[0].title == "Inner" and items[0].topics == ("ai", "vr") and items[0].site == "https://in.example/"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
         b'<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>', "refused"),
        (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         b'<opml version="2.0"><body><outline text="&x;" xmlUrl="https://x.example/"/></body></opml>', "refused"),
        (b"<opml><body><outline", "not valid XML"),
        (b'<rss version="2.0"></rss>', "not an OPML"),
    ],
)
def test_bad_opml_is_one_clear_error(data, message):
    with pytest.raises(ValidationError, match=message):
        read_opml(data, source="feeds.opml")


def test_cli_export_then_import_into_a_fresh_database(tmp_path):
    runner = CliRunner()
    first = tmp_path / "one.toml"
    first.write_text('[database]\npath = "one.db"\n', encoding="utf-8")
    second = tmp_path / "two.toml"
    second.write_text('[database]\npath = "two.db"\n', encoding="utf-8")

    def run(config, *args):
        return runner.invoke(main, ["--config", str(config), *args], catch_exceptions=False)

    assert run(first, "feeds", "add", "https://a.example/feed", "--title", "A & B", "--topic", "ai",
               "--topic", "xr", "--language", "fr").exit_code == 0
    assert run(first, "feeds", "add", "https://b.example/rss").exit_code == 0
    opml_file = tmp_path / "feeds.opml"
    assert run(first, "feeds", "export", str(opml_file)).exit_code == 0
    stdout_export = run(first, "feeds", "export")
    assert stdout_export.stdout.startswith("<?xml") and "https://a.example/feed" in stdout_export.stdout
    result = run(second, "feeds", "import", str(opml_file))
    assert result.exit_code == 0 and "imported 2 feeds" in result.stdout
    again = run(second, "feeds", "import", str(opml_file))
    assert "imported 0 feeds" in again.stdout and "2 skipped" in again.stdout

    def listing(config):
        rows = json.loads(run(config, "feeds", "list", "--json").stdout)
        return sorted((r["url"], r["title"], r["language"], r["topics"]) for r in rows)

    assert listing(first) == listing(second) == [
        ("https://a.example/feed", "A & B", "fr", ["ai", "xr"]), ("https://b.example/rss", "", "", [])]
    bad = tmp_path / "bad.opml"
    bad.write_text("not xml at all <", encoding="utf-8")
    result = run(second, "feeds", "import", str(bad))
    assert result.exit_code == 2 and "not valid XML" in result.stderr
