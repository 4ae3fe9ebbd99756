"""Feeds we have not seen: hostile markup, odd formats, broken bytes, odd dates, sizes that try to hurt.

Every document here was written for these tests (tests/data/feeds/odd_* or built below). Each case runs on
both parser paths (feedparser-rs fast path and the feedparser fallback) unless it is about one of them.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from config.errors import ParseError
from watcher import cleaner, parser
from watcher.ingest import prepare
from watcher.parser import parse_feed

FEEDS = Path(__file__).parent / "data" / "feeds"
RSS = {"content-type": "application/rss+xml"}
NOW = "2025-01-15T12:00:00+00:00"
FEED_URL = "https://feeds.example/dir/feed.xml"


def load(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


@pytest.fixture(params=["fast", "fallback"])
def path(request, monkeypatch):
    """Run the test on the feedparser-rs fast path, then on the feedparser fallback."""
    if request.param == "fallback":
        monkeypatch.setattr(parser, "feedparser_rs", None)
    else:
        assert parser.feedparser_rs is not None
    return request.param


def ingest(body: bytes, headers: dict | None = None, url: str = FEED_URL):
    return prepare(body, RSS if headers is None else headers, url, now_iso=NOW)


# --- an independent check of sanitised output ------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "background", "poster", "xlink:href", "srcset"}


class _Audit(HTMLParser):
    """Lists everything in a fragment that the allow-list should have removed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in cleaner.ALLOWED_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name == "rel" and tag == "a":
                continue
            if name not in cleaner.ALLOWED_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value:
                compact = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = re.match(r"^([a-z][a-z0-9+.-]*):", compact)
                if scheme and scheme.group(1) not in cleaner.URL_SCHEMES:
                    self.problems.append(f"{tag}[{name}]={scheme.group(1)}:")


def audit(html: str) -> list[str]:
    checker = _Audit()
    checker.feed(html)
    checker.close()
    return checker.problems


# --- hostile markup ----------------------------------------------------------------------------------

def test_obfuscated_schemes_and_active_content_are_removed(path):
    prepared = ingest(load("odd_xss.xml"))
    drafts = {d.entry_key: d for d in prepared.drafts}
    assert set(drafts) == {"sr-schemes", "sr-active", "sr-escaped", "sr-nested", "sr-double"}
    for draft in prepared.drafts:
        assert audit(draft.content_html) == [], draft.entry_key
        assert "alert" not in draft.content_html and "alert" not in draft.summary_text, draft.entry_key
        assert "elsewhere.example" not in draft.content_html  # <base>, <link>, <iframe>, <object> all gone
    schemes = drafts["sr-schemes"].content_html
    assert schemes.count("<a ") == 7  # the links stay as text anchors, only their bad targets went
    assert 'href="https://safe.example/read"' in schemes
    assert "Readable body text survives." in drafts["sr-active"].summary_text
    assert "Styled paragraph" in drafts["sr-active"].summary_text
    assert "Escaped paragraph" in drafts["sr-escaped"].summary_text
    assert drafts["sr-escaped"].title == "Escaped markup in an RSS description"
    assert "Outer part" in drafts["sr-nested"].summary_text and "after" in drafts["sr-nested"].summary_text
    # text that talks about markup stays visible text, escaped in the HTML
    assert "&lt;script&gt;" in drafts["sr-double"].content_html
    assert "<script>" in drafts["sr-double"].summary_text


@pytest.mark.parametrize("fragment", [
    '<a href="JaVaScRiPt:alert(1)">a</a>',
    '<a href="&#106;&#97;vascript:alert(1)">a</a>',
    '<a href="&#x6a;avascript&#x3a;alert(1)">a</a>',
    '<a href="java\tscript:alert(1)">a</a>',
    '<a href="\x01javascript:alert(1)">a</a>',
    '<a href=" VBScript:msgbox(1)">a</a>',
    '<img src="data:image/png;base64,AAAA" alt="d">',
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">d</a>',
    '<svg onload="alert(1)"><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">m</maction></math>',
    '<base href="javascript:alert(1)//"><a href="x">rel</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<p style="width: expression(alert(1))">css</p>',
    '<div style="background:url(&quot;javascript:alert(1)&quot;)">css</div>',
    '<style>@import "javascript:alert(1)";</style><p>styled</p>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">b</button></form>',
    '<img src=x onerror=alert(1)><body onload=alert(1)>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<scr<script>ipt>alert(1)</scr</script>ipt>',
    '<a href="javascript&colon;alert(1)">colon entity</a>',
    '<template><img src=x onerror=alert(1)></template>',
    '<details open ontoggle=alert(1)>d</details>',
    '<video poster="javascript:alert(1)"><source src="javascript:alert(1)"></video>',
    '<img srcset="javascript:alert(1) 1x" src="https://ok.example/i.png" alt="i">',
])
def test_sanitizer_on_raw_hostile_fragments(fragment):
    """The cleaner alone (not pre-cleaned by a feed parser) keeps nothing active."""
    out = cleaner.sanitize_html(fragment, base_url="https://site.example/post/1")
    assert audit(out) == []
    assert "javascript" not in out.lower() and "vbscript" not in out.lower()
    assert "onerror" not in out and "onload" not in out


