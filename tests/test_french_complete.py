"""French, complete: every page in French shows no English UI string (a scan against the English catalogue and
a list of typical English UI words), in AppTest and in Chromium, with French typography (a no-break space
before ':', ';', '!', '?' and decimal commas).

Feed and user data (article titles and summaries, feed titles, tool names and rationales, profile interests, rising
terms) may be English: the scan removes them from the text first, so only the app's own words are judged."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.plugins.app import editor_ctx
from ui import i18n

PAGES = ("digest", "register", "radar", "trends", "veille_log", "sources", "profiles")

# words an English UI says and a French one never does (whole words, case-sensitive where capitalised)
ENGLISH_WORDS = (
    "the", "and", "of", "with", "from", "your", "for", "this", "none", "None", "Save", "Saved", "Open", "Search",
    "Show", "Download", "Upload", "Add", "Remove", "Next", "Previous", "Unread", "Relevance", "Why",
    "Status", "Rationale", "Evidence", "History", "Score", "Change", "Week", "week", "judged", "relevant",
    "irrelevant", "tool", "trend", "created", "edit", "status", "score", "evidence", "Total", "failed",
    "failing", "disabled", "ok", "crawl", "rescore", "digest", "feeds", "updated", "unchanged",
    "Browse files", "Drag and drop", "Choose options", "Choose an option", "No results", "Limit", "per file",
    "Press Enter", "to apply", "Fit", "Suggested", "Previous", "Unclassified", "All",
    "Yes", "No", "True", "False", "true", "false", "NaN", "nan", "Trial", "Adopted", "Assess", "Hold", "Adopt",
    "Rejected", "healthy", "never", "new", "moved", "Recent", "Before", "Learner", "Profile", "Sources watched",
)
# identical in both languages, or names: never a sign of English
SAME = {"Radar", "Sources", "Source", "Articles", "Description", "Quadrant", "Signal", "Total", "Note", "Volumes",
        "OPML", "CSV", "JSON", "veille", "Qualiopi", "URL", "KO", "Build-Your-Own-Radar", "BYOR", "Type", "Limit"}
MIN_FRAGMENT = 4  # shorter pieces of a catalogue string ("To", "All") say nothing on their own


def english_catalogue() -> set[str]:
    """The English catalogue values that differ from their French, cut at placeholders and Markdown into the
    fragments a page could show as such."""
    out: set[str] = set()
    for en, fr in i18n.STRINGS.values():
        if en == fr:
            continue
        for piece in re.split(r"\{[^}]*\}|\*\*|`|\(|\)|[·:;,.!?…→←/—]|\s-\s", en):
            piece = piece.strip(" '\"“”")
            if (len(piece) >= MIN_FRAGMENT and piece not in SAME and piece not in fr
                    and re.search(r"[A-Za-z]{3}", piece)):
                out.add(piece)
    return out


CATALOGUE = english_catalogue()
WORD_RE = re.compile(r"(?<![\w/.@#=-])(" + "|".join(re.escape(w) for w in sorted(set(ENGLISH_WORDS) - SAME,
                                                                                    key=len, reverse=True))
                     + r")(?![\w/.@=-])")


def english_in(text: str) -> list[str]:
    """The English UI strings found in `text`: catalogue fragments (whole words) and typical English UI words."""
    found = []
    for piece in CATALOGUE:
        if re.search(r"(?<!\w)" + re.escape(piece) + r"(?!\w)", text):
            found.append(piece)
    found += WORD_RE.findall(text)
    return sorted(set(found))


def strip_data(text: str, data: list[str]) -> str:
    """`text` without the feed and user data in it (longest first, so a title goes before a word of it).

    Markdown escapes (ui.safe.md) are undone first, and link targets and colour directives dropped."""
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text.replace("\u2060", ""))
    text = re.sub(r"\]\([^)\s]*\)", "]", text)  # link targets (feed URLs, `register?tool=…`)
    text = re.sub(r"<title>[^<]*</title>|<[^>]+>", " ", text)  # our HTML/SVG markup and its tooltips (data)
    text = re.sub(r":[a-z]+(?:-badge)?\[", "[", text).replace(":material/", " ")
    for item in data:
        text = text.replace(item, " ")
    text = re.sub(r"https?://\S+|\S+@\S+|\b[\w.-]+\.(?:org|com|net|fr|test|local|csv|json|opml)\b", " ", text)
    return text


def data_strings(settings, store) -> list[str]:
    """Every string of the seeded database and config a page may show as it is: feed and user data."""
    from ui.services import profiles, sources, stories, tools, trends
    from ui.services.records import DigestFilter

    ctx = editor_ctx(settings, store)
    items: set[str] = set()
    for f in sources.feed_health(ctx):
        items |= {f.title or "", f.url, f.last_error or "", f.warning or ""}
    cards = []
    for key in (None, *(p.key for p in profiles.list_profiles(ctx))):
        page, pages = 1, 1
        while page <= pages:
            result = stories.list_stories(ctx, DigestFilter(profile=key, page=page, page_size=100))
            cards += result.stories
            page, pages = page + 1, result.pages
    for p in profiles.list_profiles(ctx):
        items |= {p.name, p.description, *p.interests, *p.avoid, p.updated_by or ""}
    for card in cards:
        items |= {card.title or "", card.why or "", card.summary_html or ""}
        for s in card.sources:
            items |= {s.feed_title or "", s.feed_url, s.url}
        items.add(re.sub(r"<[^>]+>", "", card.summary_html or ""))
    for name in tools.tool_names(ctx):
        detail = tools.get_tool(ctx, name)
        items |= {name, detail.card.description or "", detail.card.last_rationale or ""}
        items |= {line for line in (detail.card.description or "").splitlines()}
        for h in detail.history:
            items |= {h.rationale or "", h.by or ""}
        for ev in detail.evidence:
            items |= {ev.title or "", ev.feed_title or "", ev.note or ""}
        for e in detail.scorecard.entries:
            items.add(e.note or "")
    for s in tools.suggest_signals(ctx, limit=6):
        items.add(s.name)
    for r in (*trends.rising_terms(ctx, limit=12),):
        items.add(r.label)
    items |= {"Claire (DLM)", "Victor (viewer)"}
    return sorted((i for i in items if i and len(i) > 1), key=len, reverse=True)


# --- what AppTest shows ---------------------------------------------------------------------------


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def _vega_strings(spec: dict) -> list[str]:
    out = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("title", "text", "description"):
            out.append(node)

    walk(spec)
    return out


def visible_text(at) -> list[str]:
    """All text of the rendered app: Markdown, captions, alerts, labels, help, placeholders, options, buttons,
    tabs, expanders, metrics, dataframe column titles and cells, chart titles and the chart data."""
    from google.protobuf.json_format import MessageToDict

    out: list[str] = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            walk(child)
        proto = getattr(node, "proto", None)
        if proto is None:
            return
        d = MessageToDict(proto, preserving_proto_field_name=True)
        for key in ("body", "label", "help", "placeholder", "options", "caption", "title", "text", "value",
                    "display_value", "default_display", "tooltip"):
            if key in d and not (key == "value" and node.type in ("text_input", "text_area")):
                out.extend(_strings(d[key]))
        frame = getattr(node, "value", None) if node.type == "dataframe" else None
        if frame is not None:  # shown columns: their titles (configured label, else the name) and text cells
            configs = json.loads(proto.columns or "{}")
            shown = list(proto.column_order) or [str(c) for c in frame.columns]
            for column in shown:
                config = configs.get(column) or {}
                if config.get("hidden"):
                    continue
                out.append(config.get("label") or column)
                out.extend(_strings(config.get("help", "")))
                out.extend(_strings((config.get("type_config") or {}).get("format", "")))
                if column in frame.columns:
                    out.extend(v for v in frame[column].tolist() if isinstance(v, str))
        if "spec" in d:  # an Altair/Vega-Lite chart: its titles and the strings of its data (legend, axes)
            import pyarrow as pa

            out.extend(_vega_strings(json.loads(d["spec"])))
            for dataset in proto.datasets:
                table = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
                out.extend(str(v) for v in table.to_numpy().ravel() if isinstance(v, str))
        if node.type == "tab":
            out.append(getattr(node, "label", ""))
        if node.type == "expandable":
            out.append(getattr(node, "label", "") or "")

    walk(at._tree)
    return [s for s in out if s]


def _english_on(at, data: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for text in visible_text(at):
        hits = english_in(strip_data(text, data))
        if hits:
            found[text[:160]] = hits
    return found


@pytest.mark.parametrize("page", PAGES)
def test_french_pages_show_no_english(app_test, populated_store, page):
    _path, settings, store = populated_store
    at = app_test(page, lang="fr")
    assert not at.exception, [e.value for e in at.exception]
    found = _english_on(at, data_strings(settings, store))
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)



def test_the_scanner_flags_english():
    """The scan can fail: an English catalogue string, a typical English UI word, a Streamlit built-in."""
    french = "Pertinence minimale · Sélection d'articles · 12 flux\u00a0: 3 mis à jour"
    assert english_in(french) == []
    assert "Mark read" in english_in(french + " · Mark read")  # the catalogue's English
    assert "Save" in english_in("Garder · Save")  # a typical English UI word
    assert "Browse files" in english_in("Parcourir · Browse files")  # Streamlit's own English
    assert english_in(strip_data("Pourquoi\u00a0: VR safety training", ["VR safety training"])) == []


def test_french_typography_in_rendered_strings():
    from ui.i18n import NBSP, NNBSP, format_number, format_percent, format_ratio, translate

    assert translate("digest.why", "fr", why="x") == f"Pourquoi{NBSP}: x"
    assert translate("register.rationale_help", "fr").startswith(f"Pourquoi cette décision{NNBSP}?")
    assert translate("sources.crawl_failure", "fr", url="https://a.example.org/f", error="HTTP 404: gone") == \
        f"https://a.example.org/f{NBSP}: HTTP 404: gone"  # values are never touched
    assert translate("digest.why", "en", why="x") == "Why: x"
    assert (format_percent(0.723, "fr"), format_percent(0.723, "en")) == (f"72{NNBSP}%", "72%")
    assert (format_number(0.85, "fr", 2), format_number(1234.5, "fr")) == ("0,85", f"1{NNBSP}234,5")
    assert (format_ratio(1.5, "fr"), format_ratio(1.5, "en")) == ("×1,50", "×1.50")
    for key, (_en, fr) in i18n.STRINGS.items():  # no ordinary space (or none) before a French ':' ';' '?' '!'
        bad = re.findall(r"(?:^|[^\u00a0\u202f{}:;!?(\[ ])[:;!?](?=\s|$)|(?<=\S) [:;!?](?=\s|$)", fr)
        assert not bad, (key, fr)


def _typography_problems(text: str) -> list[str]:
    """French typography broken in our text: a space-less or ordinary-space ':' ';' '?' '!' before a space,
    or a decimal point in a number."""
    text = re.sub(r"&\w+;", " ", text)  # HTML entities (&nbsp;) are no punctuation
    bad = re.findall(r"\w+ [:;!?](?=\s|$)|[A-Za-zÀ-ÿ]{2,}[;!?](?=\s|$)", text)
    bad += re.findall(r"(?<![\w.])\d+\.\d+\s?%", text)
    return bad


def test_french_pages_keep_french_typography(app_test, populated_store):
    _path, settings, store = populated_store
    data = data_strings(settings, store)
    for page in PAGES:
        at = app_test(page, lang="fr")
        problems = {text[:120]: _typography_problems(strip_data(text, data)) for text in visible_text(at)}
        problems = {k: v for k, v in problems.items() if v}
        assert not problems, (page, problems)


# --- the same scan in Chromium, with screenshots ----------------------------------------------------------

SHOTS_ENV = "VEILLE_SCREENSHOTS"
FRENCH_NAV = {page: i18n.translate(f"nav.{'log' if page == 'veille_log' else page}", "fr") for page in PAGES}


@pytest.fixture
def french_app(populated_store):
    """`veille ui` in French (`[ui] language = "fr"`) with an auth file holding one editor."""
    from tests.test_browser import EDITOR, PASSWORD, _veille, running_ui

    path, _settings, _store = populated_store
    config = path.with_name("veille-fr.toml")
    config.write_text(path.read_text(encoding="utf-8") + '\n[ui]\nauth_file = "users.yaml"\nlanguage = "fr"\n',
                      encoding="utf-8")
    added = _veille(config, "users", "add", EDITOR, "--role", "editor", "--password-env", "UI_PW",
                    env={"UI_PW": PASSWORD})
    assert added.returncode == 0, added.stderr
    with running_ui(config, path.with_name("ui-fr.log")) as url:
        yield url


def _page_text(page) -> str:
    """The page's text as a reader sees it (and the placeholders of its fields), without article summaries
    (feed HTML) and icon names (Material ligatures such as `done`)."""
    return page.evaluate(
        "() => { const body = document.body.cloneNode(true);"
        " body.querySelectorAll('.veille-summary, script, style, [data-testid=stIconMaterial]')"
        ".forEach(n => n.remove());"
        " const host = document.createElement('div'); host.style.position = 'absolute';"
        " host.appendChild(body); document.documentElement.appendChild(host);"
        " const text = host.innerText; host.remove();"
        " const hints = [...document.querySelectorAll('input[placeholder], textarea[placeholder]')]"
        ".map(n => n.placeholder);"
        " return [text, ...hints].join('\\n'); }"
    )


@pytest.mark.slow
def test_french_pages_in_chromium_show_no_english(french_app, populated_store, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, EDITOR, PASSWORD, _settle

    _path, settings, store = populated_store
    data = data_strings(settings, store)
    shots = Path(os.environ.get(SHOTS_ENV) or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="fr-FR")
        page.goto(french_app)
        page.get_by_label(i18n.translate("login.username", "fr"), exact=True).fill(EDITOR)
        page.get_by_label(i18n.translate("login.password", "fr"), exact=True).fill(PASSWORD)
        hits = english_in(strip_data(_page_text(page), data))
        if hits:
            found["login"] = hits
        page.get_by_role("button", name=i18n.translate("login.submit", "fr")).click()
        page.get_by_test_id("stSidebarNav").wait_for(timeout=30_000)
        _settle(page)
        for name, label in FRENCH_NAV.items():
            page.set_viewport_size({"width": 1440, "height": 1000})
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=label, exact=True).click()
            _settle(page)
            page.locator("h1").first.wait_for(timeout=30_000)
            assert page.locator('[data-testid="stException"]').count() == 0, name
            for expander in page.locator('[data-testid="stExpander"] summary').all():  # their text too
                if expander.is_visible():
                    expander.click()
            _settle(page)
            hits = english_in(strip_data(_page_text(page), data))
            if hits:
                found[name] = hits
            height = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                                   " return m ? m.scrollHeight : document.body.scrollHeight; }")
            page.set_viewport_size({"width": 1440, "height": max(900, min(int(height) + 40, 8000))})
            page.wait_for_timeout(300)
            page.screenshot(path=str(shots / f"fr-{name}-desktop.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            _settle(page)
            page.screenshot(path=str(shots / f"fr-{name}-phone.png"), full_page=True)
        browser.close()
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
    for name in PAGES:
        for size in ("desktop", "phone"):
            assert (shots / f"fr-{name}-{size}.png").stat().st_size > 10_000


def test_french_report_has_no_english_and_french_typography(populated_store):
    """The veille-log report in French: none of the report's English words, French spacing, kinds and quadrants
    in French (the same catalogue as the app)."""
    from datetime import date

    from ui.services import veille_log

    _path, settings, store = populated_store
    log = veille_log.build_log(editor_ctx(settings, store), date(2025, 1, 1), date(2027, 12, 31))
    html = veille_log.to_html(log, "fr")
    text = strip_data(re.sub(r"<style>.*?</style>|<[^>]+>", "\n", html, flags=re.S), data_strings(settings, store))
    english = {v for k, v in veille_log.TEXT["en"].items() if v != veille_log.TEXT["fr"].get(k) and len(v) >= 4}
    assert not [w for w in english if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text)]
    assert not re.findall(r"(?<!\s)\b(?:tool|trend)\b", text)
    assert "outil" in text and "IA et automatisation" in text
    assert not _typography_problems(text), _typography_problems(text)[:5]


def test_top_scores_are_told_apart():
    """Relevance near the top reads 99.4% and 98.6%, not 99% twice; mid-range scores stay whole percents."""
    from ui.i18n import NNBSP, format_score

    assert [format_score(s, "en") for s in (0.994, 0.986, 0.951, 0.723, 0.03)] == \
        ["99.4%", "98.6%", "95.1%", "72%", "3.0%"]
    assert format_score(0.994, "fr") == f"99,4{NNBSP}%" and format_score(None, "en") == "—"
