"""A radar dot opens its card (issue 12), in real Chromium at phone width (390 x 844) and on a desktop (1440 x 1000).

Signed in, on the Radar page: a click on a dot opens the Register on that tool's card, and so does Enter on a dot
reached with the keyboard; both in the same browser page (no reload: a reload starts a new Streamlit session,
which signs the user out) and the user still signed in. Screenshots: artifacts/screenshots/radar-click-*.png."""

from __future__ import annotations

import re

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, _assert_clean, _choose, _chosen, _settle
from tests.test_browser import served_app as served_app  # noqa: F401 - the fixture, shared
from tests.test_browser_boards import VIEWPORTS, _open, _sign_in

pytestmark = pytest.mark.slow

DOTS = "svg[data-testid=veille-radar] [data-blip]"
MARK = "() => window.__veilleSamePage === 1"  # set before a click: a reload would drop it


def _radar(page, device: str) -> None:
    """The Radar page, from the sidebar, with its dots drawn (else a screenshot and what the page says)."""
    _open(page, "Radar")
    try:
        page.locator(DOTS).first.wait_for(timeout=30_000)
    except Exception:
        page.screenshot(path=str(SHOTS / f"radar-click-failed-{device}.png"), full_page=True)
        raise AssertionError(f"no radar dots at {page.url}: {page.locator('body').inner_text()[:1500]}") from None
    _settle(page)


def _on_card(page, name: str, device: str) -> None:
    """The Register shows `name`'s card, in the page we marked, and the user is signed in."""
    page.wait_for_url(re.compile(r"/register\?tool="), timeout=30_000)
    _settle(page)
    page.get_by_role("heading", name=re.compile(re.escape(name))).first.wait_for(timeout=30_000)
    _settle(page)
    _assert_clean(page, f"register-from-dot-{device}")
    assert _chosen(page, "register_tool") == name
    assert page.evaluate(MARK), "the page was reloaded"
    assert page.get_by_label("Username", exact=True).count() == 0  # no sign-in form
    assert page.get_by_test_id("stSidebarNav").get_by_role("link", name="Radar").count() == 1  # signed-in nav


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_a_click_or_enter_on_a_radar_dot_opens_its_card_in_the_session(served_app, device):  # noqa: F811
    from playwright.sync_api import sync_playwright

    from config.settings import load_settings
    from ui.services import tools
    from ui.services.context import cli_user, open_context

    url, config = served_app
    ctx = open_context(load_settings(config), cli_user())
    first_shown = tools.tool_names(ctx)[0]  # what the Register shows when nothing opened a card
    drawn = {c.id: c.name for c in tools.list_tools(ctx) if c.status != "signal" and c.name != first_shown}
    clicked, pressed = sorted(drawn)[0], sorted(drawn)[-1]
    assert clicked != pressed
    width, height = VIEWPORTS[device]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _sign_in(page, url)
        page.evaluate("() => { window.__veilleSamePage = 1; }")

        _radar(page, device)
        dot = page.locator(f'svg[data-testid=veille-radar] [data-blip="{clicked}"]')
        assert dot.get_attribute("role") == "button" and dot.get_attribute("tabindex") == "0"
        assert dot.locator("title").text_content().startswith(f"{clicked}. {drawn[clicked]} (")  # the tooltip
        dot.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"radar-click-{device}.png"))
        dot.click()
        _on_card(page, drawn[clicked], device)

        _radar(page, device)  # back, from the sidebar (in the session), and this time with the keyboard
        dot = page.locator(f'svg[data-testid=veille-radar] [data-blip="{pressed}"]')
        dot.focus()
        assert dot.evaluate("el => el.getRootNode().activeElement === el")  # focusable: Tab reaches it
        page.keyboard.press("Enter")
        _on_card(page, drawn[pressed], device)
        page.screenshot(path=str(SHOTS / f"radar-click-register-{device}.png"))

        _choose(page, "register_tool", first_shown)  # another card picked on the Register, then the same dot again
        _settle(page)
        assert _chosen(page, "register_tool") == first_shown
        _radar(page, device)
        page.locator(f'svg[data-testid=veille-radar] [data-blip="{pressed}"]').click()
        _on_card(page, drawn[pressed], device)
        browser.close()
    assert not errors, errors
