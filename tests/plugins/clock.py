"""Fixtures: clock. Every test runs at one fixed instant of config.clock, never at today's date.

The instant is `--now ISO` (pytest option), else the environment variable `VEILLE_TEST_NOW`, else DEFAULT.
It is fixed in-process (`clock.set_now`) and exported as `VEILLE_NOW`, so child processes (CLI subprocesses,
`veille serve`, `veille ui` under Chromium) see the same instant. Durations (timeouts, waits) stay on
`time.monotonic()`: only "now" is fixed. Tests marked `dates` are the fast date-dependent ones that
tests/test_clock_instants.py runs again at awkward instants (midnight in Paris, New Year, DST changes).
"""

from __future__ import annotations

import os

import pytest

from config import clock

DEFAULT = "2026-06-17T10:15:00+00:00"  # a Wednesday, mid-morning in Paris: an ordinary day
OPTION_ENV = "VEILLE_TEST_NOW"


def pytest_addoption(parser):
    parser.addoption("--now", metavar="ISO", default=None,
                     help=f"the instant config.clock is fixed at for every test (default: ${OPTION_ENV} or {DEFAULT})")


def test_instant(config) -> str:
    """The configured test instant as an ISO string (UTC, seconds)."""
    text = config.getoption("--now") or os.environ.get(OPTION_ENV) or DEFAULT
    try:
        return clock.parse_instant(text).replace(microsecond=0).isoformat()
    except ValueError:
        raise pytest.UsageError(f"--now/{OPTION_ENV}: expected an ISO 8601 instant, got {text!r}") from None


test_instant.__test__ = False  # a helper, not a test


def pytest_configure(config):
    instant = test_instant(config)
    config.stash[_KEY] = instant
    os.environ[clock.ENV] = instant  # for session fixtures and any child process
    clock.set_now(clock.parse_instant(instant))


def pytest_unconfigure(config):
    clock.set_now(None)


def pytest_report_header(config):
    return f"config.clock fixed at {config.stash.get(_KEY, '?')} (--now / ${OPTION_ENV})"


_KEY = pytest.StashKey[str]()


@pytest.fixture(autouse=True)
def fixed_clock(request, monkeypatch):
    """Each test starts at the fixed instant (a test may move it with clock.fixed/set_now; it comes back)."""
    instant = request.config.stash[_KEY]
    monkeypatch.setenv(clock.ENV, instant)
    clock.set_now(clock.parse_instant(instant))
    yield clock.now()
    clock.set_now(clock.parse_instant(instant))
