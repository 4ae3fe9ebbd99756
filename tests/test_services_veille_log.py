"""The veille log: decisions with rationale and evidence, sources and volumes, as CSV and printable HTML."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from config import clock
from config.errors import ValidationError
from tests.plugins.app import editor_ctx
from ui.services import tools, veille_log
from watcher.ingest import ArticleDraft
from watcher.store import articles, feeds


@pytest.fixture
def log_ctx(populated_store):
    _, settings, store = populated_store
    ctx = editor_ctx(settings, store)
    tools.set_status(ctx, "AI role-play for managers", "rejected",
                     "Feedback used for appraisal <script>alert(1)</script> & no works-council agreement")
    return ctx


def test_log_contains_decisions_rationale_and_evidence(log_ctx):
    today = clock.today(log_ctx.settings.schedule.timezone)
    log = veille_log.build_log(log_ctx, today - timedelta(days=200), today)
    decisions = {(d.tool, d.to_status): d for d in log.decisions if d.change in veille_log.DECISION_CHANGES}
    adopted = decisions[("VR safety simulation", "adopted")]
    assert "incident-free quarter" in adopted.rationale and adopted.evidence
    assert ("AI role-play for managers", "rejected") in decisions
    assert log.articles_collected == articles.count(log_ctx.store)
    assert sum(s.articles for s in log.sources) == log.articles_collected
    assert len(log.register) == len(tools.list_tools(log_ctx))

    rows = list(csv.DictReader(io.StringIO(veille_log.to_csv(log))))
    vr = [r for r in rows if r["item"] == "VR safety simulation" and r["to"] == "adopted" and r["change"] == "status"]
    assert vr and "incident-free quarter" in vr[0]["rationale"] and adopted.evidence[0].title in vr[0]["evidence"]
    assert {"summary", "decision", "assessment", "source"} <= {r["section"] for r in rows}

    for language in ("en", "fr"):
        html = veille_log.to_html(log, language)
        assert html.startswith("<!DOCTYPE html>") and "@media print" in html
        assert "<script" not in html.lower() and "&lt;script&gt;" in html
        assert "VR safety simulation" in html and "incident-free quarter" in html
        assert adopted.evidence[0].title in html
        assert "23" in html and "24" in html and "25" in html and "Qualiopi" in html
        assert "XR Training Weekly" in html
    assert "Journal de veille" in veille_log.to_html(log, lang="fr")
    # statuses in the words of the app and the digest (ui.services.statuses), the CSV keeps the codes
    fr, en = veille_log.to_html(log, "fr"), veille_log.to_html(log, "en")
    assert "Essai → Adopté" in fr and '<td class="status">Adopté</td>' in fr and '<td class="status">Rejeté</td>' in fr
    assert "Trial → Adopted" in en and '<td class="status">Adopted</td>' in en
    assert '<td class="status">adopted</td>' not in fr + en


@pytest.mark.dates
def test_period_filters_decisions(log_ctx):
    today = clock.today(log_ctx.settings.schedule.timezone)  # the day the rejection below was recorded
    recent = veille_log.build_log(log_ctx, today, today)
    assert [d.tool for d in recent.decisions] == ["AI role-play for managers"]
    empty = veille_log.build_log(log_ctx, today - timedelta(days=2000), today - timedelta(days=1500))
    assert empty.decisions == () and empty.articles_collected == 0
    assert "Nothing recorded in this period" in veille_log.to_html(empty)
    with pytest.raises(ValidationError):
        veille_log.build_log(log_ctx, today, today - timedelta(days=1))


@pytest.mark.dates
@pytest.mark.parametrize(("day", "inside", "outside"), [
    # 1 January in Paris runs from 2026-12-31T23:00Z to 2027-01-01T23:00Z
    (date(2027, 1, 1), ["2026-12-31T23:30:00+00:00", "2027-01-01T22:59:59+00:00"],
     ["2026-12-31T22:30:00+00:00", "2027-01-01T23:00:00+00:00"]),
    # the autumn change: 25 October 2026 is 25 hours long in Paris (22:00Z the day before to 23:00Z)
    (date(2026, 10, 25), ["2026-10-24T22:00:00+00:00", "2026-10-25T22:30:00+00:00"],
     ["2026-10-24T21:59:00+00:00", "2026-10-25T23:00:00+00:00"]),
    # the spring change: 28 March 2027 is 23 hours long (23:00Z the day before to 22:00Z)
    (date(2027, 3, 28), ["2027-03-27T23:00:00+00:00", "2027-03-28T21:59:00+00:00"],
     ["2027-03-27T22:59:00+00:00", "2027-03-28T22:00:00+00:00"]),
])
def test_period_days_are_days_in_the_configured_zone(tmp_config, day, inside, outside):
    from watcher.db import open_store

    _, settings = tmp_config('[schedule]\ntimezone = "Europe/Paris"\n')
    with open_store(settings.database_path) as store:
        feed_id = feeds.add_feed(store, "https://z.example.org/f").id
        with store.write() as conn:
            for i, stamp in enumerate(inside + outside):
                articles.upsert_articles(conn, feed_id, [ArticleDraft(
                    id=f"a{i}", entry_key=f"a{i}", url=None, title="t", author="", published=stamp, dated=True,
                    updated=None, language="", content_html="", summary_text="", content_hash="h")], stamp)
        log = veille_log.build_log(editor_ctx(settings, store), day, day)
        assert log.articles_collected == len(inside)
        assert [s.articles for s in log.sources] == [len(inside)]
