"""Exactly-once delivery: the sender is SIGKILLed mid-batch (twice), then re-run.

The SMTP server delays its answer to RCPT TO, and the test kills the sender process while the server
holds the next message at that step, i.e. after some messages were delivered and marked, and while the
next one is recorded `pending` but not yet accepted. Every recipient must end up with exactly one
message, as seen by the server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.test_digest import PROFILES, seed
from watcher.store import digests

ROOT = Path(__file__).resolve().parent.parent
ADDRESSES = [f"reader{i}@example.org" for i in range(1, 7)]


def _recipients() -> str:
    return "".join(
        f'\n[[email.recipients]]\naddress = "{a}"\nprofiles = ["frontline"]\nfrequency = "weekly"\n'
        f'language = "{"fr" if i % 2 else "en"}"\nmin_score = 0.5\n'
        for i, a in enumerate(ADDRESSES)
    )


def _sender(config: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "veille", "--config", str(config), "digest", "--send"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _kill_when(proc: subprocess.Popen, handler, delivered: int, timeout: float = 60) -> None:
    """SIGKILL once `delivered` messages arrived and the next one is held at RCPT by the server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(handler.messages) >= delivered and handler.rcpt_seen > delivered:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return
        if proc.poll() is not None:
            raise AssertionError(f"sender finished before the kill: {proc.stdout.read()}")
        time.sleep(0.01)
    proc.kill()
    raise AssertionError("the sender never reached the kill point")


@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun_delivers_each_message_exactly_once(tmp_config, smtp_server):
    from watcher.db import open_store

    path, settings = tmp_config(PROFILES + smtp_server.email_toml(recipients=_recipients()))
    with open_store(settings.database_path) as store:
        seed(store)
    handler = smtp_server.handler
    handler.rcpt_delay = 0.5

    first = _sender(path)
    _kill_when(first, handler, delivered=2)
    assert first.returncode == -signal.SIGKILL
    with open_store(settings.database_path) as store:
        sends = digests.sends(store)
    statuses = Counter(s.status for s in sends)
    assert statuses == {"sent": 2, "pending": 1}
    [pending_id] = [s.message_id for s in sends if s.status == "pending"]
    assert len(handler.messages) == 2

    second = _sender(path)  # resumes the pending message, then is killed again further on
    handler.rcpt_seen = len(handler.messages)
    _kill_when(second, handler, delivered=4)
    assert len(handler.messages) == 4

    handler.rcpt_delay = 0
    third = _sender(path)
    out, _ = third.communicate(timeout=120)
    assert third.returncode == 0, out

    received = Counter(rcpt for m in handler.messages for rcpt in m.rcpt_tos)
    assert received == Counter({a: 1 for a in ADDRESSES}), received
    message_ids = [m.message["Message-ID"] for m in handler.messages]
    assert len(set(message_ids)) == len(ADDRESSES)
    assert pending_id in message_ids  # the interrupted message went out once, with its recorded Message-ID
    with open_store(settings.database_path) as store:
        rows = digests.sends(store)
    assert sorted(r.recipient for r in rows) == sorted(ADDRESSES)
    assert all(r.status == "sent" for r in rows)
    assert sorted(r.message_id for r in rows) == sorted(message_ids)

    again = subprocess.run([sys.executable, "-m", "veille", "--config", str(path), "digest", "--send"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "0 sent" in again.stdout
    assert len(handler.messages) == len(ADDRESSES)
