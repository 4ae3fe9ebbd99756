"""`veille tools …`, `veille radar …` and `veille log` through the real CLI entry point."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from veille.cli import main
from watcher.store import tools as tool_store


@pytest.fixture
def run(populated_store):
    path, _settings, _store = populated_store

    def invoke(*args: str):
        return CliRunner().invoke(main, ["--config", str(path), *args], catch_exceptions=False)

    return invoke


def test_tools_list_json(run, populated_store):
    result = run("tools", "list", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    _, _, store = populated_store
    assert {d["name"] for d in data} == set(tool_store.names(store))
    assert {"name", "kind", "status", "quadrant", "last_rationale", "knocked_out"} <= set(data[0])
    adopted = json.loads(run("tools", "list", "--status", "adopted", "--json").output)
    assert adopted and all(d["status"] == "adopted" for d in adopted)
    assert "VR safety simulation" in run("tools", "list").output


def test_tools_set_records_decision(run, populated_store):
    result = run("tools", "set", "Adaptive learning paths", "--status", "assess", "--note", "Pilot-worthy",
                 "--by", "Claire")
    assert result.exit_code == 0, result.output
    assert "signal → assess" in result.output
    _, _, store = populated_store
    tool = tool_store.by_name(store, "Adaptive learning paths")
    assert tool is not None
    last = max(tool_store.history(store, tool.id), key=lambda h: h.id)  # the row written last
    assert (last.by, last.rationale, last.to_status) == ("Claire", "Pilot-worthy", "assess")
    show = json.loads(run("tools", "show", "Adaptive learning paths", "--json").output)
    assert show["card"]["status"] == "assess" and show["history"][-1]["rationale"] == "Pilot-worthy"


def test_tools_errors_are_one_line(run):
    missing = run("tools", "set", "Adaptive learning paths", "--status", "assess")
    assert missing.exit_code == 2  # --note is required
    empty = run("tools", "set", "Adaptive learning paths", "--status", "assess", "--note", "  ")
    assert empty.exit_code == 2 and empty.output.strip().count("\n") == 0 and "rationale" in empty.output
    unknown = run("tools", "set", "Nope", "--status", "assess", "--note", "x")
    assert unknown.exit_code == 2 and "Nope" in unknown.output
    jump = run("tools", "set", "Adaptive learning paths", "--status", "adopted", "--note", "x")
    assert jump.exit_code == 2 and "cannot go from signal to adopted" in jump.output


def test_tools_add_score_show_suggest(run):
    assert run("tools", "add", "Skills graph", "--kind", "trend", "--quadrant", "Platforms, data & compliance",
               "--note", "HR asks").exit_code == 0
    result = run("tools", "score", "Skills graph", "accessibility", "0", "--note", "no keyboard support")
    assert result.exit_code == 0 and "KNOCK-OUT: accessibility" in result.output
    bad = run("tools", "score", "Skills graph", "maturity", "2", "--note", "x", "--details", "{oops")
    assert bad.exit_code == 2
    shown = run("tools", "show", "Skills graph")
    assert "Scorecard 0/3" in shown.output and "HR asks" in shown.output and "no keyboard support" in shown.output
    suggestions = json.loads(run("tools", "suggest", "--json").output)
    assert "SafeSim Reality" in {s["name"] for s in suggestions}


def test_radar_export_import_and_log(run, tmp_path):
    out = tmp_path / "radar.json"
    result = run("radar", "--format", "json", "--include-rejected", "--output", str(out))
    assert result.exit_code == 0, result.output
    entries = json.loads(out.read_text())
    assert {"name", "ring", "quadrant", "isNew", "description"} == set(entries[0])
    csv_text = run("radar", "export", "--since", "2020-01-01").output
    assert csv_text.startswith("name,ring,quadrant,isNew,description")
    assert run("radar", "--since", "yesterday").exit_code == 2
    again = run("radar", "import", str(out))
    assert again.exit_code == 0 and f"0 created, 0 updated, {len(entries)} unchanged" in again.output

    html = tmp_path / "log.html"
    result = run("log", "--from", "2020-01-01", "--format", "html", "--output", str(html))
    assert result.exit_code == 0, result.output
    text = html.read_text()
    assert "VR safety simulation" in text and "<script" not in text.lower()
    csv_log = run("log", "--from", "2020-01-01", "--format", "csv").output
    assert "decision" in csv_log and "Trial passed" in csv_log
