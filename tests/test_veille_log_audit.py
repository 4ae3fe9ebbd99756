"""The veille log as an auditor gets it: the page, the printable report and the CSV give the same counts for a period
(scorecard edits present and not counted as decisions), no placeholder reaches the report or the CSV, and the
report opens as an HTML page (not an attachment) that prints on a few A4 pages in a real Chromium."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from config import clock
from tests.plugins.app import editor_ctx
from ui.services import tools, veille_log
from watcher.store import tools as tools_store

# a quarter of a DLM's register work: 12 more tools, each entered and moved through the lanes, on top of the demo
# register the fixture seeds (about 20 decisions in the last 90 days)
PATHS = (("assess", "trial", "adopted"), ("assess", "rejected"), ("assess", "hold"), ("assess", "trial"))
# about the length of the demo register's rationales (60-150 characters)
RATIONALE = "{name}: {step} after the review with two site managers; pilot group of order pickers, costs checked."


def _at(days_ago: float) -> str:
    return (clock.now() - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S+00:00")  # now() is UTC


@pytest.fixture
def quarter(populated_store):
    """(settings, store, local ctx, config path): the demo register plus a quarter of decisions and scorecard
    edits recorded by the single-user app's `local` user, some with the note older versions wrote ("scorecard
    update")."""
    path, settings, store = populated_store
    local = editor_ctx(settings, store, name="local")
    for i in range(12):
        name = f"Audit tool {i:02d}"
        start = 85 - i * 6
        tools.add_tool(local, name, note=f"{name} came up in three digests this month.", at=_at(start))
        for step, status in enumerate(PATHS[i % len(PATHS)], 1):
            tools.set_status(local, name, status, RATIONALE.format(name=name, step=status), at=_at(start - step))
        tools.set_score(local, name, "cost", 2, "Licence within the training budget.", at=_at(start - 0.5))
        tools.set_score(local, name, "cost", None, "scorecard update", at=_at(start - 0.6))  # cleared, old note
    tools.set_score(local, "VR safety simulation", "accessibility", 1, "scorecard update", at=_at(3))
    return settings, store, local, path


def _period(settings):
    today = clock.today(settings.schedule.timezone)
    return today - timedelta(days=90), today  # the page's default period


def _section(html: str, title: str) -> str:
    return html.split(f"<h2>{title}</h2>", 1)[1].split("<h2>", 1)[0]


def test_page_report_and_csv_give_the_same_counts(quarter, app_test):
    settings, store, local, _path = quarter
    start, end = _period(settings)
    log = veille_log.build_log(local, start, end)
    zone = settings.schedule.timezone
    history = tools_store.history(store, since=clock.day_start_iso(start, zone),
                                  until=clock.day_start_iso(end + timedelta(days=1), zone))
    expected = sum(1 for h in history if h.change in ("created", "status", "import"))
    scorecard_edits = sum(1 for h in history if h.change == "score")
    assert scorecard_edits >= 25 and expected >= 55  # the data hold both, in numbers like a real quarter's
    figures = veille_log.counts(log)
    assert figures.decisions == expected and figures.assessments == len(history) - expected

    at = app_test("veille_log")
    assert not at.exception, [e.value for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    assert int(shown["Decisions"]) == expected
    assert int(shown["Assessments"]) == len(history) - expected
    assert int(shown["Articles collected"]) == figures.articles_collected
    assert len(at.dataframe[0].value) == expected  # the Decisions table lists exactly those

    for language, title, word in (("en", "Decisions", "Decisions"), ("fr", "Décisions", "Décisions")):
        report = veille_log.to_html(log, language)
        assert f"<td><b>{expected}</b>{word}</td>" in report  # the summary figure
        assert _section(report, title).count("<tr><td>") == expected  # the rows under it
        rows = list(csv.DictReader(io.StringIO(veille_log.to_csv(log, language))))
        summary = {r["item"]: int(r["count"]) for r in rows if r["section"] == "summary"}
        assert summary["decisions"] == expected == sum(r["section"] == "decision" for r in rows)
        assert summary["assessments"] == len(history) - expected == sum(r["section"] == "assessment" for r in rows)
        assert all(r["change"] != "score" for r in rows if r["section"] == "decision")


def test_no_placeholder_reaches_the_report_or_the_csv(quarter):
    settings, _store, local, _path = quarter
    log = veille_log.build_log(local, *_period(settings))
    words = {"en": "local user", "fr": "utilisateur local"}
    for language in ("en", "fr"):
        report = veille_log.to_html(log, language)
        text = veille_log.to_csv(log, language)
        for output in (report, text):
            assert "None" not in output and "∅" not in output
            assert "scorecard update" not in output.lower()
        assert not re.search(r">\s*local\s*<", report) and words[language] in report
        assert f"{'par' if language == 'fr' else 'by'} {words[language]}" in report  # who generated it
        rows = list(csv.DictReader(io.StringIO(text)))
        assert "local" not in {r["by"] for r in rows} and words[language] in {r["by"] for r in rows}
        cleared = [r for r in rows if r["item"].startswith("Audit tool") and r["change"] == "score"
                   and "→ " + ("non noté" if language == "fr" else "not scored") in r["what"]]
        assert len(cleared) == 12 and all(r["rationale"] == "" for r in cleared)  # the old note: left empty


@pytest.mark.slow
def test_printable_report_is_an_html_page_that_prints_on_few_a4_pages(quarter, tmp_path):
    """The page's button opens the report in a new tab as text/html (no attachment); Chromium prints it on A4.

    Bound: the quarter holds ~60 decisions, ~45 assessments, 6 sources and ~20 tools. At 8 pt in fixed columns a
    decision row takes 3-4 lines (~14 rows a page with evidence), an assessment 1-2 lines (~40 a page): about
    4 pages plus the summary and register, measured 4-5 here; 6 leaves room for fonts, never the 22 pages of the
    old layout."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _settle, running_ui

    settings, _store, local, path = quarter
    figures = veille_log.counts(veille_log.build_log(local, *_period(settings)))
    assert figures.decisions >= 55
    with running_ui(path, tmp_path / "ui.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{url}/veille_log", wait_until="networkidle")
            _settle(page)
            link = page.get_by_role("link", name="Open the printable report")
            href = link.get_attribute("href")
            assert href and link.get_attribute("target") == "_blank"
            response = page.request.get(href if href.startswith("http") else url + href)
            assert response.ok and response.headers["content-type"].startswith("text/html")
            assert "attachment" not in response.headers.get("content-disposition", "")
            with page.expect_popup() as opened:
                link.click()
            report = opened.value
            report.wait_for_load_state()
            assert report.title().startswith("Veille log")
            body = report.inner_text("body")
            assert "Audit tool 11" in body and "local user" in body and "Qualiopi" in body
            pdf = report.pdf(format="A4", print_background=True)
        finally:
            browser.close()
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    (tmp_path / "veille-log.pdf").write_bytes(pdf)
    assert 1 <= pages <= 6, pages
