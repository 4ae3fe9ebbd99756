"""`veille crawl` and `veille update` (crawl, then score)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from config.errors import CrawlBusyError, VeilleError
from veille.cli import echo_json, pass_app
from watcher.records import CrawlSummary

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # what click.progressbar returns (click annotates it so too)


class _Bar:
    """A click progress bar on stderr, created when the first total is known (one bar per stage)."""

    def __init__(self) -> None:
        self._bar: ProgressBar[int] | None = None
        self._stage: str | None = None
        self._done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self.close()
            self._stage = stage
            self._bar = click.progressbar(length=max(total, 1), label=stage, file=sys.stderr)
            self._bar.__enter__()
            self._done = 0
        if self._bar is not None and done > self._done:
            self._bar.update(done - self._done)
            self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def summary_lines(summary: CrawlSummary) -> list[str]:
    lines = [
        f"feeds: {summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed"
        f" · articles: {summary.new_articles} new, {summary.updated_articles} updated"
    ]
    if summary.skipped:
        lines[0] += f" ({summary.skipped} feeds not due or disabled)"
    lines += [f"  failed: {url}: {error}" for url, error in summary.failures]
    lines += [f"  {line}" for line in summary.interrupted]
    return lines


def _run_crawl(app, all_feeds: bool, quiet: bool) -> CrawlSummary | CrawlBusyError:
    """The crawl's summary, or the CrawlBusyError saying another crawl holds the lock (then nothing ran)."""
    from watcher.crawler import crawl as run

    bar = None if quiet else _Bar()
    try:
        return run(app.settings, app.store, all_feeds=all_feeds, progress=bar, trigger="cli")
    except CrawlBusyError as busy:
        return busy
    finally:
        if bar:
            bar.close()


def _busy_dict(busy: CrawlBusyError) -> dict:
    return {"skipped": True, "reason": str(busy), "pid": busy.pid}


@click.command()
@click.option("--all", "all_feeds", is_flag=True, help="Fetch every enabled feed, not only the due ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_app
def crawl(app, all_feeds: bool, as_json: bool) -> None:
    """Fetch due feeds (all with --all) and store new or updated articles.

    Exits 0 when the crawl ran, even if some feeds failed (they are listed and recorded on the feed).
    One crawl at a time per database: while another runs, this one prints one line and exits 0.
    """
    summary = _run_crawl(app, all_feeds, quiet=as_json)
    if isinstance(summary, CrawlBusyError):
        if as_json:
            echo_json(_busy_dict(summary))
        else:
            click.echo(str(summary))
        return
    if as_json:
        echo_json(summary.as_dict())
        return
    for line in summary_lines(summary):
        click.echo(line)


@click.command()
@click.option("--all", "all_feeds", is_flag=True, help="Fetch every enabled feed, not only the due ones.")
@click.option("--json", "as_json", is_flag=True, help="Print both summaries as JSON.")
@pass_app
def update(app, all_feeds: bool, as_json: bool) -> None:
    """Crawl, then score the new articles."""
    summary = _run_crawl(app, all_feeds, quiet=as_json)
    if not as_json:  # another crawl running: say so, and score what is stored
        for line in [str(summary)] if isinstance(summary, CrawlBusyError) else summary_lines(summary):
            click.echo(line)
    try:
        from scoring.pipeline import score
    except ImportError as exc:
        raise VeilleError(f"scoring is not available ({exc})") from None
    bar = None if as_json else _Bar()
    try:
        result = score(app.settings, app.store, rescore=False, progress=bar)
    finally:
        if bar:
            bar.close()
    scored = result.as_dict()
    if as_json:
        crawled = _busy_dict(summary) if isinstance(summary, CrawlBusyError) else summary.as_dict()
        echo_json({"crawl": crawled, "score": scored})
        return
    click.echo("scoring: " + ", ".join(f"{k} {v}" for k, v in scored.items() if not isinstance(v, dict | list)))
