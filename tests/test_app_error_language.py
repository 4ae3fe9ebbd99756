"""Refusals read in the page's language (issue 12): three real refusals of the service layer on three pages (a
decision blocked by a knock-out criterion on the register, a feed address that is not http(s) on Sources, a
profile saved without interests), driven through the app in French then in English.

In French the error line holds no English UI words (the French-complete scan, once the user and feed data in
it are taken out); in English the same action reads the English catalogue. Nothing is written either way."""

from __future__ import annotations

import pytest

from tests.plugins.app import editor_ctx
from tests.test_french_complete import english_in, strip_data
from ui.i18n import translate
from ui.safe import md

BAD_URL = "ftp://files.example.org/feed.xml"
LOOPBACK_URL = "http://127.0.0.1:9/feed.xml"
CONFIG_LINE = "[crawler] allow_private_networks = true"  # a setting as the config file writes it


def errors(at) -> list[str]:
    """The page's refusal lines (error.generic, in either language); other alerts of the page left out."""
    assert not at.exception, [e.value for e in at.exception]
    starts = tuple(f"{p.split('{')[0]}" for p in (translate("error.generic", "en"), translate("error.generic", "fr")))
    return [e.value for e in at.error if e.value.startswith(starts)]


def submit(at, form: str, label: str):
    """Click the submit button of `form` whose label is `label` (labels are in the page's language)."""
    for b in at.button:
        if b.key and b.key.startswith(f"FormSubmitter:{form}-") and b.label == label:
            return b.click().run()
    raise AssertionError(f"no {label!r} in form {form!r}: {[(b.key, b.label) for b in at.button]}")


def _knocked_out_tool(settings, store) -> str:
    """A card that may be adopted, with a knock-out criterion scored 0 (so adoption is refused)."""
    from ui.services import tools

    ctx = editor_ctx(settings, store)
    name = next(c.name for c in tools.list_tools(ctx) if "adopted" in tools.get_tool(ctx, c.name).allowed_next)
    tools.set_score(ctx, name, "data_protection", 0, "Data leaves the EU without safeguards.")
    return name


def refuse_decision(app_test, settings, store, lang: str) -> tuple[str, str]:
    from ui.services import tools

    name = _knocked_out_tool(settings, store)
    detail = tools.get_tool(editor_ctx(settings, store), name)
    before = detail.history
    at = app_test("register", lang=lang)
    tools_box = at.selectbox(key="register_tool")
    tools_box.select_index(tools_box.options.index(name)).run()  # options are labels: pick by position
    at.selectbox(key="decision_status").set_value("adopted")
    at.text_area(key="decision_rationale").set_value("The pilot went well.")
    submit(at, "decision", translate("register.set_status", lang))
    assert tools.get_tool(editor_ctx(settings, store), name).history == before  # nothing written
    [line] = errors(at)
    return line, name


def refuse_feed(app_test, settings, store, lang: str) -> tuple[str, str]:
    from ui.services import sources

    at = app_test("sources", lang=lang)
    at.text_input(key="feed_url").set_value(BAD_URL)
    submit(at, "add_feed", translate("sources.add_button", lang))
    assert BAD_URL not in [f.url for f in sources.feed_health(editor_ctx(settings, store))]
    [line] = errors(at)
    return line, BAD_URL


def refuse_unreachable_feed(app_test, settings, store, lang: str) -> tuple[str, str]:
    """The test fetch refuses a loopback address (private networks are not allowed here): the page's own
    sentence around the fetcher's reason, both in the page's language."""
    from ui.services import sources

    at = app_test("sources", lang=lang)
    at.text_input(key="feed_url").set_value(LOOPBACK_URL)
    submit(at, "add_feed", translate("sources.add_button", lang))
    assert LOOPBACK_URL not in [f.url for f in sources.feed_health(editor_ctx(settings, store))]
    assert not at.exception, [e.value for e in at.exception]
    [line] = [e.value for e in at.error]
    return line, LOOPBACK_URL


