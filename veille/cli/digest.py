"""`veille digest`: build and send the email summaries."""

from __future__ import annotations

import click

from veille.cli import echo_json, pass_app


@click.command("digest")
@click.option("--to", "to", metavar="ADDR", help="Only this recipient (an address not in the config gets an ad-hoc "
              "digest with the UI language and all profiles).")
@click.option("--profile", "profile", metavar="KEY", help="Only recipients following this profile, and only it.")
@click.option("--dry-run/--send", "dry_run", default=False,
              help="Write the messages as .eml files in [email] outbox instead of sending (default: --send).")
@click.option("--frequency", type=click.Choice(["daily", "weekly"]), help="Only recipients with this frequency.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def digest(app, to, profile, dry_run, frequency, as_json):
    """Build and send email digests: new stories since each recipient's last digest, tool decisions, signals.

    Sending is idempotent: a second run sends nothing new, and a run interrupted by a crash is resumed
    (each remaining email is sent once). The SMTP password is read from VEILLE_SMTP_PASSWORD.
    """
    from ui.digest.outbox import run_digests

    settings = app.settings
    if not settings.email.recipients and not to:
        raise click.UsageError("no [[email.recipients]] in the config; use --to ADDR")
    summary = run_digests(settings, app.store, to=to, profile=profile, frequency=frequency, dry_run=dry_run)
    if as_json:
        echo_json(summary.as_dict())
        return
    for r in summary.results:
        if r.status == "dry-run":
            click.echo(f"{r.recipient}: {r.stories} stories -> {r.path}")
        elif r.status in ("sent", "resumed"):
            extra = " (resumed after an interruption)" if r.status == "resumed" else ""
            click.echo(f"{r.recipient}: sent {r.stories} stories{extra} {r.message_id}")
        elif r.status == "skipped":
            click.echo(f"{r.recipient}: nothing new to send")
        else:
            click.echo(f"{r.recipient}: FAILED {r.error}", err=True)
    d = summary.as_dict()
    if dry_run:
        click.echo(f"dry run: {d['dry_run']} message(s) written, nothing sent, no story marked as sent")
    else:
        click.echo(f"digest: {d['sent']} sent, {d['skipped']} with nothing new, {d['failed']} failed")
