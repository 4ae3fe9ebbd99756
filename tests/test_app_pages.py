"""Every page of the Streamlit app under AppTest on a populated database: filters change results,
actions persist through the service layer, viewers cannot edit, no exception anywhere."""

from __future__ import annotations

import pytest

from tests.plugins.app import editor_ctx
from tests.plugins.app_ui import EDITOR, PASSWORD, VIEWER
from ui.safe import md
from watcher.store import articles as article_store
from watcher.store import feedback as feedback_store
from watcher.store import scores as score_store
from watcher.store import stories as story_store
from watcher.store import tools as tool_store

PAGES = ("digest", "register", "radar", "trends", "veille_log", "sources", "profiles")
TITLES = {
    "digest": ("Digest", "Sélection d'articles"),
    "register": ("Tool & trend register", "Registre des outils et tendances"),
    "radar": ("Technology radar", "Radar technologique"),
    "trends": ("Trends", "Tendances"),
    "veille_log": ("Veille log", "Journal de veille"),
    "sources": ("Sources", "Sources"),
    "profiles": ("Learner profiles", "Publics apprenants"),
}


def clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def card_titles(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("#### ")]


def button(at, label: str, *, startswith: bool = False):
    for b in at.button:
        if b.label == label or (startswith and b.label.startswith(label)):
            return b
    raise AssertionError(f"no button {label!r} in {[b.label for b in at.button]}")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(app_test, page):
    at = app_test(page)
    clean(at)
    assert at.title[0].value == TITLES[page][0]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_french(app_test, page):
    at = app_test(page, lang="fr")
    clean(at)
    assert at.title[0].value == TITLES[page][1]


def test_language_switch_in_sidebar(app_test):
    at = app_test("digest")
    at.sidebar.button_group[0].set_value("fr").run()
    clean(at)
    assert at.title[0].value == "Sélection d'articles"


def test_digest_search_and_filters_change_results(app_test):
    at = app_test("digest")
    first = card_titles(at)
    assert len(first) == 10
    at.text_input(key="digest_query").set_value("SafeSim").run()
    clean(at)
    found = card_titles(at)
    assert found and all("SafeSim" in title for title in found)
    at.text_input(key="digest_query").set_value("").run()
    at.multiselect(key="digest_topics").set_value(["regulation"]).run()
    regulation = card_titles(at)
    assert regulation and regulation != first
    assert all(("EU AI Act" in x or "Qualiopi" in x) for x in regulation)
    at.multiselect(key="digest_topics").set_value([]).run()
    at.button_group(key="digest_show").set_value("saved").run()
    clean(at)
    saved = card_titles(at)
    assert len(saved) < len(first)


def test_digest_paginates(app_test):
    at = app_test("digest")
    page_one = card_titles(at)
    button(at, "Next →").click().run()
    clean(at)
    page_two = card_titles(at)
    assert page_two and set(page_two).isdisjoint(page_one)
    assert any(c.value.startswith("Page 2 of") for c in at.caption)


def test_digest_feedback_and_read_persist(app_test, populated_store):
    _path, _settings, store = populated_store
    at = app_test("digest")
    at.selectbox(key="digest_profile").set_value("frontline").run()
    clean(at)
    before = len(feedback_store.judgements(store))
    button(at, "Relevant").click().run()
    clean(at)
    judged = feedback_store.judgements(store)
    assert len(judged) == before + 1
    assert (judged[-1].profile_key, judged[-1].label) == ("frontline", 1)
    assert any("judgement recorded" in s.value for s in at.success)

    read_before = story_store.read_count(store)
    button(at, "Mark read").click().run()
    clean(at)
    assert story_store.read_count(store) > read_before


def test_register_status_change_with_rationale_is_recorded(app_test, populated_store):
    from ui.services import tools

    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    at = app_test("register")
    name = at.selectbox(key="register_tool").value
    before = tools.get_tool(ctx, name)
    target = before.allowed_next[0]
    at.selectbox(key="decision_status").set_value(target)
    at.text_area(key="decision_rationale").set_value("Evidence from two pilots is convincing.")
    at.button(key="FormSubmitter:decision-Record decision").click().run()
    clean(at)
    after = tools.get_tool(ctx, name)
    assert after.card.status == target
    last = after.history[-1]
    assert (last.by, last.from_status, last.to_status) == ("local", before.card.status, target)
    assert last.rationale == "Evidence from two pilots is convincing."
    assert len(after.history) == len(before.history) + 1


def test_register_refuses_a_decision_without_rationale(app_test, populated_store):
    from ui.services import tools

    _path, settings, store = populated_store
    at = app_test("register")
    name = at.selectbox(key="register_tool").value
    before = tools.get_tool(editor_ctx(settings, store), name)
    at.button(key="FormSubmitter:decision-Record decision").click().run()
    assert at.error and "rationale" in at.error[0].value
    assert tools.get_tool(editor_ctx(settings, store), name).history == before.history


def test_register_add_tool(app_test, populated_store):
    from ui.services import tools

    _path, settings, store = populated_store
    at = app_test("register")
    at.text_input(key="add_note").set_value("Seen in three vendor webinars")
    at.text_input(key="add_name").set_value("Holo Coach XR")
    at.button(key="FormSubmitter:add_tool-Add as signal").click().run()
    clean(at)
    card = tools.get_card(editor_ctx(settings, store), "Holo Coach XR")
    assert card.status == "signal"
    assert tools.history(editor_ctx(settings, store), "Holo Coach XR")[0].rationale == "Seen in three vendor webinars"


