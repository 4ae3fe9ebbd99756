"""Send each digest exactly once, surviving crashes.

Protocol, per recipient, under the digest lock (one sender at a time per database):

1. build the message, then in one ``BEGIN IMMEDIATE`` transaction record it as ``pending`` in
   ``digest_sends`` (with its exact bytes and Message-ID) and reserve its stories in ``digest_stories``;
2. hand it to the SMTP server;
3. mark the row ``sent`` (or ``failed`` with the error, releasing the stories) in its own transaction.

A run finding ``pending`` rows (under the lock they can only come from a dead sender) re-sends those
stored bytes with the same Message-ID before anything new. The one at-least-once window is between the
server's final "250 OK" and the commit of step 3 — a few milliseconds; a kill there can cause one
duplicate, which receiving systems can recognise by its identical Message-ID. A kill anywhere else
loses nothing and duplicates nothing.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime

from config import clock
from config.errors import EmailError, ValidationError
from ui.digest.mailer import Mailer, RecipientRefused, compose, new_message_id, validate_address
from ui.digest.records import DigestRunSummary, SendResult
from ui.digest.render import render_digest
from ui.digest.select import iso, recipients_from_settings, select_digest
from watcher.service_lock import digest_lock
from watcher.store import digests as digests_store

log = logging.getLogger("veille.digest")
NOTHING_NEW = "nothing new: not sent"


def _not_sent(rec, digest) -> SendResult:
    """An empty digest (no new story, no register decision) is never sent: one log line says so instead."""
    since = (digest.period_start or "")[:16].replace("T", " ")
    log.info("digest for %s (%s) not sent: nothing new since %s", rec.address, rec.frequency, since or "the start")
    return SendResult(rec.address, "skipped", error=NOTHING_NEW)


def run_digests(settings, store, *, to: str | None = None, profile: str | None = None,
                frequency: str | None = None, dry_run: bool = False, now: datetime | None = None,
                stop: threading.Event | None = None, echo=None) -> DigestRunSummary:
    """Build and send (or, with dry_run, write as .eml) the digests of the selected recipients."""
    if to:
        validate_address(to.strip(), what="--to")
    recipients = recipients_from_settings(settings, to=to, profile=profile, frequency=frequency)
    summary = DigestRunSummary()
    now = now or clock.now()
    if dry_run:
        for rec in recipients:
            summary.results.append(_dry_run_one(settings, store, rec, now))
        return summary
    mailer = Mailer(settings.email)
    with digest_lock(settings.database_path):
        try:
            addresses = {r.address.lower() for r in recipients}
            for row in _pending(store, addresses):
                if stop is not None and stop.is_set():
                    return summary
                summary.results.append(_deliver(store, mailer, settings.email.sender, row.id, row.recipient,
                                                row.message, row.message_id, row.stories, resumed=True))
            for rec in recipients:
                if stop is not None and stop.is_set():
                    break
                summary.results.append(_send_one(settings, store, mailer, rec, now))
        finally:
            mailer.close()
    return summary


def _pending(store, addresses: set[str]) -> list[digests_store.PendingSend]:
    return [r for r in digests_store.pending(store) if r.recipient.lower() in addresses]


def _build(settings, store, rec, now):
    digest = select_digest(settings, store, rec, now=now)
    if digest.is_empty:
        return digest, None, None
    rendered = render_digest(digest, timezone=settings.schedule.timezone)
    message_id = new_message_id(settings.email.sender)
    msg = compose(sender=settings.email.sender, to=rec.address, subject=rendered.subject, text=rendered.text,
                  html=rendered.html, message_id=message_id, date=now)
    return digest, msg, message_id


def _send_one(settings, store, mailer: Mailer, rec, now) -> SendResult:
    try:
        validate_address(rec.address, what="email.recipients")
        digest, msg, message_id = _build(settings, store, rec, now)
    except (ValidationError, EmailError) as exc:
        _record_refused(store, rec, now, str(exc))
        return SendResult(rec.address, "failed", error=str(exc))
    if msg is None:
        return _not_sent(rec, digest)
    raw = msg.as_bytes()
    send_id = _reserve(store, rec, digest, msg, message_id, raw, now)
    if send_id is None:
        return SendResult(rec.address, "skipped", error="stories already reserved by another digest")
    return _deliver(store, mailer, settings.email.sender, send_id, rec.address, raw, message_id, digest.story_count)


def _reserve(store, rec, digest, msg, message_id: str, raw: bytes, now) -> int | None:
    """Step 1: record the message as pending and reserve its stories, atomically."""
    return digests_store.reserve(
        store, recipient=rec.address, frequency=rec.frequency, period_start=digest.period_start,
        period_end=digest.period_end, story_ids=digest.story_ids, message_id=message_id,
        subject=str(msg["Subject"]), created_at=iso(now), message=raw, language=rec.language)


def _deliver(store, mailer: Mailer, sender: str, send_id: int, address: str, raw: bytes, message_id: str,
             stories: int, *, resumed: bool = False) -> SendResult:
    """Steps 2 and 3: send, then mark sent or failed (a failure releases the stories for a later digest)."""
    try:
        mailer.send(raw, sender, address)
    except (RecipientRefused, EmailError) as exc:
        digests_store.mark_failed(store, send_id, str(exc))
        return SendResult(address, "failed", message_id=message_id, stories=stories, error=str(exc))
    digests_store.mark_sent(store, send_id, iso(clock.now()))
    return SendResult(address, "resumed" if resumed else "sent", message_id=message_id, stories=stories)


def _record_refused(store, rec, now, error: str) -> None:
    """A recipient refused before any SMTP exchange (bad address, bad subject) is still recorded."""
    digests_store.record_refused(store, recipient=rec.address[:320], frequency=rec.frequency, at=iso(now),
                                 message_id=new_message_id("refused@veille.local"), error=error,
                                 language=rec.language)


def _dry_run_one(settings, store, rec, now) -> SendResult:
    try:
        validate_address(rec.address, what="email.recipients")
        digest, msg, message_id = _build(settings, store, rec, now)
    except (ValidationError, EmailError) as exc:
        return SendResult(rec.address, "failed", error=str(exc))
    if msg is None:
        return _not_sent(rec, digest)
    folder = settings.resolve(settings.email.outbox)
    folder.mkdir(parents=True, exist_ok=True)
    path = _write_new(folder, f"{now.strftime('%Y%m%d-%H%M%S')}-{_slug(rec.address)}", msg.as_bytes())
    return SendResult(rec.address, "dry-run", message_id=message_id, stories=digest.story_count, path=str(path))


def _write_new(folder, stem: str, data: bytes):
    """Write `stem.eml` in `folder`, or `stem-2.eml`, `-3`…: an earlier message (same second, a fixed clock, a
    restarted demo) is never overwritten."""
    n = 1
    while True:
        path = folder / (f"{stem}.eml" if n == 1 else f"{stem}-{n}.eml")
        try:
            with open(path, "xb") as out:
                out.write(data)
            return path
        except FileExistsError:
            n += 1


def _slug(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", address)[:80]
