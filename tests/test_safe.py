"""ui.safe: feed and user text stays text inside Streamlit Markdown; links go to http(s) only and stay links.

What Streamlit's renderer does with the escaped text is checked in a real browser in
tests/test_browser_hostile.py; here, the exact escaped form and the properties it relies on.
"""

from __future__ import annotations

import re
import string

import pytest

from ui.safe import WJ, md, md_lines, md_link, md_values, safe_url

HOSTILE = (
    "New! ![x](https://canary.example/p.gif)",
    r"\[x\](https://canary.example/a)",
    "<img src=https://canary.example/i>",
    "**bold**",
    "# head",
    ":red-badge[x]",
    ":red[x] :material/home: :smile: :+1:",
    "$x^2$ and $$y$$",
    "https://canary.example/x",
    "www.canary.example",
    "WWW.Canary.example",
    "mail me@canary.example",
    "1. one",
    "- dash + plus",
    "> quote",
    "~~strike~~ | a | b |",
    "`code` ``more``",
    "&lt;&amp;&#33;",
    "x_y_ *z*",
    "=== ---",
    "[ref]: https://canary.example/ref",
    "<https://canary.example/auto>",
    "a\nb\r\nc\t\td",
    "    four spaces",
    "\\ back\\slash\\",
)


def _unescape(escaped: str) -> str:
    """What the Markdown parser leaves in the text node: `\\X` -> `X` for ASCII punctuation."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped)


# The patterns Streamlit's renderer applies to text nodes after parsing (escapes already resolved):
# mdast-util-gfm-autolink-literal (URLs, www., e-mail), remark-emoji and Streamlit's Material icons.
TEXT_NODE_PATTERNS = (
    re.compile(r"(https?:\/\/|www(?=\.))([-.\w]+)", re.I),
    re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)"),
    re.compile(r":\+1:|:-1:|:[\w-]+:"),
    re.compile(r":material[/_][\w-]+:"),
    re.compile(r"(mailto|xmpp):", re.I),
)
# Streamlit loads its emoji plugin only when the raw Markdown matches this (StreamlitMarkdown.tsx).
EMOJI_GATE = re.compile(r":(?!material\/|streamlit:)[\w+-][\w_+-]*:")


@pytest.mark.parametrize("text", HOSTILE)
def test_every_markdown_character_is_escaped(text):
    out = md(text)
    assert "\n" not in out and "\r" not in out and "\t" not in out
    assert not out.startswith(" ")
    # every ASCII punctuation character is preceded by a backslash (an escaped one cannot open anything)
    plain = out.replace(WJ, "")
    i = 0
    while i < len(plain):
        if plain[i] == "\\":
            assert i + 1 < len(plain) and plain[i + 1] in string.punctuation, (text, out)
            i += 2
            continue
        assert plain[i] not in string.punctuation, (text, out, plain[i])
        i += 1
    node = _unescape(out)
    for pattern in TEXT_NODE_PATTERNS:
        assert not pattern.search(node), (text, out, pattern.pattern)
    assert not EMOJI_GATE.search(out)
    # what the reader sees is the text (white space collapsed), with only invisible word joiners added
    assert node.replace(WJ, "") == " ".join(text.split())


def test_exact_forms():
    assert md("New! ![x](https://canary.example/p.gif)") == (
        f"New\\! \\!\\[x\\]\\(https\\:{WJ}\\/\\/canary\\.example\\/p\\.gif\\)"
    )
    assert md(r"\[x\](u)") == r"\\\[x\\\]\(u\)"
    assert md("<img src=x>") == r"\<img src\=x\>"
    assert md("**b** # h") == r"\*\*b\*\* \# h"
    assert md(":red-badge[x]") == f"\\:{WJ}red\\-badge\\[x\\]"
    assert md("$x^2$") == r"\$x\^2\$"
    assert md("www.a.b") == f"www{WJ}\\.a\\.b"
    assert md("me@a.b") == f"me\\@{WJ}a\\.b"
    assert md("&amp; | ~ _ = + - . `") == r"\&amp\; \| \~ \_ \= \+ \- \. \`"
    assert md("Réalité virtuelle · 日本") == "Réalité virtuelle · 日本"  # only ASCII punctuation is special
    assert md(None) == "" and md(42) == "42" and md("  \n ") == ""


def test_lines_keep_line_breaks_and_values():
    assert md_lines("# one\n\n  - two  \n    three") == r"\# one" + "  \n" + r"\- two" + "  \n" + "three"
    assert md_lines(None) == ""
    assert md_values(tool="**x**", n=3) == {"tool": r"\*\*x\*\*", "n": "3"}


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>", "vbscript:x",
    "file:///etc/passwd", "ftp://example.org/x", "mailto:a@b.example", "//canary.example/x", "/relative",
    "https://", "http:///nohost", "https://exa\nmple.org/", "https://example.org/\x00", "", None, 3,
])
def test_link_targets_other_than_http_are_plain_labels(url):
    assert safe_url(url) is None
    assert md_link("Label [x](y)", url) == md("Label [x](y)")


def test_link_targets_cannot_break_out():
    target = safe_url("https://ok.example/a b(c)\"'<>\\`x?q=1&r=[2]#f")
    assert target == "https://ok.example/a%20b%28c%29%22%27%3C%3E%5C%60x?q=1&r=[2]#f"
    for bad in " ()<>\"'\\`":
        assert bad not in target
    link = md_link("t) ![i](https://canary.example/i.gif", "https://ok.example/p) [x](https://canary.example/a")
    assert link == (
        f"[t\\) \\!\\[i\\]\\(https\\:{WJ}\\/\\/canary\\.example\\/i\\.gif]"
        "(https://ok.example/p%29%20[x]%28https://canary.example/a)"
    )
    # the whole target is one destination: no unencoded parenthesis or space can end it early
    destination = link[link.index("](") + 2:-1]
    assert not re.search(r"[\s()<>]", destination)
    assert md_link("", "https://ok.example/") == f"[https\\:{WJ}\\/\\/ok\\.example\\/](https://ok.example/)"
    assert md_link("", None) == "—"
    assert safe_url("HTTPS://Ok.Example/é") == "HTTPS://Ok.Example/%C3%A9"