def test_sanitizer_keeps_ordinary_markup_and_makes_links_absolute():
    html = ('<h2 title="t" lang="en">Heading</h2><p>Read <a href="../more#part">more</a> '
            '<img src="/img/a.png" alt="chart"> <a href="mailto:team@site.example">mail</a></p>')
    out = cleaner.sanitize_html(html, base_url="https://site.example/blog/post/1")
    assert '<a href="https://site.example/blog/more#part"' in out
    assert 'src="https://site.example/img/a.png"' in out
    assert 'href="mailto:team@site.example"' in out
    assert "<h2>Heading</h2>" in out  # no attribute survives on tags that allow none
    assert audit(out) == []
    # without a usable base, relative links stay relative (never an error)
    assert 'href="../more#part"' in cleaner.sanitize_html(html, base_url="not a url")


def test_sanitizer_survives_100k_levels_of_nesting():
    html = "<div>" * 100_000 + "deep text" + "</div>" * 100_000
    out = cleaner.sanitize_html(html)
    assert "deep text" in out and audit(out) == []
    assert "deep text" in cleaner.html_to_text(html)


@pytest.mark.slow
def test_deeply_nested_feed_markup_does_not_recurse(path):
    depth = 100_000
    xml_nest = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Deep</title><item><title>Nested'
                b'</title><link>https://deep.example/1</link><description>' + b"<x>" * depth + b"core"
                + b"</x>" * depth + b"</description></item></channel></rss>")
    html_nest = xml_nest.replace(b"<x>" * depth, b"<![CDATA[" + b"<div>" * depth).replace(
        b"</x>" * depth, b"</div>" * depth + b"]]>")
    for body in (xml_nest, html_nest):
        prepared = ingest(body)
        assert [d.url for d in prepared.drafts] == ["https://deep.example/1"]
        assert audit(prepared.drafts[0].content_html) == []


# --- formats --------------------------------------------------------------------------------------

def test_rss_091_with_html_entities_and_netscape_doctype(path):
    prepared = ingest(load("odd_rss091.xml"))
    assert prepared.warning is None  # a plain DOCTYPE is dropped silently, &eacute; still means é
    assert prepared.title == "Old School Training Bulletin"
    assert prepared.language == "en"
    assert [d.url for d in prepared.drafts] == ["http://oldschool-training.example/news/classroom-spring",
                                                "http://oldschool-training.example/news/second"]
    assert prepared.drafts[1].summary_text.endswith("café.")
    assert prepared.drafts[0].summary_text == "Trainers plan blended sessions & short refreshers."


def test_rss_092_item_without_title_or_link(path):
    prepared = ingest(load("odd_rss092.xml"))
    first, second = prepared.drafts
    assert first.url is None and first.entry_key.startswith("sha256:")
    assert first.title.startswith("An item with only a description")
    assert second.url == "https://trainer-notes.example/ep2"


def test_atom_03(path):
    prepared = ingest(load("odd_atom03.xml"))
    (draft,) = prepared.drafts
    assert draft.entry_key == "tag:legacy-atom.example,2024:spaced"
    assert draft.published == "2024-04-01T07:00:00+00:00"
    assert draft.content_html == "<p>Short reviews spread over weeks beat one long session.</p>"


def test_atom_xml_base_resolves_links_and_content(path):
    prepared = ingest(load("odd_atom_xmlbase.xml"))
    one, two = prepared.drafts
    assert one.url == "https://base-atom.example/blog/posts/one.html"
    assert two.url == "https://base-atom.example/archive/2023/two.html"
    assert 'href="https://base-atom.example/images/chart.png"' in one.content_html
    assert 'src="https://base-atom.example/blog/pics/photo.jpg"' in one.content_html


