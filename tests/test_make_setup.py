"""`make test` on a fresh machine: scripts/ensure-chromium installs Chromium or stops with one line naming the
command; it never lets the browser tests be skipped silently."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ensure-chromium"


def run(env: dict, *prefix: str) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, "sh", str(SCRIPT)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})


def test_present_chromium_passes_quietly():
    done = run({"VEILLE_CHROMIUM": "/bin/sh"})  # any executable stands in for an installed browser
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""


def test_missing_chromium_without_root_stops_with_the_command_to_run(tmp_path):
    # as an unprivileged user (nobody) the script cannot install: one line, the command, a failing exit code
    done = run({"VEILLE_CHROMIUM": str(tmp_path / "no-chromium")}, "setpriv", "--reuid=65534", "--regid=65534",
               "--clear-groups")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "apt-get install -y chromium" in lines[0] and "make test" in lines[0]


def test_the_makefile_runs_the_check_before_the_tests():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "test: $(STAMP) chromium" in makefile and "sh scripts/ensure-chromium" in makefile


def test_make_demo_passes_other_ports_and_folder_on():
    """`make demo PORT=8601 …` runs `veille demo --port 8601 …` (make -n prints the command, runs nothing)."""
    done = subprocess.run(["make", "-n", "demo", "PORT=8601", "FEED_PORT=8699", "SMTP_PORT=8625", "DIR=data/demo2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    line = next(line for line in done.stdout.replace("\\\n", " ").splitlines() if "veille demo" in line)
    assert "--port 8601" in line and "--feed-port 8699" in line and "--smtp-port 8625" in line
    assert "--dir data/demo2" in line
    plain = subprocess.run(["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert next(line for line in plain.stdout.replace("\\\n", " ").splitlines() if "veille demo" in line).split() == [
        ".venv/bin/veille", "demo"]
