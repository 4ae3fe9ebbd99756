"""`veille export`: one record per article as JSON Lines or CSV, streamed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import click

from config import clock
from veille.cli import pass_app
from watcher import csvsafe
from watcher.cleaner import iso_utc

FIELDS = ("id", "url", "title", "feed_url", "published", "language", "summary_text", "topics", "scores", "cluster_id")


def _since(ctx, param, value: str | None) -> str | date | None:
    """A date (its day starts in `[schedule] timezone`, resolved by the command) or an ISO 8601 instant."""
    if not value:
        return None
    try:
        if len(value.strip()) == 10:
            return date.fromisoformat(value.strip())
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD or ISO 8601)") from None
    return iso_utc(dt if dt.tzinfo else dt.replace(tzinfo=UTC))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", callback=_since, help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@pass_app
def export(app, fmt: str, since: str | date | None, output: Path | None) -> None:
    """Export articles: id, url, title, feed_url, published, language, summary_text, topics, scores, cluster_id."""
    from watcher.store.articles import iter_export_rows

    if isinstance(since, date):
        since = clock.day_start_iso(since, app.settings.schedule.timezone)
    rows = iter_export_rows(app.store, since)
    handle = output.open("w", encoding="utf-8", newline="") if output else click.open_file("-", "w")  # stdout
    count = 0
    try:
        if fmt == "jsonl":
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        else:
            writer = csvsafe.DictWriter(handle, FIELDS)
            writer.writeheader()
            for row in rows:
                row["topics"] = json.dumps(row["topics"], ensure_ascii=False)
                row["scores"] = json.dumps(row["scores"], ensure_ascii=False)
                writer.writerow(row)
                count += 1
    finally:
        if output:
            handle.close()
    if output:
        click.echo(f"wrote {count} articles to {output}", err=True)