def test_relative_links_and_guid_permalinks(path):
    prepared = ingest(load("odd_relative_rss.xml"))
    by_key = {d.entry_key: d for d in prepared.drafts}
    # a relative item link leans on the channel's own link, not on where the feed is hosted
    assert by_key["rg-42"].url == "https://relative-gazette.example/articles/42-coaching"
    assert 'href="https://relative-gazette.example/articles/41"' in by_key["rg-42"].content_html
    # isPermaLink="false": the guid is an opaque key, never turned into a URL
    assert by_key["44"].url == "https://relative-gazette.example/articles/44"
    permalink = next(d for d in prepared.drafts if d.entry_key.endswith("43-mentoring"))
    assert permalink.url == "https://relative-gazette.example/articles/43-mentoring"


def test_empty_rss_is_a_feed_with_no_entries(path):
    prepared = ingest(load("odd_empty_rss.xml"))
    assert prepared.drafts == () and prepared.warning is None
    assert ingest(b'<rss version="2.0"/>').drafts == ()


def test_json_feed_is_parsed(path):
    prepared = ingest(load("odd_jsonfeed.json"), {"content-type": "application/feed+json"},
                      url="https://json-notes.example/feed.json")
    assert prepared.title == "Notes JSON sur l'apprentissage"
    assert prepared.language == "fr"
    first, second, third = prepared.drafts
    assert first.entry_key == "jn-1"
    assert first.url == "https://json-notes.example/2024/tuteurs-ia"  # tracking parameter gone
    assert first.published == "2024-03-05T08:30:00+00:00" and first.updated == "2024-03-06T10:00:00+00:00"
    assert first.author == "Camille Exemple" and first.language == "fr"
    assert "alert" not in first.content_html and audit(first.content_html) == []
    assert second.entry_key == "2"  # a numeric id is still an id
    assert second.url == "https://json-notes.example/2024/microformation"
    assert "<balise>" in second.summary_text  # content_text is text, never markup
    assert "&lt;balise&gt;" in second.content_html
    assert third.url == "https://elsewhere.example/report" and not third.dated


def test_json_feed_version_1_author_object():
    prepared = ingest(load("odd_jsonfeed_v1.json"), {"content-type": "application/json"})
    (draft,) = prepared.drafts
    assert draft.author == "Item Author"
    assert draft.published == "2024-01-10T17:00:00+00:00"


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"items": []}', "not a JSON Feed"),
    (b'{"version": "https://example.com/other", "items": []}', "not a JSON Feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": ', "invalid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
    (b'["https://jsonfeed.org/version/1"]', "not a JSON Feed"),
])
def test_json_that_is_not_a_json_feed_is_a_parse_error(body, expected):
    with pytest.raises(ParseError, match=expected):
        parse_feed(body, {"content-type": "application/json"})


def test_json_feed_with_odd_items_keeps_the_good_ones():
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Odd",
           "items": ["not an object", {"id": "ok", "url": "https://odd.example/ok", "content_text": "Fine."},
                     {"id": {"nested": True}, "url": 42, "title": ["list"], "date_published": "not a date"}]}
    feed = parse_feed(json.dumps(doc).encode(), {})
    assert [e.guid for e in feed.entries] == ["ok", ""]
    assert feed.warning and "not objects" in feed.warning
    assert feed.entries[1].published is None


# --- bytes and transport ---------------------------------------------------------------------------

def test_feed_served_as_text_plain(path):
    prepared = ingest(load("rss2.xml"), {"content-type": "text/plain"})
    assert len(prepared.drafts) == 3 and prepared.warning is None


def test_gzip_inside_gzip_and_zlib_inside_the_body(path):
    body = load("odd_atom03.xml")
    for wrapped in (gzip.compress(gzip.compress(body)), zlib.compress(body), gzip.compress(body)):
        prepared = ingest(wrapped, {"content-type": "application/octet-stream"})
        assert prepared.title == "Legacy Atom Journal" and len(prepared.drafts) == 1


def test_compressed_bomb_inside_the_body_is_refused():
    bomb = gzip.compress(b"\0" * (40 * 1024 * 1024), compresslevel=9)
    with pytest.raises(ParseError, match="inflates beyond"):
        parse_feed(bomb, RSS)
    with pytest.raises(ParseError, match="corrupt compressed body"):
        parse_feed(b"\x1f\x8b" + b"not really gzip" * 10, RSS)


