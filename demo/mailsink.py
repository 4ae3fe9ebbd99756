"""A local SMTP sink for the demo: every digest sent by `veille demo` lands as an .eml file in a folder.

Uses aiosmtpd (installed with the dev extra, which `make demo` installs); without it the demo writes
its digests with --dry-run instead. A message never replaces an earlier one: a restarted demo (or two messages in
the same second, or a fixed clock) adds files, numbered on from those already in the folder.
"""

from __future__ import annotations

import socket
from pathlib import Path

from config import clock


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on `host` now (aiosmtpd's Controller does not take port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class _SaveToFolder:
    def __init__(self, folder: Path):
        self.folder = folder
        self.count = len(list(folder.glob("*.eml")))  # a restarted sink numbers on

    async def handle_DATA(self, server, session, envelope):
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        rcpt = "".join(c if c.isalnum() or c in "@._-" else "_" for c in ",".join(envelope.rcpt_tos))[:80]
        while True:
            self.count += 1
            try:
                with open(self.folder / f"{stamp}-{self.count:03d}-{rcpt}.eml", "xb") as out:
                    out.write(bytes(envelope.content))
                break
            except FileExistsError:  # kept: an earlier run's message is never overwritten
                continue
        return "250 Message accepted for delivery"


class MailSink:
    def __init__(self, folder: Path, port: int):
        from aiosmtpd.controller import Controller

        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = port
        self.controller = Controller(_SaveToFolder(folder), hostname="127.0.0.1", port=port)

    def start(self) -> MailSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def available() -> bool:
    try:
        import aiosmtpd.controller  # noqa: F401
    except ImportError:
        return False
    return True
