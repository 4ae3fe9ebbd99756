"""Cleaning of parsed entries: safe HTML, plain text, canonical URLs, UTC dates, language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

from config import clock

# --- HTML ---------------------------------------------------------------------------------------

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Removed together with everything inside them (a plain strip would leave script source as text).
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "form", "template", "noscript",
                               "svg", "math", "textarea", "select", "button", "applet", "frameset", "noembed"})
MAX_TEXT_CHARS = 20_000


MAX_HTML_CHARS = 1_000_000  # longer fragments are cut before sanitising (a feed entry, not a book)
# The HTML5 tree builder takes time quadratic in nesting depth (100k nested <div>: ~30 s); real articles
# stay far below this depth, so deeper fragments are reduced to their text.
MAX_HTML_DEPTH = 512
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
# Elements with no end tag or an implied one: they do not deepen the tree when left open.
_NO_NESTING = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "tbody", "thead", "tfoot", "colgroup",
    "rb", "rt", "rp",
})


def _too_deep(html: str, limit: int = MAX_HTML_DEPTH) -> bool:
    if html.count("<") <= limit:
        return False
    depth = 0
    for match in _TAG.finditer(html):
        if match.group(2).lower() in _NO_NESTING or match.group(3):
            continue
        if match.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > limit:
                return True
    return False


def _text_as_html(html: str) -> str:
    """The text of a fragment as escaped paragraphs (for fragments too deep to sanitise as a tree)."""
    text = html_to_text(html, limit=MAX_HTML_CHARS)
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line)


def _base(base_url: str | None) -> str | None:
    """An absolute http(s) URL to resolve relative links against, or None."""
    if not base_url:
        return None
    try:
        parts = urlsplit(base_url.strip())
    except ValueError:
        return None
    return base_url.strip() if parts.scheme.lower() in _DEFAULT_PORTS and parts.hostname else None


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Feed HTML -> HTML safe to show: explicit allow-list of tags, attributes and URL schemes.

    With `base_url` (the article's link), relative `href`/`src` are made absolute: shown inside veille they
    would otherwise point at veille itself. No attribute is allowed on every tag (nh3 would keep `lang`
    and `title` everywhere by default).
    """
    if not html:
        return ""
    if not any(c in html for c in "<>&"):  # plain text: nothing to sanitise
        return html.strip()
    attributes = {k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = set()
    options: dict[str, Any] = {  # nh3.clean's keyword arguments
        "tags": set(ALLOWED_TAGS),
        "clean_content_tags": set(DROP_WITH_CONTENT),
        "attributes": attributes,
        "url_schemes": set(URL_SCHEMES),
        "link_rel": LINK_REL,
        "strip_comments": True,
    }
    base = _base(base_url)
    if base:
        options["url_relative"] = ("rewrite_with_base", base)
    html = html[:MAX_HTML_CHARS]
    if "<" in html and _too_deep(html):
        return _text_as_html(html)
    try:
        return nh3.clean(html, **options).strip()
    except (ValueError, TypeError):  # a base URL nh3 refuses (or an nh3 without url_relative): keep them relative
        options.pop("url_relative", None)
        return nh3.clean(html, **options).strip()


_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                         "pre", "tr", "table", "dd", "dt", "figure", "figcaption", "hr", "section", "article"})
_SKIP_TEXT = frozenset({"script", "style", "template", "noscript"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TEXT:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP_TEXT:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Plain text of an HTML fragment (entities decoded, whitespace collapsed, paragraphs kept)."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        text = html
    else:
        extractor = _TextExtractor()
        extractor.feed(html)
        extractor.close()
        text = "".join(extractor.parts)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)[:limit]


# Bidi embeddings/overrides/isolates and marks (they can reverse how a title or a name reads on screen) and
# zero-width characters (they make two names that look the same differ): removed from names and titles.
INVISIBLE = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
)
_DROP_INVISIBLE = {ord(c): None for c in INVISIBLE}


def strip_invisible(text: str) -> str:
    """`text` without bidi controls and zero-width characters (titles, feed titles, authors, tool names)."""
    return text.translate(_DROP_INVISIBLE) if text else text


