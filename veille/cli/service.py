"""`veille serve`, `veille run` and `veille demo`: the long-running service and the one-command demo."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

import click

from config.errors import VeilleError
from veille.cli import pass_app


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("mail.log").setLevel(logging.WARNING)


def _config_path(app) -> str:
    return str(app.settings.source) if app.settings.source else ""


def start_app(config_path: str, host: str, port: int) -> subprocess.Popen:
    """`veille ui` as a child process (same interpreter, same config)."""
    cmd = [sys.executable, "-m", "veille", "--config", config_path, "ui", "--host", host, "--port", str(port)]
    return subprocess.Popen(cmd)


def stop_app(child: subprocess.Popen | None) -> None:
    if child is None or child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


class _AppWatch:
    """Reports once if the app child exits on its own (the scheduler keeps running)."""

    def __init__(self, child: subprocess.Popen | None):
        self.child = child
        self.reported = False

    def __call__(self) -> None:
        if self.child is not None and not self.reported and self.child.poll() is not None:
            self.reported = True
            click.echo(f"veille: the app exited (code {self.child.returncode}); the scheduler keeps running. "
                       "Ctrl-C to stop.", err=True)


@click.command("serve")
@pass_app
def serve(app) -> None:
    """Run the scheduler in the foreground: crawl + score every [schedule] crawl_every_minutes (a first run
    at start), daily and weekly digests on their cron expressions, nightly retention.

    One per database (a second one refuses to start). SIGTERM or Ctrl-C stops it cleanly between batches.
    """
    from veille.scheduler import serve as run_service

    _logging()
    run_service(app.settings, _config_path(app), echo=click.echo)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the app binds.")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="App port.")
@pass_app
def run(app, host: str, port: int) -> None:
    """Run the scheduler and the app together (`veille serve` + `veille ui`); Ctrl-C stops both."""
    from veille.scheduler import Service, install_signal_handlers

    _logging()
    service = Service(app.settings, _config_path(app), echo=click.echo)
    child = None
    try:
        install_signal_handlers(service.stop)
        child = start_app(_config_path(app), host, port)
        service.start()
        click.echo(f"veille: app on http://{host}:{port}  (Ctrl-C stops everything)")
        service.wait(tick=_AppWatch(child))
    finally:
        stop_app(child)
        service.close()


def _progress(stage: str, done: int, total: int) -> None:
    click.echo(f"\r  {stage}: {done}/{total}   ", nl=done >= total, err=True)


@click.command("demo")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="App port.")
@click.option("--feed-port", default=8599, show_default=True, type=click.IntRange(1, 65535),
              help="Port of the local demo feed server.")
@click.option("--smtp-port", default=8525, show_default=True, type=click.IntRange(1, 65535),
              help="Port of the local mail sink receiving the demo digests.")
@click.option("--dir", "folder", default="data/demo", show_default=True, type=click.Path(path_type=Path),
              help="Where the demo config, database and mailbox live.")
@click.option("--no-app", is_flag=True, help="Do not start the Streamlit app (scheduler only).")
@click.option("--once", is_flag=True, help="Run the pipeline once and exit (no scheduler, no app).")
def demo(port: int, feed_port: int, smtp_port: int, folder: Path, no_app: bool, once: bool) -> None:
    """Serve the offline demo corpus on 127.0.0.1, crawl and score it, send the demo digests to a local
    mailbox, then run the scheduler and the app. Works with no internet; Ctrl-C stops everything."""
    from demo import mailsink
    from demo.config import write_demo_config
    from demo.server import DemoServer
    from veille.scheduler import Service, install_signal_handlers
    from watcher.service_lock import service_lock

    _logging()
    folder = folder.resolve()
    lock = service_lock(folder / "veille.db")  # refuse early if a demo already runs on this folder
    feeds = sink = service = child = None
    started = time.monotonic()
    try:
        try:
            feeds = DemoServer(port=feed_port).start()
        except OSError as exc:
            raise VeilleError(f"demo feed server: cannot listen on 127.0.0.1:{feed_port} ({exc.strerror}); "
                              "use --feed-port") from None
        click.echo(f"demo feeds: {feeds.base_url}/ ({len(feeds.corpus.feeds)} feeds)")
        if mailsink.available() and not mailsink.port_free(smtp_port):
            # another program holds the port: the digests still go to the mailbox (and are recorded as sent, so a
            # restart does not send them again) rather than to a dry run that a restart would write again
            busy, smtp_port = smtp_port, mailsink.free_port()
            click.echo(f"mail sink: 127.0.0.1:{busy} is in use, using {smtp_port}")
        config = write_demo_config(folder, [(url, f.title, f.language, f.kind) for f, url in feeds.feed_urls()],
                                   app_port=port, smtp_port=smtp_port)
        click.echo(f"demo config: {config}")
        from config.settings import load_settings
        from watcher.db import open_store

        settings = load_settings(config)
        with open_store(settings.database_path) as store:
            _pipeline(settings, store)
            _seed_tools(settings, store)
            sink = _digests(settings, store, folder, smtp_port, mailsink)
        click.echo(f"demo ready in {time.monotonic() - started:.0f} s")
        if once:
            return
        service = Service(settings, str(config), echo=click.echo, first_crawl_now=False, lock=lock)
        install_signal_handlers(service.stop)
        if not no_app:
            child = start_app(str(config), "127.0.0.1", port)
        service.start()
        if child is not None:
            click.echo(f"\n  veille demo: open http://127.0.0.1:{port}   (Ctrl-C stops everything)\n")
        else:
            click.echo("\n  veille demo: scheduler running without the app (Ctrl-C stops it)\n")
        service.wait(tick=_AppWatch(child))
    finally:
        stop_app(child)
        if service is not None:
            service.close()
        if sink is not None:
            sink.stop()
        if feeds is not None:
            feeds.stop()
        lock.release()


def _pipeline(settings, store) -> None:
    from watcher import crawler

    click.echo("crawling the demo feeds...")
    summary = crawler.crawl(settings, store, all_feeds=True, progress=_progress, trigger="demo")
    click.echo(f"  {summary.ok} feeds ok, {summary.not_modified} unchanged, {summary.failed} failed; "
               f"{summary.new_articles} new and {summary.updated_articles} updated articles")
    for url, error in summary.failures:
        click.echo(f"  failed: {url}: {error}", err=True)
    click.echo("scoring (embedding new articles, profiles, topics, story clusters)...")
    from scoring import pipeline

    scored = pipeline.score(settings, store, progress=_progress)
    click.echo(f"  {scored.as_dict()}")


def _seed_tools(settings, store) -> None:
    from ui.services.context import cli_user, open_context
    from ui.services.demo_tools import seed_demo_tools

    added = seed_demo_tools(open_context(settings, cli_user("demo"), store))
    click.echo(f"tool register: {added} demo tools added")


def _digests(settings, store, folder: Path, smtp_port: int, mailsink):
    """Send the demo digests to a local mailbox (or write them with --dry-run without aiosmtpd)."""
    from ui.digest.outbox import run_digests

    sink = None
    dry_run = not (mailsink.available() and mailsink.port_free(smtp_port))
    if not dry_run:
        sink = mailsink.MailSink(folder / "mailbox", smtp_port).start()
    summary = run_digests(settings, store, dry_run=dry_run)
    for r in summary.results:
        where = r.path or (f"{folder / 'mailbox'}" if r.status in ("sent", "resumed") else r.error)
        click.echo(f"digest for {r.recipient}: {r.status}, {r.stories} stories -> {where}")
    _write_previews(store, folder / "mailbox")
    return sink


def _write_previews(store, mailbox: Path) -> None:
    """The HTML part of each recipient's latest digest as a file a browser opens directly."""
    from email import message_from_bytes, policy

    from watcher.store import digests

    mailbox.mkdir(parents=True, exist_ok=True)
    for recipient, message in digests.latest_sent_messages(store):
        msg = message_from_bytes(message, policy=policy.default)
        part = msg.get_body(("html",))
        if part is not None:
            path = mailbox / f"latest-{recipient}.html"
            path.write_text(part.get_content(), encoding="utf-8")
            click.echo(f"  preview: {path}")
