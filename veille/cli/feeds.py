"""`veille feeds …`: list, add, remove, enable, disable, kind, import/export OPML."""

from __future__ import annotations

from pathlib import Path

import click

from config.errors import ValidationError
from config.settings import SOURCE_KINDS
from veille.cli import echo_json, pass_app
from watcher.store import feeds as feed_store


@click.group()
def feeds() -> None:
    """Manage sources: list, add, remove, enable, disable, say their kind, import/export OPML."""


def _short(value: str | None, width: int) -> str:
    value = value or ""
    return value if len(value) <= width else value[: width - 1] + "…"


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the feeds as JSON.")
@pass_app
def list_(app, as_json: bool) -> None:
    """List feeds with their status, errors, article count and next check."""
    feed_store.sync_config_feeds(app.store, app.settings)
    rows = feed_store.list_feeds(app.store)
    if as_json:
        echo_json([r.as_dict() for r in rows])
        return
    if not rows:
        click.echo("no feeds (add one with `veille feeds add URL` or in the config file)")
        return
    for r in rows:
        click.echo(f"{r.status:<13} {r.articles:>6}  {r.kind:<12}  {_short(r.title or r.url, 50):<50}  {r.url}")
        details = []
        if r.error_count:
            details.append(f"{r.error_count} errors, last: {_short(r.last_error, 100)}")
        if r.disabled_reason:
            details.append(r.disabled_reason)
        if r.moved_to:
            details.append(f"moved permanently to {r.moved_to} (update the URL if this is right)")
        if r.warning:
            details.append(f"warning: {_short(r.warning, 100)}")
        for d in details:
            click.echo(f"{'':<13}         {'':<12}  {d}")


@feeds.command()
@click.argument("url")
@click.option("--title", default="", help="Display title (default: the feed's own).")
@click.option("--topic", "topics", multiple=True, help="Topic hint (repeatable).")
@click.option("--language", default="", help="Language of the feed (en, fr…) when it does not say.")
@click.option("--kind", default="unknown", show_default=True, type=click.Choice(SOURCE_KINDS),
              help="What kind of source it is.")
@pass_app
def add(app, url: str, title: str, topics: tuple[str, ...], language: str, kind: str) -> None:
    """Add a feed; it is fetched at the next crawl."""
    known = {t.key for t in app.settings.topics}
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise ValidationError(f"unknown topic {unknown[0]!r} (known: {', '.join(sorted(known))})")
    feed = feed_store.add_feed(app.store, url, title=title, topics=topics, language=language, kind=kind)
    click.echo(f"added {feed.url} ({feed.kind})")


@feeds.command("kind")
@click.argument("url")
@click.argument("kind", type=click.Choice(SOURCE_KINDS))
@pass_app
def kind_(app, url: str, kind: str) -> None:
    """Say what kind of source a feed is: research, practitioner, vendor, press, regulator or unknown."""
    feed = feed_store.set_feed_kind(app.store, url, kind)
    click.echo(f"{feed.url}: {feed.kind}")
    configured = next((f for f in app.settings.feeds if f.url == feed.url), None)
    if configured is not None and configured.kind not in ("unknown", feed.kind):
        click.echo(f"note: the config file says kind = \"{configured.kind}\" for this feed and sets it back at the "
                   "next crawl; change it there too", err=True)


@feeds.command()
@click.argument("url")
@pass_app
def remove(app, url: str) -> None:
    """Remove a feed and the articles only it carries."""
    deleted = feed_store.remove_feed(app.store, url)
    click.echo(f"removed {url} ({deleted} articles deleted)")
    if any(f.url == url.strip() for f in app.settings.feeds):
        click.echo("note: this feed is in the config file and comes back at the next crawl; remove it there too",
                   err=True)


@feeds.command()
@click.argument("url")
@pass_app
def enable(app, url: str) -> None:
    """Enable a feed again: clears its error count; it is due at the next crawl."""
    feed_store.set_feed_enabled(app.store, url, True)
    click.echo(f"enabled {url}")


@feeds.command()
@click.argument("url")
@click.option("--reason", default="disabled by the user", help="Why (shown in `feeds list`).")
@pass_app
def disable(app, url: str, reason: str) -> None:
    """Disable a feed (it is kept, not fetched)."""
    feed_store.set_feed_enabled(app.store, url, False, reason=reason)
    click.echo(f"disabled {url}")


@feeds.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_(app, file: Path) -> None:
    """Import feeds from an OPML file (feeds already present are skipped)."""
    from watcher.opml import MAX_OPML_BYTES, read_opml

    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_OPML_BYTES + 1)  # one byte over the cap is enough to refuse it
    except OSError as exc:
        raise ValidationError(f"{file}: cannot read ({exc.strerror})") from None
    items = read_opml(data, source=str(file))  # the whole file is checked before any feed is added
    added, skipped, errors = feed_store.import_feeds(app.store, items)
    for error in errors:
        click.echo(f"skipped: {error}", err=True)
    skipped += len(errors)
    click.echo(f"imported {added} feeds from {file} ({skipped} skipped)")


@feeds.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def export(app, file: Path | None) -> None:
    """Export the feed list as OPML 2.0 (to FILE, or standard output)."""
    from watcher.opml import to_opml

    feed_store.sync_config_feeds(app.store, app.settings)
    text = to_opml(feed_store.all_feeds(app.store))
    if file is None:
        click.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")
        click.echo(f"wrote {file}", err=True)