def refuse_profile(app_test, settings, store, lang: str) -> tuple[str, str]:
    from ui.services import profiles

    before = profiles.get_profile(editor_ctx(settings, store), "frontline")
    at = app_test("profiles", lang=lang)
    interests = next(a for a in at.text_area if a.label == translate("profiles.interests", lang))
    interests.set_value("  \n ")
    submit(at, "profile_frontline", translate("profiles.save", lang))
    assert profiles.get_profile(editor_ctx(settings, store), "frontline").interests == before.interests
    [line] = errors(at)
    return line, "frontline"


# (refusal, the English words of its message, its French words)
CASES = [
    (refuse_decision, "is knocked out by Data protection (GDPR) (score 0); fix the scorecard before Adopted",
     "est éliminé par Protection des données (RGPD) (note 0)\u202f; corrigez la grille avant de passer à Adopté"),
    (refuse_feed, "a feed URL must be an http(s) URL", "l'adresse d'un flux doit commencer par http"),
    (refuse_profile, "give at least one interest (one per line)", "indiquez au moins un centre d'intérêt"),
    (refuse_unreachable_feed, "is unreachable (refused: 127.0.0.1 is a loopback address (set [crawler] "
     "allow_private_networks = true to allow))",
     "refusé\u00a0: 127.0.0.1 est une adresse de bouclage (autorisez-la avec [crawler] allow_private_networks = true)"),
]


def plain(markdown: str) -> str:
    return markdown.replace("\u2060", "").replace("\\", "")


@pytest.mark.parametrize(("refuse", "english", "french"), CASES, ids=["register", "sources", "profiles", "feed-check"])
def test_a_refusal_reads_french_in_french_and_english_in_english(app_test, populated_store, refuse, english,
                                                                  french):
    _path, settings, store = populated_store
    line, data = refuse(app_test, settings, store, "fr")
    text = plain(line)
    assert text.startswith(("Action impossible\u00a0: ", "Non ajouté\u00a0: ")) and french in text, text
    assert english not in text
    shown = strip_data(line, [data, CONFIG_LINE])  # user and feed data, and a config line, are not UI words
    assert english_in(shown) == [], (text, english_in(shown))

    line, data = refuse(app_test, settings, store, "en")
    text = plain(line)
    assert text.startswith(("Could not do it: ", "Not added")) and english in text, text
    assert french not in text
    assert md(data) in line or data == "frontline"  # the name or URL shown as text (escaped Markdown)


MISSING_MODEL = "/nonexistent/veille-model"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_background_rescoring_failure_reads_in_the_page_language(app_test, populated_store, lang):
    """A profile saved with a configured model that does not exist: the background rescoring fails (a real
    ModelError from scoring.model) and the page says why in its reader's language."""
    from ui.services import profiles

    path, _settings, _store = populated_store
    text = path.read_text(encoding="utf-8")
    assert "[scoring]" not in text
    path.write_text(text + f'\n[scoring]\nmodel = "{MISSING_MODEL}"\n', encoding="utf-8")
    at = app_test("profiles", lang=lang)
    interests = next(a for a in at.text_area if a.label == translate("profiles.interests", lang))
    interests.set_value("forklift VR safety drills")
    submit(at, "profile_frontline", translate("profiles.save", lang))
    if not at.error:  # still running when the page reran: its end is shown at the next run
        status = profiles.wait_rescore("frontline", timeout=60)
        assert status is not None and status.state == "failed"
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    [line] = [plain(e.value) for e in at.error]
    if lang == "fr":
        assert f"le dossier du modèle «\u00a0{MISSING_MODEL}\u00a0» n'existe pas" in line, line
        shown = strip_data(line, [MISSING_MODEL, CONFIG_LINE, "[scoring] model"])
        assert english_in(shown) == [], (line, english_in(shown))
    else:
        assert f"model path '{MISSING_MODEL}' does not exist: set [scoring] model to an existing folder" in line, line
