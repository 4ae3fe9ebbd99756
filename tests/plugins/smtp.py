"""Fixtures: real SMTP servers (aiosmtpd) on 127.0.0.1 collecting what they receive.

`smtp_server`: plain SMTP. `smtp_tls_server`: STARTTLS required + AUTH (user "veille", password
"s3cret") with a self-signed certificate for 127.0.0.1 generated here. Both can refuse chosen
recipients (550) and slow down RCPT (for the kill test).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_USER = "veille"
SMTP_PASSWORD = "s3cret"


def free_port() -> int:
    """aiosmtpd's Controller does not take port 0: ask the kernel for a free port first."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Collector:
    """aiosmtpd handler keeping every accepted message."""

    refuse: set[str] = field(default_factory=set)
    rcpt_delay: float = 0.0
    messages: list[Received] = field(default_factory=list)
    rcpt_seen: int = 0
    rcpt_event: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_seen += 1
        self.rcpt_event.set()
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: Collector
    controller: Controller
    ca_file: str = ""

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def email_toml(self, *, security: str = "none", username: str = "", recipients: str = "",
                   sender: str = "veille@example.org", outbox: str = "outbox") -> str:
        lines = [
            "[email]", f'smtp_host = "{self.host}"', f"smtp_port = {self.port}", f'security = "{security}"',
            f'sender = "{sender}"', "timeout_seconds = 10", f'outbox = "{outbox}"',
        ]
        if username:
            lines.append(f'username = "{username}"')
        if self.ca_file:
            lines.append(f'ca_file = "{self.ca_file}"')
        return "\n".join(lines) + "\n" + recipients


def _start(handler: Collector, **kwargs) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = _start(handler)
    yield SmtpServer("127.0.0.1", controller.port, handler, controller)
    controller.stop()


def make_self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost (cryptography), valid 2000-2099: OpenSSL checks validity on the
    machine's real clock, so a fixed wide window keeps the tests independent of today's date."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2099, 12, 31, tzinfo=dt.UTC))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode()
          and auth_data.password == SMTP_PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture(scope="session")
def smtp_certificate(tmp_path_factory) -> tuple[Path, Path]:
    return make_self_signed(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def smtp_tls_server(smtp_certificate):
    cert, key = smtp_certificate
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    handler = Collector()
    controller = _start(handler, tls_context=ctx, require_starttls=True, auth_required=True,
                        auth_require_tls=True, authenticator=_authenticator)
    yield SmtpServer("127.0.0.1", controller.port, handler, controller, ca_file=str(cert))
    controller.stop()