def text_line(html_or_text: str, limit: int = 1000) -> str:
    """A one-line plain text (titles, authors), without bidi controls or zero-width characters."""
    return " ".join(strip_invisible(html_to_text(html_or_text, limit=limit * 2)).split())[:limit]


# --- URLs ---------------------------------------------------------------------------------------

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id",
    "mc_cid", "mc_eid", "igshid", "ref_src", "ref_url", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
    "oly_enc_id", "vero_id", "vero_conv", "wickedid", "__s", "_ga", "_gl", "s_cid", "cmpid", "at_medium",
    "at_campaign", "spm", "sr_share",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
# Referral tags that some sites also use to pick content (`?source=…`, `?ref=…`, other `mc_*` than Mailchimp's
# two): kept in the stored URL, which makes the article id, and ignored only when two links are compared.
REFERRAL_PARAMS = frozenset({"ref", "source"})
REFERRAL_PREFIXES = ("mc_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k.startswith(TRACKING_PREFIXES) or k in TRACKING_PARAMS


def _is_referral(key: str) -> bool:
    k = key.lower()
    return _is_tracking(k) or k.startswith(REFERRAL_PREFIXES) or k in REFERRAL_PARAMS


def canonical_url(url: str | None) -> str | None:
    """Canonical form of an http(s) URL, or None when it is not one.

    Lower-case scheme and host, no default port, no fragment, no tracking parameters, '/' for an empty path.
    """
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        host = parts.hostname.lower().rstrip(".")
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        port = parts.port
    except ValueError:
        return None
    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{userinfo}@{netloc}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept, doseq=True)
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def url_key(url: str | None) -> str | None:
    """The form under which two links count as the same page (story clusters), or None.

    The canonical URL without scheme, port, `www.`, trailing slash, blank parameters or parameter order, and without
    the referral tags too: `http://www.example.org/a/?id=2&ref=rss` and `https://example.org/a?id=2` match.
    """
    canonical = canonical_url(url)
    if canonical is None:
        return None
    parts = urlsplit(canonical)
    host = parts.hostname or ""
    host = host[4:] if host.startswith("www.") else host
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _is_referral(k)))
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}" + (f"?{query}" if query else "")


# --- dates --------------------------------------------------------------------------------------

FUTURE_TOLERANCE = timedelta(days=1)
# Earlier dates are broken dates (epoch 0, year 1 placeholders), not old articles: treated as missing.
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)


def utc_now() -> datetime:
    """Now, from the one clock (config.clock), aware UTC, seconds precision."""
    return clock.now()


def iso_utc(dt: datetime) -> str:
    """ISO 8601 in UTC, seconds precision: 2024-05-01T08:30:00+00:00 (sorts as text)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0).isoformat()


def now_iso() -> str:
    """The current time as stored everywhere: ISO 8601 UTC, seconds precision."""
    return iso_utc(utc_now())


def parse_iso(value: str) -> datetime:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def normalize_date(dt: datetime | None, now: datetime) -> tuple[str, bool]:
    """(UTC ISO date, whether the feed gave one): missing or implausibly old -> now (first seen),
    far future -> now."""
    if dt is None:
        return iso_utc(now), False
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if dt < EARLIEST_PLAUSIBLE:
        return iso_utc(now), False
    if dt > now + FUTURE_TOLERANCE:
        return iso_utc(now), True
    return iso_utc(dt), True


# --- language -----------------------------------------------------------------------------------

LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl")
MIN_DETECT_CHARS = 40
_LANG_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_].*)?$")


def normalize_language(value: str | None) -> str:
    """'en-US' -> 'en', 'FR_fr' -> 'fr'; anything unrecognisable -> ''."""
    if not value:
        return ""
    m = _LANG_CODE.match(value.strip())
    return m.group(1).lower() if m else ""


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str) -> str:
    """Best guess among LANGUAGES, '' when the text is too short or the guess is weak."""
    if len(text) < MIN_DETECT_CHARS:
        return ""
    lang, prob = _identifier().classify(text[:2000])
    return lang if prob >= 0.5 else ""


def article_language(entry_language: str, feed_language: str, text: str) -> str:
    """Entry language, else the feed's (config or channel), else the detector, else ''."""
    return normalize_language(entry_language) or normalize_language(feed_language) or detect_language(text)
