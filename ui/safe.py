"""Feed and user text inside Streamlit Markdown: one helper, so that text stays text.

Streamlit renders Markdown in `st.markdown`, `st.caption`, `st.write`, titles, alerts, toasts and in the
labels of widgets (buttons, metrics, expanders, tabs, checkboxes, radios, segmented controls…), with
GitHub extensions (autolinks of bare `https://…` and `www.…`, tables, strikethrough), LaTeX math
(`$…$`), emoji and Material icon shortcodes (`:smile:`, `:material/x:`) and colour directives
(`:red[…]`, `:blue-badge[…]`). An image in Markdown (`![x](url)`) is fetched by the viewer's browser.

:func:`md` makes any string literal there: every ASCII punctuation character is backslash-escaped
(CommonMark allows an escape before any of them, and an escaped character never opens a construct), so
`:` cannot start a directive or shortcode, `[`/`!` cannot start a link or image, `$` no math, `<` no HTML,
`&` no entity, and `https\\:\\/\\/…`, `www\\.…` are no autolinks. Line breaks and runs of white space are
collapsed (a line starting with four spaces would be code). :func:`md_link` builds a link whose target is
http(s) only and percent-encoded so that it cannot end early. :func:`md_values` escapes the values given
to an i18n template whose fixed text may hold Markdown of ours (`**{name}**`).

Text elements (`st.text`, `st.code`), data frames and `st.html` with escaped HTML need none of this.
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote, urlsplit

__all__ = ["md", "md_link", "md_lines", "md_values", "safe_url"]

_SPECIAL = frozenset(string.punctuation)  # ASCII punctuation: every character CommonMark lets us escape
_ESCAPE = str.maketrans({c: "\\" + c for c in _SPECIAL})
_SPACE = re.compile(r"\s+")
# Some plugins work on the parsed text, after escapes are resolved: GFM autolinks of `http://`, `https://`,
# `www.` and e-mail addresses, Material icon and emoji shortcodes (`:material/x:`, `:smile:`). A WORD JOINER
# (U+2060, invisible, no line break) after each `:` and `@` and inside `www.` stops them without showing.
WJ = "\u2060"
_WWW = re.compile(r"(?i)(www)(\\\.)")
# Kept as is in a link target: RFC 3986 unreserved and reserved characters, except the ones that can end or
# confuse a Markdown link destination or an HTML attribute: ( ) < > " ' \ ` space (encoded below).
_URL_SAFE = "-._~:/?#[]@!$&*+,;=%"


def md(value: object) -> str:
    """`value` as literal text inside Streamlit Markdown (one line; None -> "")."""
    if value is None:
        return ""
    text = _SPACE.sub(" ", str(value)).strip().translate(_ESCAPE)
    text = text.replace("\\:", "\\:" + WJ).replace("\\@", "\\@" + WJ)
    return _WWW.sub(r"\1" + WJ + r"\2", text)


def md_lines(value: object) -> str:
    """Like :func:`md`, keeping the text's lines as Markdown line breaks (notes, descriptions)."""
    if value is None:
        return ""
    lines = (md(line) for line in str(value).splitlines())
    return "  \n".join(line for line in lines if line)


def md_values(**values: object) -> dict[str, str]:
    """The values of an i18n template, escaped: `t("register.added", **md_values(tool=name))`."""
    return {key: md(value) for key, value in values.items()}


def safe_url(url: object) -> str | None:
    """An http(s) URL with a host, percent-encoded so it cannot leave a Markdown link; else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not parts.hostname:
        return None
    return quote(url, safe=_URL_SAFE)


def md_link(label: object, url: object) -> str:
    """A Markdown link showing `label` as text, to `url` if it is http(s); else the escaped label alone."""
    text = md(label) or md(url) or "—"
    target = safe_url(url)
    if target is None:
        return text
    # `[` `]` in the target are not special inside (…) but a `\` would be: encoded above; `<…>` form not used.
    return f"[{text}]({target})"
