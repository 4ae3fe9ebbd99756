"""Build a digest email safely and hand it to an SMTP server.

Addresses and subjects are validated before anything is built: a CR, LF or NUL anywhere (header
injection), a malformed address or an over-long subject is refused with one clear line.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from config.errors import EmailError, ValidationError

if TYPE_CHECKING:
    from config.settings import EmailSettings

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS_RE = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+$")
MAX_SUBJECT = 250


def validate_address(address: str, *, what: str = "address") -> str:
    """Return the address if it is a plain, valid `local@domain`; raise ValidationError otherwise."""
    if not isinstance(address, str) or not address:
        raise ValidationError(f"{what}: empty email address")
    if any(c in address for c in "\r\n\0"):
        raise ValidationError(f"{what}: {address!r} contains a line break (header injection refused)")
    if len(address) > 254 or not ADDRESS_RE.match(address):
        raise ValidationError(f"{what}: {address!r} is not a valid email address")
    return address


def validate_subject(subject: str) -> str:
    if any(c in subject for c in "\r\n\0"):
        raise ValidationError(f"subject {subject[:60]!r} contains a line break (header injection refused)")
    if not subject.strip() or len(subject) > MAX_SUBJECT:
        raise ValidationError(f"subject must be 1 to {MAX_SUBJECT} characters")
    return subject


def new_message_id(sender: str) -> str:
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "veille.local"
    return make_msgid(idstring="digest", domain=domain)


def compose(*, sender: str, to: str, subject: str, text: str, html: str, message_id: str, date) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML second (clients show the last they can)."""
    validate_address(sender, what="sender")
    validate_address(to, what="recipient")
    validate_subject(subject)
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


class RecipientRefused(EmailError):
    """The server refused this recipient (permanent for this message)."""


class Mailer:
    """One SMTP connection reused across a batch, reopened after an error; close() at the end."""

    def __init__(self, email_settings: EmailSettings) -> None:
        self.cfg = email_settings
        self._smtp: smtplib.SMTP | None = None

    def _tls_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if self.cfg.ca_file:
            try:
                ctx.load_verify_locations(self.cfg.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise EmailError(f"email.ca_file {self.cfg.ca_file!r}: cannot load ({exc})") from None
        return ctx

    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        where = f"{cfg.smtp_host}:{cfg.smtp_port}"
        try:
            if cfg.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout_seconds,
                                                      context=self._tls_context())
            else:
                smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout_seconds)
                smtp.ehlo()
                if cfg.security == "starttls":
                    smtp.starttls(context=self._tls_context())
                    smtp.ehlo()
            if cfg.username:
                password = cfg.password
                if not password:
                    smtp.close()
                    raise EmailError("email.username is set but VEILLE_SMTP_PASSWORD is not in the environment")
                smtp.login(cfg.username, password)
        except smtplib.SMTPAuthenticationError as exc:
            raise EmailError(f"SMTP {where}: authentication failed ({exc.smtp_code})") from None
        except (TimeoutError, smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise EmailError(f"SMTP {where}: cannot connect ({type(exc).__name__}: {exc})") from None
        return smtp

    def send(self, raw: bytes, sender: str, to: str) -> None:
        """Send one message to one recipient; raise RecipientRefused or EmailError."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.sendmail(sender, [to], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()), (0, b""))
            raise RecipientRefused(f"{to}: refused by the server ({code} {_text(reason)})") from None
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise EmailError(f"{to}: server answered {exc.smtp_code} {_text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._reset()
            raise EmailError(f"{to}: sending failed ({type(exc).__name__}: {exc})") from None

    def _reset(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self._reset()


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
