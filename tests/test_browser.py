"""End to end in a real browser: `veille ui` on 127.0.0.1 with users created by `veille users add`,
driven by headless Chromium through Playwright. Screenshots of every page go to artifacts/screenshots/."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
VEILLE = str(Path(sys.executable).with_name("veille"))  # the installed entry point
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAGES = {  # sidebar label -> screenshot name
    "Digest": "digest", "Tool register": "register", "Radar": "radar", "Trends": "trends",
    "Veille log": "veille_log", "Sources": "sources", "Learner profiles": "profiles",
}
EDITOR, PASSWORD = "claire", "correct-horse-42"
RATIONALE = "Pilot with 40 order pickers showed fewer incidents; moving on."
STATUS_WORDS = {"signal": "Signal", "assess": "Assess", "trial": "Trial", "adopted": "Adopted", "rejected": "Rejected",
                "hold": "Hold"}

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _veille(config: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([VEILLE, "--config", str(config), *args], cwd=ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=60)


@contextlib.contextmanager
def running_ui(config: Path, log: Path, env: dict | None = None) -> Iterator[str]:
    """`veille ui` on a free loopback port until its health check answers; stopped (killed if need be) after."""
    port = _free_port()
    with open(log, "w") as out:
        server = subprocess.Popen([VEILLE, "--config", str(config), "ui", "--port", str(port)], cwd=ROOT, env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the app did not start in 60 s"
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def served_app(populated_store):
    """`veille ui` on a free loopback port, with an auth file holding one editor."""
    path, _settings, _store = populated_store
    config = path.with_name("veille-ui.toml")
    config.write_text(path.read_text(encoding="utf-8") + '\n[ui]\nauth_file = "users.yaml"\n', encoding="utf-8")
    added = _veille(config, "users", "add", EDITOR, "--role", "editor", "--password-env", "UI_PW",
                    env={"UI_PW": PASSWORD})
    assert added.returncode == 0, added.stderr
    with running_ui(config, path.with_name("ui.log")) as url:
        yield url, config


def _settle(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=30_000,
    )
    page.wait_for_timeout(500)


def _shoot(page, name: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so grow the viewport to fit."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": 1440, "height": max(900, min(int(height) + 40, 8000))})
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})


def _choose(page, key: str, option: str) -> None:
    """Pick `option` in the selectbox whose widget key is `key` (Streamlit marks its element `st-key-KEY`)."""
    box = page.locator(f".st-key-{key}")
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # a scroll closes an open list: let it end first
    box.locator("button[aria-haspopup=listbox]").click()
    page.get_by_role("listbox").wait_for(timeout=10_000)
    page.get_by_role("listbox").get_by_role("option", name=option, exact=True).click()
    _settle(page)


def _chosen(page, key: str) -> str:
    """What a selectbox shows: its option's words, or its placeholder when none is chosen."""
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    return box.input_value() or box.get_attribute("placeholder") or ""


def _sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Username", exact=True).fill(EDITOR)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("stSidebarNav").wait_for(timeout=30_000)
    _settle(page)


def _top(page, element_id: str) -> tuple[float, float]:
    """Where an element's top is in the viewport, and the viewport's height."""
    return tuple(page.evaluate(
        "(id) => [document.getElementById(id).getBoundingClientRect().top, window.innerHeight]", element_id))


def _assert_clean(page, name: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, f"{name}: exception box shown"
    text = page.locator("body").inner_text()
    assert "Traceback" not in text, f"{name}: traceback shown"
    assert not re.search(r"\bError\b", text), f"{name}: error text shown"


def test_login_every_page_and_a_decision(served_app):
    from playwright.sync_api import sync_playwright

    from config.settings import load_settings
    from ui.services import tools
    from ui.services.context import cli_user, open_context

    url, config = served_app
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(url)
        page.get_by_label("Username", exact=True).fill(EDITOR)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        _shoot(page, "login")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_test_id("stSidebarNav").wait_for(timeout=30_000)
        _settle(page)

        for label, name in PAGES.items():
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=label).click()
            _settle(page)
            page.locator("h1").first.wait_for(timeout=30_000)
            _assert_clean(page, name)
            _shoot(page, name)

        # record a decision on the register: the first tool's first allowed next status
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tool register").click()
        _settle(page)
        ctx = open_context(load_settings(config), cli_user())
        tool = tools.tool_names(ctx)[0]
        before = tools.get_tool(ctx, tool)
        target = before.allowed_next[0]
        _choose(page, "decision_status", STATUS_WORDS[target])
        page.get_by_test_id("stTabs").get_by_role("textbox", name="Rationale (required)").fill(RATIONALE)
        page.get_by_role("button", name="Record decision").click()
        _settle(page)
        _assert_clean(page, "register-decision")
        _shoot(page, "register_decision")
        browser.close()

    after = tools.get_tool(ctx, tool)
    assert after.card.status == target
    last = after.history[-1]
    assert (last.by, last.from_status, last.to_status, last.rationale) == (EDITOR, before.card.status, target,
                                                                           RATIONALE)
    assert len(after.history) == len(before.history) + 1
    for name in ("login", *PAGES.values(), "register_decision"):
        assert (SHOTS / f"{name}.png").stat().st_size > 10_000


