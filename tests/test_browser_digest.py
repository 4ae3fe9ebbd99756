"""The digest in a real Chromium at phone width (390×844): the first card above the fold, its actions in one
row, a judgement said where the user is looking, and email links (story and tool) that open what they name.
Screenshots go to artifacts/screenshots/phone_*.png."""

from __future__ import annotations

import pytest

from tests import test_browser
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, EDITOR, PASSWORD, SHOTS, _assert_clean, _settle

served_app = test_browser.served_app  # the fixture: `veille ui` with an auth file holding one editor

pytestmark = pytest.mark.slow
PHONE = {"width": 390, "height": 844}


def _sign_in(page) -> None:
    page.get_by_label("Password", exact=True).wait_for(timeout=30_000)
    _settle(page)
    if page.get_by_test_id("stSidebarCollapseButton").is_visible():  # an open sidebar makes the form inert on a phone
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        page.wait_for_timeout(500)
    page.get_by_label("Username", exact=True).fill(EDITOR)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("h1").first.wait_for(timeout=30_000)
    _settle(page)


def _open_signed_in(page) -> None:
    """A link opened in a new page: the app first (signing in when it asks), the link's target kept."""
    page.locator("h1").first.wait_for(timeout=30_000)
    _settle(page)
    if page.get_by_label("Password", exact=True).count():
        _sign_in(page)


def test_digest_on_a_phone_judgement_and_email_links(served_app, populated_store):
    from playwright.sync_api import sync_playwright

    from watcher.store import scores as score_store
    from watcher.store import tools as tool_store

    url, _config = served_app
    _path, _settings, store = populated_store
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
        page.goto(url)
        _sign_in(page)
        page.locator('[data-testid="stMain"] h4').first.wait_for(timeout=30_000)
        _settle(page)
        _assert_clean(page, "phone digest")
        page.screenshot(path=str(SHOTS / "phone_digest.png"))
        title = page.locator('[data-testid="stMain"] h4').first
        box = title.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], box  # above the fold
        buttons = ("Mark read", "Save", "Relevant", "Not relevant", "Link to a tool")  # named for screen readers
        boxes = {name: page.get_by_role("button", name=name).first.bounding_box() for name in buttons}
        tops = {name: box["y"] for name, box in boxes.items()}
        assert max(tops.values()) - min(tops.values()) < 8, tops  # one row of icon buttons
        assert max(box["x"] + box["width"] for box in boxes.values()) <= PHONE["width"], boxes  # none cut off

        page.get_by_role("button", name="Relevant", exact=True).first.click()
        toast = page.get_by_test_id("stToast")
        toast.first.wait_for(timeout=30_000)
        assert "Judgement recorded for" in toast.first.inner_text()
        _settle(page)
        _assert_clean(page, "phone judgement")
        assert page.get_by_text("Judged relevant for", exact=False).first.is_visible()
        page.screenshot(path=str(SHOTS / "phone_judged.png"))

        # an email's "Open in veille": the story, then a tool (sign-in first when the session is new)
        best = max(score_store.all_rows(store), key=lambda row: row[2])[0]
        page.goto(f"{url}/?story={best}")
        _open_signed_in(page)
        page.get_by_text("The story from your email").wait_for(timeout=30_000)
        _settle(page)
        _assert_clean(page, "email story link")
        page.screenshot(path=str(SHOTS / "phone_email_story.png"))
        names = tool_store.names(store)
        tool = names[-1]
        from urllib.parse import quote

        page.goto(f"{url}/register?tool={quote(tool, safe='')}")
        _open_signed_in(page)
        _settle(page)
        _assert_clean(page, "email tool link")
        assert page.locator("h1").first.inner_text() == "Tool & trend register"
        assert tool != names[0]  # not the one the register opens by itself
        assert any(h.startswith(tool) for h in page.locator("h3").all_inner_texts())  # the named tool is open
        page.screenshot(path=str(SHOTS / "phone_email_tool.png"))

        # Sources on the phone: statuses in words, the zone said, no exception
        page.goto(f"{url}/sources")
        _open_signed_in(page)
        page.get_by_text("Times are in Europe/Paris.").first.wait_for(timeout=30_000)
        _assert_clean(page, "phone sources")
        page.screenshot(path=str(SHOTS / "phone_sources.png"), full_page=True)
        browser.close()
