"""Bidi controls and zero-width characters are removed from titles, feed titles, authors and tool names."""

from __future__ import annotations

import pytest

from config.errors import ValidationError
from tests.plugins.app import editor_ctx
from ui.services import tools
from watcher import cleaner
from watcher.ingest import prepare
from watcher.store import feeds as feed_store

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
        "\u200f", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
EVERY = "".join(BIDI + ZERO_WIDTH)


def test_strip_invisible_removes_each_one_and_keeps_the_rest():
    for char in BIDI + ZERO_WIDTH:
        assert cleaner.strip_invisible(f"Pay{char}Pal") == "PayPal", hex(ord(char))
    # RLO can make "exe.pdf" read as "fdp.exe"; once removed the text reads as written
    assert cleaner.strip_invisible("invoice\u202efdp.exe") == "invoicefdp.exe"
    kept = "Réalité virtuelle — 日本語 عربي\u00a0emoji 👩‍💻"  # ZWJ in the emoji is removed too, nothing else
    assert cleaner.strip_invisible(kept) == kept.replace("\u200d", "")
    assert cleaner.strip_invisible("") == ""
    assert cleaner.text_line(f"<b>A{EVERY}B</b>  C") == "AB C"


def _rss(title: str, channel: str, author: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>{channel}</title><link>https://news.example/</link>
<item><title>{title}</title><link>https://news.example/a</link><guid>a1</guid>
<dc:creator>{author}</dc:creator><description>VR safety training for warehouse staff.</description>
<pubDate>Mon, 03 Mar 2025 08:00:00 GMT</pubDate></item>
</channel></rss>""".encode()


def test_ingest_strips_them_from_titles_feed_title_and_author():
    body = _rss(f"VR\u202e \u200bsafety{EVERY} pilot", f"L&amp;D\u2067 News\u200d{EVERY}", f"Ann\u200b\u202eE{EVERY}")
    prepared = prepare(body, {"content-type": "application/rss+xml"}, "https://news.example/feed",
                       now_iso="2025-03-04T00:00:00+00:00")
    assert prepared.title == "L&D News"
    (draft,) = prepared.drafts
    assert draft.title == "VR safety pilot"
    assert draft.author == "AnnE"


def test_feed_title_given_by_the_user_is_stripped(store):
    feed = feed_store.add_feed(store, "https://news.example/feed", title=f" Ed\u202eTech\u200b  Weekly{EVERY} ")
    assert feed.title == "EdTech Weekly"


@pytest.fixture
def ctx(populated_store):
    _, settings, store = populated_store
    return editor_ctx(settings, store)


def test_tool_names_are_stripped_when_added_and_found_again(ctx):
    card = tools.add_tool(ctx, f"Chat\u200bGPT{EVERY}   tutor\u202e", note="seen in three outlets")
    assert card.name == "ChatGPT tutor"
    assert "ChatGPT tutor" in tools.tool_names(ctx)
    # the same name typed with a zero-width space is the same tool, not a second one
    assert tools.get_card(ctx, "Chat\u200bGPT tutor").id == card.id
    tools.set_status(ctx, "\u2066ChatGPT tutor\u2069", "assess", "worth a closer look")
    assert tools.get_card(ctx, "ChatGPT tutor").status == "assess"
    with pytest.raises(ValidationError, match="already"):
        tools.add_tool(ctx, "ChatGPT\ufeff tutor", note="again")
    with pytest.raises(ValidationError, match="empty"):
        tools.add_tool(ctx, EVERY, note="only invisible characters")