def test_sign_in_throttle_survives_a_reload(served_app):
    """Five wrong passwords, then a reload (a new browser session): the right password is still refused."""
    from playwright.sync_api import sync_playwright

    url, _config = served_app

    def attempt(page, password: str) -> None:
        page.get_by_label("Username", exact=True).fill(EDITOR)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        _settle(page)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.goto(url)
        for _ in range(5):
            attempt(page, "not the password")
        assert "Too many attempts, try again in" in page.locator("body").inner_text()
        page.reload()
        page.get_by_label("Password", exact=True).wait_for(timeout=30_000)
        _settle(page)  # the cookie component reruns the script once on a new page: let it finish first
        attempt(page, PASSWORD)
        text = page.locator("body").inner_text()
        browser.close()
    assert re.search(r"Too many attempts, try again in \d+ s", text), text
    assert "Traceback" not in text and "Sign in to veille" in text


def test_register_open_badges_scorecard_survives_navigation_and_decision(served_app):
    """In Chromium: "Open" brings the tool into view; lane badges say what they count; a score reads what it
    means; an edit survives a visit to another page and is saved with a confirmation; no status is preselected."""
    from playwright.sync_api import sync_playwright

    from config.settings import load_settings
    from ui.services import tools
    from ui.services.context import cli_user, open_context
    from ui.services.profiles import list_profiles

    url, config = served_app
    ctx = open_context(load_settings(config), cli_user())
    name = tools.tool_names(ctx)[-1]  # not the tool the page shows first
    card = tools.get_card(ctx, name)
    old = next(e for e in tools.scorecard(ctx, name).entries if e.criterion == "cost").score
    new = 1 if old != 1 else 2
    meaning = f"{new} · {tools.criterion('cost').level(new)}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1440, "height": 700})
        _sign_in(page, url)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tool register").click()
        _settle(page)
        lanes = page.get_by_test_id("stMain").inner_text()
        assert "criteria scored:" in lanes and "points:" in lanes and "evidence:" in lanes

        top, height = _top(page, "register-tool")
        assert top > height  # below the lanes, out of view
        page.locator(f".st-key-open_{card.id}").get_by_role("button").click()
        _settle(page)
        page.wait_for_timeout(500)
        top, height = _top(page, "register-tool")
        assert 0 <= top < height / 2, (top, height)
        assert _chosen(page, "register_tool") == name
        assert _chosen(page, "decision_status") == "Choose the new status"

        page.get_by_test_id("stTabs").get_by_role("tab", name="Scorecard").click()
        sc = tools.scorecard(ctx, name)
        assert f"{sc.scored} of {sc.applicable} criteria scored" in page.get_by_test_id("stMain").inner_text()
        unscored = next(e.criterion for e in sc.entries if e.score is None and e.applies)
        assert _chosen(page, f"scorecard_{card.id}_{unscored}_score") == "not scored"
        for profile in list_profiles(ctx):  # the fit rows are named after the profiles, never their keys
            label = page.locator(f".st-key-scorecard_{card.id}_fit_profile_{profile.key}").get_by_test_id(
                "stWidgetLabel").inner_text()
            assert label.strip() == profile.name != profile.key
        _choose(page, f"scorecard_{card.id}_cost_score", meaning)
        note = page.locator(f".st-key-scorecard_{card.id}_cost_note").get_by_role("textbox")
        note.fill("Licence doubled this year")
        note.press("Enter")
        _settle(page)
        assert "Unsaved changes: Cost & value" in page.get_by_test_id("stMain").inner_text()

        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Digest").click()
        _settle(page)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tool register").click()
        _settle(page)
        assert _chosen(page, "register_tool") == name
        page.get_by_test_id("stTabs").get_by_role("tab", name="Scorecard").click()
        assert _chosen(page, f"scorecard_{card.id}_cost_score") == meaning
        assert page.locator(f".st-key-scorecard_{card.id}_cost_note").get_by_role("textbox").input_value() == (
            "Licence doubled this year")
        assert next(e for e in tools.scorecard(ctx, name).entries if e.criterion == "cost").score == old

        page.locator(".st-key-save_scorecard").get_by_role("button").click()
        _settle(page)
        confirmation = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Scorecard saved: Cost & value.")
        assert confirmation.count() == 1 and confirmation.is_visible()
        _assert_clean(page, "register-scorecard")
        _shoot(page, "register_scorecard")
        browser.close()
    cost = next(e for e in tools.scorecard(ctx, name).entries if e.criterion == "cost")
    assert (cost.score, cost.note) == (new, "Licence doubled this year")
