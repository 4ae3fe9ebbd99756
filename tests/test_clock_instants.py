"""The date-dependent tests (marker `dates`) pass at awkward instants, not only at the suite's default one.

Each instant runs `pytest -m dates --now INSTANT` in a subprocess over the files that hold marked tests: a
Monday 00:30 in Paris (still Sunday in UTC), New Year's Eve 23:30 UTC (already next year in Paris), and both
DST changes in Paris (the hour that does not exist, the hour that happens twice).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from config import clock

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

INSTANTS = [
    "2026-11-30T00:30:00+01:00",  # Monday 00:30 in Paris, Sunday 23:30 UTC
    "2026-12-31T23:30:00Z",  # New Year's Eve 23:30 UTC: 1 January 00:30 in Paris, ISO week 2026-W53
    "2027-03-28T00:30:00Z",  # spring change, 01:30 CET: 02:00-03:00 local does not exist tonight
    "2027-03-28T01:00:00Z",  # spring change, the instant 02:00 CET becomes 03:00 CEST ("02:30" is never shown)
    "2027-03-28T01:30:00Z",  # spring change, 03:30 CEST
    "2026-10-25T00:30:00Z",  # autumn change, 02:30 CEST (first time)
    "2026-10-25T01:30:00Z",  # autumn change, 02:30 CET (second time)
]


def marked_files() -> list[Path]:
    """Test files holding tests marked `dates` (by decorator or module pytestmark)."""
    return sorted(p for p in TESTS.glob("test_*.py")
                  if p.name != Path(__file__).name and "pytest.mark.dates" in p.read_text(encoding="utf-8"))


def test_the_marked_set_is_the_date_dependent_one():
    names = {p.name for p in marked_files()}
    assert {"test_services_trends.py", "test_services_veille_log.py", "test_services_radar.py",
            "test_services_stories.py", "test_scheduler.py", "test_digest.py", "test_clock.py"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("instant", INSTANTS)
def test_date_dependent_tests_pass_at(instant, tmp_path):
    files = [str(p) for p in marked_files()]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "dates", "--now", instant,
         "--basetemp", str(tmp_path / "t"), *files],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    tail = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, f"at {instant}:\n{tail}"
    expected = clock.parse_instant(instant).isoformat()
    assert f"config.clock fixed at {expected}" in result.stdout, tail  # the instant really was used
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed.group(1)) >= 30, tail
    assert not re.search(r"\d+ (failed|error|skipped)", result.stdout), tail