def test_sources_add_feed(app_test, populated_store):
    from ui.services import sources

    _path, settings, store = populated_store
    at = app_test("sources")
    at.text_input(key="feed_url").set_value("https://new.example.org/feed.xml")
    at.button(key="FormSubmitter:add_feed-Add feed").click().run()
    clean(at)
    urls = [f.url for f in sources.feed_health(editor_ctx(settings, store))]
    assert "https://new.example.org/feed.xml" in urls


def test_viewer_cannot_edit(app_test, populated_store):
    from ui.services import tools

    _path, settings, store = populated_store
    at = app_test("register", auth=True, user=VIEWER)
    clean(at)
    assert any("viewer" in i.value for i in at.info)
    assert at.button(key="FormSubmitter:decision-Record decision").disabled
    assert at.text_area(key="decision_rationale").disabled
    with pytest.raises(Exception, match="disabled"):
        at.text_area(key="decision_rationale").set_value("sneaky")
    assert all(b.disabled for b in at.button if b.label in ("Add", "Save scorecard"))

    at.switch_page("views/digest.py").run()
    clean(at)
    assert button(at, "Relevant").disabled and button(at, "Not relevant").disabled
    at.switch_page("views/sources.py").run()
    assert at.button(key="FormSubmitter:add_feed-Add feed").disabled
    assert button(at, "Crawl now").disabled
    at.switch_page("views/profiles.py").run()
    assert at.button(key=next(b.key for b in at.button if b.label == "Save and rescore")).disabled
    names = tools.tool_names(editor_ctx(settings, store))
    assert names  # the register stays readable


def test_login_form_signs_in_with_the_users_file(app_test):
    at = app_test(auth=True)
    clean(at)
    assert at.title[0].value == "Sign in to veille"
    assert not any(c.value.startswith("Page") for c in at.caption)
    at.text_input[0].set_value(EDITOR)
    at.text_input[1].set_value(PASSWORD)
    at.button[0].click().run()
    clean(at)
    assert at.title[0].value == "Digest"
    assert any("claire" in m.value for m in at.sidebar.caption)


def test_login_refuses_a_wrong_password(app_test):
    at = app_test(auth=True)
    at.text_input[0].set_value(EDITOR)
    at.text_input[1].set_value("not the password")
    at.button[0].click().run()
    assert at.title[0].value == "Sign in to veille"
    assert at.error and "Wrong username or password" in at.error[0].value


def test_pages_are_not_reachable_before_signing_in(app_test):
    at = app_test(auth=True)
    with pytest.raises(ValueError):
        at.switch_page("views/register.py")


def test_email_links_open_the_story_and_the_tool(app_test, populated_store):
    """Digest emails link to `?story=ID` (digest page) and `register?tool=NAME`; both open what they name."""
    _path, _settings, store = populated_store
    oldest = next(article_store.iter_export_rows(store))  # by publication date, the oldest first
    at = app_test()
    at.query_params["story"] = oldest["id"]
    at.switch_page("views/digest.py").run()
    clean(at)
    assert [h.value for h in at.subheader] == ["The story from your email"]
    assert card_titles(at)[0].startswith(f"#### [{md(oldest['title'][:20])}")

    # the story an email links to is often also in the ranked list below: both cards render, with working buttons
    first_id = max(score_store.all_rows(store), key=lambda row: row[2])[0]  # the best-scored article, any profile
    at = app_test()
    at.query_params["story"] = first_id
    at.switch_page("views/digest.py").run()
    clean(at)
    titles = card_titles(at)
    assert len(titles) >= 2 and titles[0] in titles[1:], titles[:3]
    read = [b for b in at.button if b.key and b.key.startswith("read_") and b.key.endswith(first_id)]
    assert len(read) == 2
    read[0].click().run()
    clean(at)

    names = tool_store.names(store)
    at = app_test()
    at.query_params["tool"] = names[-1].upper()
    at.switch_page("views/register.py").run()
    clean(at)
    assert at.selectbox(key="register_tool").value == names[-1]


@pytest.mark.slow
def test_saving_a_profile_rescores_it_in_the_background_and_says_so(app_test, populated_store, encoder):
    from scoring.pipeline import score
    from ui.services import profiles

    _path, settings, store = populated_store
    score(settings, store, encoder=encoder)
    before = score_store.of_profile(store, "frontline")
    at = app_test("profiles")
    clean(at)
    interests = next(a for a in at.text_area if a.label == "Interests (one per line)")
    interests.set_value("forklift VR safety drills\nquizzes")
    at.button(key=next(b.key for b in at.button if b.label == "Save and rescore")).click().run()
    clean(at)
    assert any(s.value == "Profile saved; rescoring it now." for s in at.success)
    done = f"Profile saved; {len(before)} articles rescored."
    if not any(s.value == done for s in at.success):  # still running when the page reran: the result comes next
        assert profiles.wait_rescore("frontline", timeout=60).state == "done"
        at.run()
        clean(at)
    assert any(s.value == done for s in at.success), \
        [s.value for s in at.success]
    after = score_store.of_profile(store, "frontline")
    assert set(after) == set(before) and after != before
    at.run()
    assert not at.success  # the result is said once
