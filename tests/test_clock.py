"""config.clock: one injectable clock; fixed in-process and across processes; days in a zone."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from config import clock

pytestmark = pytest.mark.dates


def test_the_suite_runs_at_a_fixed_instant(fixed_clock, pytestconfig):
    from tests.plugins.clock import test_instant

    assert clock.now() == fixed_clock == clock.parse_instant(test_instant(pytestconfig))
    assert os.environ[clock.ENV] == fixed_clock.isoformat()


def test_fixed_nests_and_restores():
    outer = clock.now()
    with clock.fixed("2026-11-30T00:30:00+01:00") as at:
        assert at == clock.now() == datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
        assert clock.now().tzinfo is UTC
        with clock.fixed(datetime(2027, 1, 1, 12, 0, 0, 987654, tzinfo=UTC)):
            assert clock.now() == datetime(2027, 1, 1, 12, 0, tzinfo=UTC)  # seconds precision
        assert clock.now() == at
    assert clock.now() == outer


def test_real_clock_when_nothing_is_fixed(monkeypatch):
    monkeypatch.delenv(clock.ENV, raising=False)
    clock.set_now(None)
    first = clock.now()
    assert first.tzinfo is UTC and first.microsecond == 0
    assert first.year >= 2026  # the machine's clock, not a fixed instant
    monkeypatch.setenv(clock.ENV, "2030-05-06T07:08:09Z")
    assert clock.now() == datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)  # the environment is read at every call


def test_env_pins_a_child_process():
    env = {**os.environ, clock.ENV: "2026-12-31T23:30:00Z"}
    code = "from config import clock; print(clock.now().isoformat(), clock.today('Europe/Paris'), clock.today())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2026-12-31T23:30:00+00:00", "2027-01-01", "2026-12-31"]


@pytest.mark.parametrize(("instant", "zone", "expected"), [
    ("2026-11-29T23:30:00Z", "Europe/Paris", date(2026, 11, 30)),  # Monday 00:30 in Paris, still Sunday in UTC
    ("2026-11-29T23:30:00Z", None, date(2026, 11, 29)),
    ("2026-12-31T23:30:00Z", "Europe/Paris", date(2027, 1, 1)),
    ("2026-12-31T23:30:00Z", "America/New_York", date(2026, 12, 31)),
    ("2027-03-28T01:30:00Z", "Europe/Paris", date(2027, 3, 28)),  # 03:30 CEST, just after the spring change
    ("2026-10-25T00:30:00Z", "Europe/Paris", date(2026, 10, 25)),  # 02:30 CEST, before the autumn change
])
def test_today_is_the_date_in_the_zone(instant, zone, expected):
    with clock.fixed(instant):
        assert clock.today(zone) == expected
        assert clock.now_in(zone).date() == expected


def test_now_in_across_dst():
    with clock.fixed("2026-10-25T00:30:00Z"):
        assert clock.now_in("Europe/Paris").utcoffset() == timedelta(hours=2)
    with clock.fixed("2026-10-25T01:30:00Z"):  # the second 02:30 of that night
        local = clock.now_in("Europe/Paris")
        assert (local.hour, local.minute, local.utcoffset()) == (2, 30, timedelta(hours=1))
    with clock.fixed("2027-03-28T01:30:00Z"):
        assert clock.now_in("Europe/Paris").hour == 3  # 02:30 does not exist that night


def test_day_start_in_a_zone():
    assert clock.day_start(date(2026, 11, 30), "Europe/Paris") == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert clock.day_start(date(2026, 7, 1), "Europe/Paris") == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    assert clock.day_start(date(2026, 7, 1)) == datetime(2026, 7, 1, tzinfo=UTC)
    # the days either side of a DST change are 23 and 25 hours long
    spring = clock.day_start(date(2027, 3, 29), "Europe/Paris") - clock.day_start(date(2027, 3, 28), "Europe/Paris")
    autumn = clock.day_start(date(2026, 10, 26), "Europe/Paris") - clock.day_start(date(2026, 10, 25), "Europe/Paris")
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))
    assert clock.day_start_iso(date(2026, 11, 30), "Europe/Paris") == "2026-11-29T23:00:00+00:00"


def test_week_start_is_the_iso_monday():
    assert clock.week_start(date(2026, 11, 30)) == date(2026, 11, 30)
    assert clock.week_start(date(2026, 12, 6)) == date(2026, 11, 30)
    assert clock.week_start(date(2027, 1, 1)) == date(2026, 12, 28)  # ISO week 2026-W53
    assert date(2026, 12, 28).isocalendar()[:2] == (2026, 53)


def test_parse_instant_forms_and_zones():
    assert clock.parse_instant("2026-11-30T00:30+01:00") == datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert clock.parse_instant("2026-11-30T00:30:00") == datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # naive: UTC
    assert clock.parse_instant(" 2026-11-30T00:30:00Z ").tzinfo is UTC
    with pytest.raises(ValueError):
        clock.parse_instant("next monday")
    assert clock.zone(None) is UTC and clock.zone("") is UTC
    fixed_offset = timezone(timedelta(hours=5))
    assert clock.zone(fixed_offset) is fixed_offset
    assert str(clock.zone("Europe/Paris")) == "Europe/Paris"


def test_set_now_none_goes_back_to_the_environment(monkeypatch):
    monkeypatch.setenv(clock.ENV, "2026-01-02T03:04:05Z")
    clock.set_now(datetime(2020, 1, 1, tzinfo=UTC))
    assert clock.now().year == 2020
    clock.set_now(None)
    assert clock.now() == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
