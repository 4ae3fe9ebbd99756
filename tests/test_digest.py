"""Email digests against a real SMTP server (aiosmtpd) and a real SQLite database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from config import clock
from veille.cli import main
from watcher.store import digests

PROFILES = """
[[profiles]]
key = "frontline"
name = "Frontline operators"
interests = ["safety training"]

[[profiles]]
key = "compliance"
name = "Compliance training"
interests = ["GDPR training"]
"""

RECIPIENTS = """
[[email.recipients]]
address = "ana@example.org"
profiles = ["frontline"]
frequency = "weekly"
language = "en"
min_score = 0.5

[[email.recipients]]
address = "bruno@example.fr"
profiles = ["compliance"]
frequency = "daily"
language = "fr"
min_score = 0.5
"""


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def add_article(store, art_id, feed_id, title, *, cluster=None, scores=None, topic="ai", days_ago=1.0,
                seen_hours_ago=1.0, summary="A short summary.", url=None):
    from watcher.store import articles
    from watcher.store import scores as score_store
    from watcher.store.articles import ArticleRow

    now = clock.now()
    with store.write():
        articles.insert_many(store, [ArticleRow(
            art_id, feed_id, _iso(now - timedelta(days=days_ago)), "h", _iso(now - timedelta(hours=seen_hours_ago)),
            _iso(now), url=url or f"https://news.example.org/{art_id}", title=title, summary_text=summary,
            cluster_id=cluster)])
        score_store.upsert(store, [(art_id, profile, score, f"matches interest of {profile}")
                                   for profile, score in (scores or {}).items()])
        score_store.set_topics(store, [art_id], [(art_id, topic, 0.9)], "")


def seed(store) -> None:
    """Three feeds, a two-source story, a low-scored, an old and a hostile article, tool decisions."""
    from watcher.store import feeds, tools

    now = _iso(clock.now())
    with store.write():
        feed_ids = [feeds.ensure_feed(store, f"{site}/feed", title=title, site=site, added_at=now)
                    for title, site in [("Learning Wire", "https://wire.example.org"),
                                        ("Formation Hebdo", "https://hebdo.example.fr"),
                                        ("XR Daily", "https://xr.example.com")]]
        assert feed_ids == [1, 2, 3]  # the articles below name them by id
        add_article(store, "a1", 1, "VR forklift safety drills cut incidents", cluster="c-vr",
                    scores={"frontline": 0.91, "compliance": 0.2}, topic="xr")
        add_article(store, "a2", 3, "Warehouse VR safety pilot expands", cluster="c-vr",
                    scores={"frontline": 0.84}, topic="xr")
        add_article(store, "a3", 1, "Spaced repetition quizzes for shift workers",
                    scores={"frontline": 0.77}, topic="microlearning")
        add_article(store, "a4", 1, "Quarterly earnings of a chip maker", scores={"frontline": 0.12}, topic="ai")
        add_article(store, "a5", 2, "RGPD : former tous les salariés avant l'audit",
                    scores={"compliance": 0.88}, topic="regulation", days_ago=0.5)
        add_article(store, "a6", 2, "AI Act : l'obligation de maîtrise de l'IA", scores={"compliance": 0.8},
                    topic="regulation", days_ago=0.5)
        add_article(store, "a7", 1, "Old VR news from last month", scores={"frontline": 0.95}, topic="xr",
                    days_ago=40)
        add_article(store, "a8", 3, '<script>alert("x")</script>AR work instructions <b>on the line</b>',
                    scores={"frontline": 0.7}, topic="xr", summary='<img src=x onerror="alert(1)">Hands-free steps',
                    url="javascript:alert(1)")
        tutor = tools.insert(store, "TutorBot", "tool", "", "", "trial", now, "")
        tools.insert(store, "HoloDesk", "tool", "", "", "signal", now, "")
        tools.log(store, tutor, now, "dlm", "status", "assess", "trial", "Pilot with two warehouse teams")


@pytest.fixture
def digest_env(tmp_config, smtp_server):
    """(config path, settings, store, server) with the seeded database and the plain SMTP server."""
    from watcher.db import open_store

    path, settings = tmp_config(PROFILES + smtp_server.email_toml(recipients=RECIPIENTS))
    store = open_store(settings.database_path)
    seed(store)
    yield path, settings, store, smtp_server
    store.close()


def run_cli(path, *args, env=None):
    result = CliRunner().invoke(main, ["--config", str(path), "digest", *args], env=env, catch_exceptions=False)
    return result


def parts(msg):
    return {p.get_content_type(): p.get_content() for p in msg.iter_parts()}


@pytest.mark.dates
def test_digest_is_multipart_with_the_right_stories(digest_env):
    path, settings, store, server = digest_env
    result = run_cli(path, "--send")
    assert result.exit_code == 0, result.output
    assert len(server.messages) == 2
    en = server.handler.to("ana@example.org")[0].message
    assert en.get_content_type() == "multipart/alternative"
    body = parts(en)
    assert set(body) == {"text/plain", "text/html"}
    for header in ("From", "To", "Subject", "Date", "Message-ID"):
        assert en[header], header
    assert en["From"] == "veille@example.org" and en["To"] == "ana@example.org"
    assert parsedate_to_datetime(en["Date"]) == clock.now()  # the digest is dated by config.clock
    assert en["Subject"].startswith("veille weekly digest: 3 new stories")
    html, text = body["text/html"], body["text/plain"]
    for content in (html, text):
        assert "VR forklift safety drills cut incidents" in content
        assert "Spaced repetition quizzes for shift workers" in content
        assert "Quarterly earnings" not in content  # below min_score
        assert "Old VR news" not in content  # outside the freshness window
        assert "Warehouse VR safety pilot expands" not in content  # same story as a1, shown as a source
        assert "XR Daily" in content and "Learning Wire" in content  # both sources of the VR story
        assert "TutorBot" in content and "Pilot with two warehouse teams" in content  # tool decision
        assert "Assess" in content and "Trial" in content  # its statuses in the app's words
        assert "HoloDesk" in content  # signal awaiting review
        assert "RGPD" not in content  # compliance story is for the other recipient
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "AR work instructions on the line" in text
    assert "http://127.0.0.1:8501/?story=c-vr" in html  # links to the app use [ui] base_url
    [row] = digests.sends(store, "ana@example.org")
    assert row.status == "sent" and row.message_id == en["Message-ID"]
    assert sorted(row.story_ids) == ["a3", "a8", "c-vr"]

    fr = server.handler.to("bruno@example.fr")[0].message
    fr_body = parts(fr)
    assert fr["Subject"].startswith("Veille du jour\u00a0: 2 nouveaux sujets")  # French typography: no-break space
    assert "Votre veille quotidienne" in fr_body["text/html"]
    assert "Réglementation et conformité" in fr_body["text/plain"]
    assert "RGPD : former tous les salariés avant l'audit" in fr_body["text/plain"]
    assert "VR forklift" not in fr_body["text/plain"]
    assert "TutorBot\u00a0: Évaluation -> Essai" in fr_body["text/plain"]  # one vocabulary (ui.services.statuses)


@pytest.mark.dates
def test_second_run_sends_nothing_and_a_story_is_never_sent_twice(digest_env):
    path, settings, store, server = digest_env
    assert run_cli(path, "--send").exit_code == 0
    assert len(server.messages) == 2
    again = run_cli(path, "--send")
    assert again.exit_code == 0 and "nothing new" in again.output
    assert len(server.messages) == 2
    # a new article joins an already-sent story, and a brand-new story appears
    from tests.test_digest import add_article as add

    with store.write():
        add(store, "a9", 2, "Another outlet on the VR forklift drills", cluster="c-vr", scores={"frontline": 0.95},
            topic="xr", seen_hours_ago=0)
        add(store, "a10", 2, "Onboarding checklists on a phone", scores={"frontline": 0.8}, topic="microlearning",
            seen_hours_ago=0)
    third = run_cli(path, "--send", "--to", "ana@example.org")
    assert third.exit_code == 0, third.output
    assert len(server.messages) == 3
    text = parts(server.messages[-1].message)["text/plain"]
    assert "Onboarding checklists on a phone" in text
    assert "VR forklift" not in text and "c-vr" not in text
    assert "TutorBot" not in text  # the tool change belongs to the previous period


def test_starttls_and_auth_with_self_signed_certificate(tmp_config, smtp_tls_server, monkeypatch):
    from tests.plugins.smtp import SMTP_PASSWORD
    from watcher.db import open_store

    path, settings = tmp_config(PROFILES + smtp_tls_server.email_toml(
        security="starttls", username="veille", recipients=RECIPIENTS))
    with open_store(settings.database_path) as store:
        seed(store)
    monkeypatch.setenv("VEILLE_SMTP_PASSWORD", "wrong")
    bad = run_cli(path, "--send")
    assert "authentication failed" in bad.output and len(smtp_tls_server.messages) == 0
    monkeypatch.setenv("VEILLE_SMTP_PASSWORD", SMTP_PASSWORD)
    good = run_cli(path, "--send")
    assert good.exit_code == 0, good.output
    assert sorted(m.rcpt_tos[0] for m in smtp_tls_server.messages) == ["ana@example.org", "bruno@example.fr"]
    with open_store(settings.database_path) as store:
        statuses = [s.status for s in digests.sends(store)]
    assert statuses == ["failed", "failed", "sent", "sent"]


def test_refused_recipient_is_recorded_and_others_are_delivered(digest_env):
    path, settings, store, server = digest_env
    server.handler.refuse.add("ana@example.org")
    result = run_cli(path, "--send", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["sent"] == 1 and data["failed"] == 1
    assert [m.rcpt_tos for m in server.messages] == [["bruno@example.fr"]]
    [row] = digests.sends(store, "ana@example.org")
    assert row.status == "failed" and "550" in (row.error or "")
    # the refused digest's stories are released for a later attempt
    assert digests.reservations(store, "ana@example.org") == []
    server.handler.refuse.clear()
    assert run_cli(path, "--send").exit_code == 0
    assert len(server.handler.to("ana@example.org")) == 1


def test_header_injection_is_refused(digest_env, tmp_path):
    from config.errors import ValidationError
    from ui.digest.mailer import validate_address, validate_subject

    path, settings, store, server = digest_env
    result = CliRunner().invoke(main, ["--config", str(path), "digest", "--to", "a@example.org\r\nBcc: x@evil.org"])
    assert result.exit_code == 2 and "header injection" in result.output
    for bad in ("a@example.org\nBcc: x@evil.org", "no-at-sign", "a@b", "a b@example.org", "<a@example.org>"):
        with pytest.raises(ValidationError):
            validate_address(bad)
    with pytest.raises(ValidationError, match="header injection"):
        validate_subject("Digest\r\nBcc: x@evil.org")
    # a bad address in the config is recorded as failed and the good recipient still gets its digest
    cfg = path.read_text().replace('address = "ana@example.org"', 'address = "ana@example.org\\nBcc: x@evil.org"')
    path.write_text(cfg)
    result = run_cli(path, "--send", "--json")
    data = json.loads(result.output)
    assert data["failed"] == 1 and data["sent"] == 1
    assert [m.rcpt_tos for m in server.messages] == [["bruno@example.fr"]]
    assert all(b"evil" not in m.data for m in server.messages)
    assert [s.status for s in digests.sends(store) if "line break" in (s.error or "").lower()] == ["failed"]


@pytest.mark.dates
def test_dry_run_writes_eml_and_marks_nothing(digest_env):
    path, settings, store, server = digest_env
    result = run_cli(path, "--dry-run", "--profile", "frontline")
    assert result.exit_code == 0, result.output
    files = sorted(settings.resolve(settings.email.outbox).glob("*.eml"))
    assert len(files) == 1 and str(files[0]) in result.output
    msg = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert msg["To"] == "ana@example.org" and msg.get_content_type() == "multipart/alternative"
    assert "VR forklift safety drills" in parts(msg)["text/plain"]
    assert server.messages == []
    assert digests.sends(store) == []
    assert digests.reservations(store) == []
    # the real run afterwards still has everything to send
    assert run_cli(path, "--send").exit_code == 0 and len(server.messages) == 2


def test_ad_hoc_recipient_and_unknown_profile(digest_env):
    path, settings, store, server = digest_env
    bad = CliRunner().invoke(main, ["--config", str(path), "digest", "--profile", "nope"])
    assert bad.exit_code == 2 and "nope" in bad.output
    ok = run_cli(path, "--send", "--to", "guest@example.net", "--profile", "compliance")
    assert ok.exit_code == 0, ok.output
    assert [m.rcpt_tos for m in server.messages] == [["guest@example.net"]]
    assert "RGPD" in parts(server.messages[0].message)["text/plain"]


@pytest.mark.slow
def test_digest_html_renders_in_chromium(digest_env):
    """Render both languages in a real headless Chromium, at desktop and phone widths; keep screenshots."""
    from playwright.sync_api import sync_playwright

    from ui.digest.outbox import run_digests

    path, settings, store, server = digest_env
    summary = run_digests(settings, store, dry_run=True)
    out = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            for result in summary.results:
                msg = message_from_bytes(Path(result.path).read_bytes(), policy=policy.default)
                html = msg.get_body(("html",)).get_content()
                lang = "fr" if msg["To"] == "bruno@example.fr" else "en"
                for width, suffix in ((680, ""), (380, "_phone")):
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.set_content(html, wait_until="load")
                    # nothing overflows horizontally on a phone
                    assert page.evaluate("document.documentElement.scrollWidth") <= width
                    heading = page.locator("text=" + ("Votre veille quotidienne" if lang == "fr" else
                                                      "Your weekly learning-tech digest"))
                    assert heading.count() == 1
                    page.screenshot(path=str(out / f"digest_{lang}{suffix}.png"), full_page=True)
                    page.close()
        finally:
            browser.close()
    assert (out / "digest_en.png").stat().st_size > 10_000 and (out / "digest_fr.png").stat().st_size > 10_000
