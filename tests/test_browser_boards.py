"""The Trends and Radar boards in real Chromium, at phone width (390 x 844) and on a desktop (1440 x 1000):
no exception, nothing wider than the screen, the partial week said, the radar large with its legend, a dot per
drawn entry linking to its card (clicked: the register opens on it) and the signals listed.
Screenshots go to artifacts/screenshots/ (trends-phone.png, radar-desktop.png, ...)."""

from __future__ import annotations

import re

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, EDITOR, PASSWORD, SHOTS, _assert_clean, _settle
from tests.test_browser import served_app as served_app  # noqa: F401 - the fixture, shared

pytestmark = pytest.mark.slow

VIEWPORTS = {"phone": (390, 844), "desktop": (1440, 1000)}


def _close_sidebar(page) -> None:
    """On a phone the sidebar opens over the page (which is inert meanwhile): close it, as a user would."""
    page.wait_for_timeout(1500)
    collapse = page.locator('[data-testid="stSidebarCollapseButton"] button')
    if page.viewport_size["width"] < 700 and collapse.count() and collapse.first.is_visible():
        collapse.first.click()
        page.wait_for_timeout(500)


def _sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Username", exact=True).wait_for(timeout=30_000)
    _close_sidebar(page)
    page.get_by_label("Username", exact=True).fill(EDITOR)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("h1").first.wait_for(timeout=30_000)
    _settle(page)


def _open(page, label: str) -> None:
    """A page from the sidebar, opened first on a phone (where it is folded) and folded again after."""
    nav = page.get_by_test_id("stSidebarNav").get_by_role("link", name=label)
    expand = page.get_by_test_id("stExpandSidebarButton")
    if page.viewport_size["width"] < 700 and expand.count() and expand.is_visible():
        expand.click()
        page.wait_for_timeout(500)
    nav.click()
    _settle(page)
    _close_sidebar(page)


def _no_horizontal_overflow(page, name: str) -> None:
    widths = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                           " return [m.scrollWidth, m.clientWidth]; }")
    assert widths[0] <= widths[1] + 1, f"{name}: content wider than the screen {widths}"


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_trends_and_radar_boards(served_app, device):  # noqa: F811 - the fixture
    from playwright.sync_api import sync_playwright

    from config.settings import load_settings
    from ui.services import tools
    from ui.services.context import cli_user, open_context

    url, config = served_app
    ctx = open_context(load_settings(config), cli_user())
    cards = tools.list_tools(ctx)
    drawn = {c.id: c.name for c in cards if c.status != "signal"}
    signals = [c.name for c in cards if c.status == "signal"]
    width, height = VIEWPORTS[device]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        _sign_in(page, url)  # a reload signs out: pages are opened from the sidebar, in the session
        _open(page, "Trends")
        page.get_by_role("heading", name="Articles per topic per week").wait_for(timeout=30_000)
        page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
        _settle(page)
        _assert_clean(page, f"trends-{device}")
        text = page.locator("body").inner_text()
        assert re.search(r"The week of \d+ \w+ 2026 is in progress: \d of 7 days so far", text), text[:2000]
        assert "Recent" in text and "Before" in text and "weeks before" in text
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 2
        _no_horizontal_overflow(page, f"trends-{device}")
        page.screenshot(path=str(SHOTS / f"trends-{device}.png"), full_page=True)

        _open(page, "Radar")
        radar = page.locator('svg[data-testid="veille-radar"]')
        radar.wait_for(timeout=30_000)
        _settle(page)
        _assert_clean(page, f"radar-{device}")
        box = radar.bounding_box()
        assert box is not None
        main = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').clientWidth")
        # large: the width of the page's column on a phone, at least 700 px on a desktop
        assert box["width"] >= (0.85 * main if device == "phone" else 700), (box, main)
        assert page.locator('[data-testid="veille-radar-legend"]').is_visible()
        dots = page.locator("svg[data-testid=veille-radar] [data-blip]")
        assert sorted(int(n) for n in dots.evaluate_all("els => els.map(e => e.dataset.blip)")) == sorted(drawn)
        text = page.locator("body").inner_text()
        assert f"Signals, not on the radar yet ({len(signals)})" in text
        assert all(name in text for name in signals)
        _no_horizontal_overflow(page, f"radar-{device}")
        page.screenshot(path=str(SHOTS / f"radar-{device}.png"), full_page=True)

        number = min(drawn)
        dot = page.locator(f'svg[data-testid=veille-radar] [data-blip="{number}"]')
        assert dot.locator("title").text_content().startswith(f"{number}. {drawn[number]} (")
        dot.hover()  # the tooltip is the SVG title; the card opens from the list under the radar
        link = page.get_by_role("link", name=re.compile(rf"^\S*\s*{number} · {re.escape(drawn[number])} · "))
        link.scroll_into_view_if_needed()
        link.click()
        page.wait_for_url(re.compile(r"/register\?tool="), timeout=30_000)
        _settle(page)
        page.get_by_role("heading", name=re.compile(re.escape(drawn[number]))).first.wait_for(timeout=30_000)
        _settle(page)
        _assert_clean(page, f"register-from-radar-{device}")
        browser.close()
    assert not errors, errors