def test_windows_1252_body_declared_utf8(path):
    prepared = ingest(load("odd_cp1252_says_utf8.xml"), {"content-type": "application/rss+xml; charset=utf-8"})
    assert prepared.title == "Café pédagogique du lundi"
    (draft,) = prepared.drafts
    assert draft.title == "Œuvre collective : “former” les équipes à 5 € près"
    assert draft.summary_text == "Les formateurs ont préféré l’été — déjà noté."
    assert "Ã" not in draft.title + draft.summary_text


def test_latin1_declared_but_body_is_utf8(path):
    body = ('<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Déclaration fausse'
            '</title><item><title>Été numérique</title><link>https://faux.example/1</link></item></channel></rss>')
    prepared = ingest(body.encode("utf-8"), {"content-type": "text/xml; charset=ISO-8859-1"})
    assert prepared.title == "Déclaration fausse"
    assert prepared.drafts[0].title == "Été numérique"


def test_utf8_feed_with_a_few_stray_windows_1252_bytes(path):
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Mélange</title>'
            '<item><title>Déjà STRAY vu</title><link>https://melange.example/1</link></item></channel></rss>')
    raw = body.encode("utf-8").replace(b"STRAY", b"\x93cit\xe9\x94")  # “cité” in windows-1252
    prepared = ingest(raw, {"content-type": "application/rss+xml; charset=utf-8"})
    assert prepared.title == "Mélange"
    assert prepared.drafts[0].title == "Déjà “cité” vu"


def test_utf16_without_bom(path):
    prepared = ingest(load("odd_utf16le_nobom.xml"), {"content-type": "application/xml"})
    assert prepared.title == "Seize bits sans marque"
    assert prepared.drafts[0].title == "Évaluer la formation à froid"
    big_endian = load("odd_utf16le_nobom.xml").decode("utf-16-le").encode("utf-16-be")
    assert ingest(big_endian, {}).drafts[0].title == "Évaluer la formation à froid"


def test_bom_and_blank_lines_before_the_xml_declaration(path):
    prepared = ingest(load("odd_bom_whitespace.xml"))
    assert prepared.warning is None
    assert prepared.drafts[0].title == "Référentiel de compétences"


def test_nul_bytes_control_characters_and_invalid_utf8(path):
    prepared = ingest(load("odd_nul_bad_utf8.xml"))
    assert prepared.warning is None  # forbidden characters are removed, the document is then well-formed
    first, second = prepared.drafts
    assert first.title == "Premier article"
    assert "\x0b" not in first.summary_text and "déjà vu" in first.summary_text
    assert second.title.startswith("Second article") and "\x00" not in second.summary_text
    assert second.summary_text == "Fin du texte."


def test_character_references_to_control_characters_are_dropped(path):
    body = (b'<rss version="2.0"><channel><title>Refs</title><item><title>A&#1;B&#x0;C</title>'
            b"<link>https://refs.example/1</link></item></channel></rss>")
    draft = ingest(body).drafts[0]
    assert draft.title == "ABC"


def test_undeclared_legacy_cjk_charset_is_detected(path):
    text = "学習科学の最新研究について。間隔反復と想起練習の効果を紹介します。"
    body = ("<rss version=\"2.0\"><channel><title>学習ノート</title><item><title>想起練習</title>"
            f"<link>https://jp.example/1</link><description>{text * 3}</description></item></channel></rss>")
    prepared = ingest(body.encode("euc_jp"), {"content-type": "application/rss+xml"})
    assert prepared.title == "学習ノート"
    assert prepared.drafts[0].summary_text.startswith("学習科学")


def test_doctype_mentioned_in_a_comment_does_not_swallow_the_feed(path):
    body = (b'<?xml version="1.0"?>\n<!-- generated; no <!DOCTYPE here, honest -->\n'
            b'<!DOCTYPE rss [<!ENTITY boom "boom">]>\n<rss version="2.0"><channel><title>C</title><item>'
            b"<title>Kept &boom;</title><link>https://comment.example/1</link><description><![CDATA[About "
            b"<!ENTITY x SYSTEM 'file:///etc/hostname'> in XML attacks]]></description></item></channel></rss>")
    feed = parse_feed(body, RSS)
    assert [e.link for e in feed.entries] == ["https://comment.example/1"]
    assert feed.entities_removed
    # a declaration quoted inside CDATA is article text, not a declaration: it is kept
    assert "<!ENTITY x SYSTEM" in feed.entries[0].summary_html or "ENTITY x" in feed.entries[0].summary_html


