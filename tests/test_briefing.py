"""Briefings for management: a card's one-page brief and the quarterly briefing, in English and French, as
standalone HTML that a real Chromium prints on A4 (a brief on one page); screenshots go to $VEILLE_SCREENSHOTS."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from config.errors import ValidationError
from tests.plugins.app import editor_ctx
from ui.services import briefing, tools
from veille.cli import main

CARD = "VR safety simulation"  # a card of the demo register the fixture seeds


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VEILLE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _print(html: str, shot: Path) -> tuple[int, str]:
    """(A4 pages, visible text) of `html` printed by Chromium; a screenshot of the page to `shot`."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.set_content(html, wait_until="load")
            text = page.inner_text("body")
            page.screenshot(path=str(shot), full_page=True)
            pdf = page.pdf(format="A4", print_background=True)
        finally:
            browser.close()
    return len(re.findall(rb"/Type\s*/Page\b", pdf)), text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_card_brief_fits_one_a4_page(populated_store, tmp_path, language):
    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    card = tools.get_card(ctx, CARD)
    html = briefing.card_brief(ctx, CARD, language)
    assert "<script" not in html and "Content-Security-Policy" in html
    pages, text = _print(html, _shots(tmp_path) / f"brief-{language}.png")
    assert pages == 1, pages
    assert CARD in text and card.description[:40] in text
    words = briefing.WORDS[language]
    for key in ("what", "dossier", "scorecard", "decision", "trial"):
        assert words[key] in text, key
    assert (card.last_rationale[:40] in text) if card.last_rationale else words["no_decision"] in text
    if language == "fr":
        assert "Grille d’évaluation" in text and "Scorecard" not in text and "\u00a0:" in html
        assert not any(w in text for w in (" mentions, ", "steady", "promotional", "highest", "too few"))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_quarterly_briefing_has_the_radar_and_prints_on_few_pages(populated_store, tmp_path, language):
    from config import clock

    _path, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    label = briefing.quarter_bounds(None, settings.schedule.timezone)[2]
    html = briefing.quarterly(ctx, None, language)
    assert "<svg" in html and label in html
    pages, text = _print(html, _shots(tmp_path) / f"quarterly-{language}.png")
    assert 1 <= pages <= 3, pages
    words = briefing.WORDS[language]
    assert all(words[k] in text for k in ("radar", "moves", "decisions", "trials", "rising"))
    today = clock.today(settings.schedule.timezone)
    assert today.isoformat() in text  # generated today, in the configured zone


def test_quarters_are_named_and_bad_ones_refused():
    first, last, label = briefing.quarter_bounds("2026-Q4", "Europe/Paris")
    assert (first.isoformat(), last.isoformat(), label) == ("2026-10-01", "2026-12-31", "2026-Q4")
    assert briefing.quarter_bounds("2026q1", "UTC")[:2][1].isoformat() == "2026-03-31"
    for bad in ("2026-Q5", "Q3", "last"):
        with pytest.raises(ValidationError):
            briefing.quarter_bounds(bad, "UTC")


def test_the_command_line_writes_the_pages(populated_store, tmp_path):
    path, _settings, _store = populated_store
    runner = CliRunner()
    out = tmp_path / "brief.html"
    result = runner.invoke(main, ["--config", str(path), "tools", "brief", CARD, "--lang", "fr", "-o", str(out)],
                           catch_exceptions=False)
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert 'lang="fr"' in out.read_text(encoding="utf-8")
    result = runner.invoke(main, ["--config", str(path), "tools", "briefing", "--quarter", "2026-Q2"],
                           catch_exceptions=False)
    assert result.exit_code == 0 and "2026-Q2" in result.stdout
    bad = runner.invoke(main, ["--config", str(path), "tools", "briefing", "--quarter", "soon"])
    assert bad.exit_code == 2 and "YEAR-Qn" in bad.stderr
