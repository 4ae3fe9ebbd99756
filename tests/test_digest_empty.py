"""An empty digest (no new story, no register decision) is not sent: a real SMTP server receives nothing, and the
log says so in one line (the outbox's log, the scheduler job's job_runs row, the CLI)."""

from __future__ import annotations

import json
import logging

from click.testing import CliRunner

from config import clock
from veille.cli import main

RECIPIENT = """
[[profiles]]
key = "frontline"
name = "Frontline operators"
interests = ["safety training"]

[[email.recipients]]
address = "ana@example.org"
profiles = ["frontline"]
frequency = "weekly"
language = "en"
min_score = 0.5
"""


def _setup(tmp_config, smtp_server, *, low_scored: bool):
    """A database with one feed and, if asked, one fresh article scored below the recipient's threshold."""
    from watcher.db import open_store
    from watcher.store import articles, feeds
    from watcher.store import scores as score_store
    from watcher.store.articles import ArticleRow

    path, settings = tmp_config(smtp_server.email_toml(recipients=RECIPIENT))
    store = open_store(settings.database_path)
    now = clock.now().strftime("%Y-%m-%dT%H:%M:%S+00:00")
    with store.write():
        feed = feeds.ensure_feed(store, "https://wire.example.org/feed", title="Learning Wire",
                                 site="https://wire.example.org", added_at=now)
        if low_scored:
            articles.insert_many(store, [ArticleRow("a1", feed, now, "h", now, now, url="https://wire.example.org/1",
                                                    title="Quarterly earnings of a chip maker", summary_text="")])
            score_store.upsert(store, [("a1", "frontline", 0.1, "unrelated")])
    return path, settings, store


def test_an_empty_digest_is_not_sent_and_the_log_says_so(tmp_config, smtp_server, caplog):
    from ui.digest.outbox import NOTHING_NEW, run_digests
    from watcher.store import reports

    path, settings, store = _setup(tmp_config, smtp_server, low_scored=True)
    try:
        with caplog.at_level(logging.INFO, logger="veille.digest"):
            summary = run_digests(settings, store)
        assert [(r.recipient, r.status, r.error) for r in summary.results] == [
            ("ana@example.org", "skipped", NOTHING_NEW)]
        assert smtp_server.messages == [] and smtp_server.handler.rcpt_seen == 0  # not even an SMTP envelope
        lines = [r.getMessage() for r in caplog.records if r.name == "veille.digest"]
        assert len(lines) == 1 and "ana@example.org" in lines[0] and "not sent: nothing new" in lines[0]
        assert reports.digests_sent(store, "2000-01-01", "2100-01-01") == []  # no row claims it was sent

        result = CliRunner().invoke(main, ["--config", str(path), "digest"], catch_exceptions=False)
        assert result.exit_code == 0 and "ana@example.org: nothing new to send" in result.output
        assert smtp_server.messages == []
    finally:
        store.close()


def test_the_scheduled_job_records_the_digest_it_did_not_send(tmp_config, smtp_server):
    from veille import jobs
    from watcher.store import runs

    path, _settings, store = _setup(tmp_config, smtp_server, low_scored=False)
    try:
        jobs.weekly_digest(str(path))
        assert smtp_server.messages == []
        [run] = [r for r in runs.recent_job_runs(store, 5) if r.job == "weekly_digest"]
        counts = json.loads(run.counts) if isinstance(run.counts, str) else run.counts
        assert run.status == "ok" and counts["sent"] == 0 and counts["skipped"] == 1
        assert counts["not_sent"] == "1 not sent, nothing new: ana@example.org"
    finally:
        store.close()