def test_html_page_and_garbage_are_parse_errors():
    for body, headers in ((b"<!doctype html><html><body>Hello</body></html>", {"content-type": "text/html"}),
                          (b"\xff\xd8\xff\xe0 not a feed at all", {"content-type": "image/jpeg"}),
                          (b"\x00\x00\x00\x00", {}),
                          (codecs.BOM_UTF8 + b"   ", {})):
        with pytest.raises(ParseError):
            parse_feed(body, headers)


# --- sizes ----------------------------------------------------------------------------------------

def test_ten_thousand_tiny_entries(path):
    items = b"".join(b"<item><title>Tiny %d</title><link>https://tiny.example/%d</link><guid>t-%d</guid></item>"
                     % (i, i, i) for i in range(10_000))
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Tiny</title>' + items + b"</channel></rss>"
    prepared = ingest(body)
    assert len(prepared.drafts) == 10_000
    assert len({d.id for d in prepared.drafts}) == 10_000


def test_single_five_megabyte_entry_is_bounded(path):
    paragraph = b"<p>Retrieval practice and spacing keep knowledge available for months.</p>"
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title><item><title>Huge</title>'
            b"<link>https://huge.example/1</link><description><![CDATA[" + paragraph * (5_000_000 // len(paragraph))
            + b"]]></description></item></channel></rss>")
    (draft,) = ingest(body).drafts
    assert len(draft.content_html) <= cleaner.MAX_HTML_CHARS + 100
    assert len(draft.summary_text) <= cleaner.MAX_TEXT_CHARS
    assert draft.summary_text.startswith("Retrieval practice")


def test_too_many_tags_for_the_fallback_keeps_the_leading_entries(monkeypatch):
    monkeypatch.setattr(parser, "feedparser_rs", None)
    monkeypatch.setattr(parser, "MAX_FALLBACK_TAGS", 200)
    items = b"".join(b"<item><title>E%d</title><guid>e-%d</guid></item>" % (i, i) for i in range(5))
    body = (b'<rss version="2.0"><channel><title>Flood</title>' + items + b"<item><description>"
            + b"<x/>" * 1000 + b"</description></item></channel></rss>")
    feed = parse_feed(body, RSS)
    assert [e.guid for e in feed.entries] == [f"e-{i}" for i in range(5)]
    assert feed.warning and "cut after 200 tags" in feed.warning


# --- dates ----------------------------------------------------------------------------------------

def test_dates_in_odd_formats(path):
    drafts = {d.url.rsplit("/", 1)[-1]: d for d in ingest(load("odd_dates.xml")).drafts}
    expected = {
        "est": "2024-03-05T14:30:00+00:00",
        "pdt": "2024-06-07T23:45:00+00:00",
        "nozone": "2024-03-05T09:30:00+00:00",  # no zone: taken as UTC
        "mars": "2024-03-05T10:15:00+00:00",
        "fevrier": "2024-02-01T00:00:00+00:00",
        "dateonly": "2024-02-29T00:00:00+00:00",
    }
    for key, published in expected.items():
        assert (drafts[key].published, drafts[key].dated) == (published, True), key
    assert drafts["y9999"].published == NOW  # far future: clamped to first-seen time
    for key in ("epoch", "moon", "garbage"):  # placeholders and nonsense: first-seen time, not dated
        assert (drafts[key].published, drafts[key].dated) == (NOW, False), key


# --- both paths agree ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.name for p in FEEDS.glob("odd_*")))
def test_fast_path_and_fallback_store_the_same_identities(monkeypatch, name):
    headers = {"content-type": "application/json" if name.endswith(".json") else "application/rss+xml"}
    fast = prepare(load(name), headers, FEED_URL, now_iso=NOW)
    monkeypatch.setattr(parser, "feedparser_rs", None)
    slow = prepare(load(name), headers, FEED_URL, now_iso=NOW)
    assert [(d.id, d.entry_key, d.url, d.title) for d in fast.drafts] == \
        [(d.id, d.entry_key, d.url, d.title) for d in slow.drafts]
    assert [d.published for d in fast.drafts] == [d.published for d in slow.drafts]
    assert fast.title == slow.title and fast.warning == slow.warning
