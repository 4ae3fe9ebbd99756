"""Cleaner and identity: safe HTML, text, canonical URLs, dates, language, entry keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watcher import cleaner
from watcher.identity import article_id, content_hash, entry_keys
from watcher.parser import ParsedEntry

HOSTILE = (
    '<p onclick="steal()">Hi <script>document.cookie="x"</script>'
    '<img src="https://img.example/a.png" onerror="alert(1)" alt="a">'
    '<a href="javascript:alert(2)">js</a><a href=" JaVaScRiPt:alert(3)">js2</a>'
    '<a href="https://good.example/p" target="_blank" rel="opener">good</a>'
    '<iframe src="https://evil.example/"></iframe><style>p{display:none}</style>'
    '<img src="data:image/png;base64,iVBORw0KGgo=" alt="d"><a href="data:text/html,<script>x</script>">d</a>'
    '<object data="x.swf"></object><embed src="y.swf"><form action="/steal"><input name="pw"></form>'
    '<svg onload="alert(4)"><circle/></svg><div style="background:url(javascript:alert(5))">styled</div>'
    '<a href="mailto:team@example.org">mail</a></p>'
)


def test_sanitize_removes_everything_active():
    out = cleaner.sanitize_html(HOSTILE).lower()
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<style", "data:", "<object",
                "<embed", "<form", "<input", "<svg", "style=", "document.cookie", "display:none", "target="):
        assert bad not in out, bad
    assert 'href="https://good.example/p"' in out
    assert 'href="mailto:team@example.org"' in out
    assert 'src="https://img.example/a.png"' in out
    assert out.count('rel="noopener noreferrer nofollow"') == out.count("<a ")
    assert "styled" in out  # text of a stripped attribute's element is kept


def test_html_to_text():
    text = cleaner.html_to_text("<h1>Title</h1><p>Caf&eacute; &amp; cr&egrave;me</p><ul><li>one</li><li>two</li></ul>"
                                "<script>var x</script>")
    assert text == "Title\nCafé & crème\none\ntwo"
    assert cleaner.html_to_text("plain   text") == "plain text"
    assert cleaner.text_line("<b>Bold</b>\n title") == "Bold title"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM:443/a/b?utm_source=x&id=3&fbclid=abc#frag", "https://example.com/a/b?id=3"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x?gclid=1&mc_cid=2&mc_eid=3&igshid=4&ref_src=5&UTM_Medium=6",
         "http://example.com:8080/x"),
        ("https://example.com/p?b=2&a=1", "https://example.com/p?b=2&a=1"),
        ("https://example.com/p?q=a+b&utm_campaign=z", "https://example.com/p?q=a+b"),
        ("javascript:alert(1)", None),
        ("mailto:x@example.org", None),
        ("/relative/path", None),
        ("", None),
        (None, None),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_canonical_url(url, expected):
    assert cleaner.canonical_url(url) == expected


def test_dates_missing_future_and_timezones():
    now = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert cleaner.normalize_date(None, now) == ("2024-06-01T12:00:00+00:00", False)
    assert cleaner.normalize_date(now + timedelta(days=30), now) == ("2024-06-01T12:00:00+00:00", True)
    near = now + timedelta(hours=3)  # a little ahead (time zones, clock skew): kept
    assert cleaner.normalize_date(near, now)[0] == "2024-06-01T15:00:00+00:00"
    paris = datetime(2024, 5, 1, 10, 0, tzinfo=__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert cleaner.normalize_date(paris, now)[0] == "2024-05-01T08:00:00+00:00"


def test_language():
    assert cleaner.normalize_language("en-US") == "en"
    assert cleaner.normalize_language("FR_fr") == "fr"
    assert cleaner.normalize_language("not a language") == ""
    fr = "La réalité virtuelle transforme la formation à la sécurité des opérateurs en entrepôt."
    en = "Virtual reality is changing how warehouse operators are trained on safety procedures."
    assert cleaner.article_language("", "", fr) == "fr"
    assert cleaner.article_language("", "", en) == "en"
    assert cleaner.article_language("", "de", en) == "de"  # the feed's language wins over the detector
    assert cleaner.article_language("fr-CA", "en", en) == "fr"  # the entry's own language wins
    assert cleaner.article_language("", "", "Short") == ""


def test_entry_keys_guid_link_hash_and_duplicate_guids():
    a = ParsedEntry(guid="g1", link="https://x.example/1")
    b = ParsedEntry(guid="", link="https://X.example/2?utm_source=rss")
    c = ParsedEntry(title="No id", summary_html="text", published=datetime(2024, 1, 1, tzinfo=UTC))
    keys = entry_keys([a, b, c])
    assert keys[0] == "g1"
    assert keys[1] == "https://x.example/2"
    assert keys[2].startswith("sha256:")
    assert entry_keys([c]) == [keys[2]]  # stable
    assert entry_keys([ParsedEntry(title="No id", summary_html="other")])[0] != keys[2]
    # one guid, two links: both kept, distinct keys; the same guid+link twice collapses
    d1 = ParsedEntry(guid="same", link="https://x.example/one")
    d2 = ParsedEntry(guid="same", link="https://x.example/two")
    keys = entry_keys([d1, d2, d1])
    assert keys[0] != keys[1] and keys[0] == keys[2]
    # the same guid repeated with the same link is one entry
    assert entry_keys([d1, d1]) == ["same", "same"]


def test_article_id_and_content_hash():
    url = "https://news.example.com/ai-act"
    assert article_id(url, "https://feed-a/", "k1") == article_id(url, "https://feed-b/", "k2")
    assert article_id(None, "https://feed-a/", "k1") != article_id(None, "https://feed-b/", "k1")
    assert content_hash("t", "x", url) == content_hash("t", "x", url)
    assert content_hash("t", "x", url) != content_hash("t", "x2", url)
    assert content_hash("ab", "c", None) != content_hash("a", "bc", None)


# the two former canonical_url (watcher's for stored links, scoring.clusters' for comparing them) are one:
# cleaner.canonical_url stores, cleaner.url_key compares, with every tracking parameter either one stripped
TRACKED = "utm_source=rss&utm_medium=feed&UTM_Campaign=x&fbclid=F&gclid=G&mc_cid=C&mc_eid=E&igshid=I&_ga=1&pk_kwd=k"


@pytest.mark.parametrize("scheme_host", ["https://example.org", "HTTPS://Example.ORG:443", "http://www.example.org"])
def test_tracking_parameters_are_stripped_for_storing_and_comparing(scheme_host):
    url = f"{scheme_host}/news/item/?id=7&{TRACKED}#comments"
    stored = cleaner.canonical_url(url)
    assert "id=7" in stored and not any(t in stored.lower() for t in ("utm_", "fbclid", "gclid", "mc_", "igshid",
                                                                     "_ga", "pk_", "#"))
    assert cleaner.url_key(url) == "example.org/news/item?id=7"  # clusters' former form
    assert cleaner.url_key(stored) == cleaner.url_key(url)


def test_url_key_also_ignores_referral_tags_the_stored_url_keeps():
    """`ref`, `source` and other `mc_*` select content on some sites and make the article id: stored as they
    are, ignored only when comparing (scoring.clusters' former list)."""
    url = "https://example.org/a?source=rss&ref=homepage&mc_tc=3&b=2&a=1"
    assert cleaner.canonical_url(url) == "https://example.org/a?source=rss&ref=homepage&mc_tc=3&b=2&a=1"
    assert cleaner.url_key(url) == "example.org/a?a=1&b=2"  # sorted, referral tags dropped
    assert cleaner.url_key("https://example.org/a?b=2&a=1&empty=") == cleaner.url_key(url)
    assert cleaner.url_key("https://example.org/a?a=1&b=3") != cleaner.url_key(url)
    assert cleaner.url_key("javascript:alert(1)") is None and cleaner.url_key("") is None
    assert cleaner.url_key("https://example.org") == "example.org/"
