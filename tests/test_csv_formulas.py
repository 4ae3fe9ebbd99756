"""No CSV veille writes holds a live spreadsheet formula, and the radar CSV still round-trips through import.

Each product CSV is produced by its real entry point (the CLI, the app's download buttons under AppTest),
written to a real file and read back with the csv module.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import write_config
from tests.plugins.app import editor_ctx
from ui.services import tools
from veille.cli import main
from watcher import csvsafe
from watcher.store import articles

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://canary.example/x","click")', "+1+2", "-2+3", "@SUM(A1:A9)", "\tTabbed",
           "\rReturn", "=cmd|' /C calc'!A0"]
# names survive the register's whitespace normalisation; two start with an apostrophe on purpose
HOSTILE_NAMES = ["=cmd|' /C calc'!A0", "+Plus tool", "-Minus tool", "@At tool", "'90s microlearning",
                 "'=quoted formula", "''two quotes"]


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_no_live_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), f"live formula cell {cell!r} in {row}"


def run(config: Path, *args: str):
    return CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)


@pytest.fixture
def hostile(populated_store):
    """The populated database with formula-like article titles, tool names, descriptions and rationales."""
    path, settings, store = populated_store
    ids = sorted(a.id for a in articles.stored(store))[:len(HOSTILE)]
    with store.write() as db:
        for aid, text in zip(ids, HOSTILE, strict=True):
            db.execute("UPDATE articles SET title = ?, summary_text = ? WHERE id = ?",  # sql: fabricates hostile text
                       (text, text[::-1], aid))
    ctx = editor_ctx(settings, store, name="=Claire")
    for i, name in enumerate(HOSTILE_NAMES):
        tools.add_tool(ctx, name, note=HOSTILE[i % len(HOSTILE)], description=f"=1+{i} looks like a formula",
                       quadrant=tools.QUADRANTS[i % len(tools.QUADRANTS)], status="assess")
        tools.set_status(ctx, name, "trial", HOSTILE[(i + 1) % len(HOSTILE)])
    return path, settings, store


# --- the helper ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*HOSTILE, *HOSTILE_NAMES, "'", "''", "'a", "plain", "", "a=b", "0.5", "-0.5"])
def test_neutralise_then_restore_is_exact(value):
    written = csvsafe.neutralise(value)
    assert not str(written).startswith(FORMULA_START)
    assert csvsafe.restore(written) == value


def test_an_apostrophe_written_by_another_tool_is_kept():
    assert csvsafe.restore("'note") == "'note"  # not one we added: followed by ordinary text
    assert csvsafe.restore("'=x") == "=x"
    assert csvsafe.restore("''x") == "'x"


# --- each product CSV ---------------------------------------------------------------------------


def test_articles_export_csv(hostile, tmp_path):
    path, _settings, _store = hostile
    out = tmp_path / "articles.csv"
    result = run(path, "export", "--format", "csv", "--output", str(out))
    assert result.exit_code == 0, result.output
    rows = cells(out.read_bytes().decode("utf-8"))
    assert_no_live_formula(rows)
    records = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8"), newline="")))
    titles = {csvsafe.restore(r["title"]) for r in records}
    assert set(HOSTILE) <= titles  # neutralised, not lost
    assert any(r["title"] == "'" + HOSTILE[0] for r in records)


def test_veille_log_csv(hostile, tmp_path):
    path, _settings, _store = hostile
    out = tmp_path / "log.csv"
    result = run(path, "log", "--from", "2000-01-01", "--to", "2100-01-01", "--format", "csv", "--output", str(out))
    assert result.exit_code == 0, result.output
    rows = cells(out.read_bytes().decode("utf-8"))
    assert_no_live_formula(rows)
    records = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8"), newline="")))
    decided = {csvsafe.restore(r["item"]) for r in records if r["section"] == "decision"}
    assert set(HOSTILE_NAMES) <= decided
    assert {csvsafe.restore(r["by"]) for r in records if r["section"] == "decision"} >= {"=Claire"}
    assert {"+1+2", "-2+3", "@SUM(A1:A9)"} <= {csvsafe.restore(r["rationale"]) for r in records}


def test_radar_csv_export_and_import_round_trip(hostile, tmp_path):
    path, settings, store = hostile
    out = tmp_path / "radar.csv"
    result = run(path, "radar", "--format", "csv", "--include-rejected", "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")
    assert_no_live_formula(cells(text))
    exported = {r["name"] for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert "'=cmd|' /C calc'!A0" in exported and "''90s microlearning" in exported

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    fresh_config = write_config(fresh, '[database]\npath = "veille.db"\n')
    result = run(fresh_config, "radar", "import", str(out), "--note", "restore")
    assert result.exit_code == 0, result.output
    assert "0 rejected" in result.output
    original = {(c.name, c.status, c.description) for c in tools.list_tools(editor_ctx(settings, store))
                if c.status != "signal"}
    from config.settings import load_settings
    from watcher.db import open_store

    fresh_settings = load_settings(fresh_config)
    fresh_store = open_store(fresh_settings.database_path)
    try:
        copy = {(c.name, c.status, c.description) for c in tools.list_tools(editor_ctx(fresh_settings, fresh_store))}
    finally:
        fresh_store.close()
    assert copy == original
    assert {n for n, _s, _d in copy} >= set(HOSTILE_NAMES)  # exactly the names, apostrophes and all


def _download(app_test, monkeypatch, page: str) -> dict[str, bytes]:
    """Run `page` under AppTest and return what its CSV download buttons would send, by file name."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    sent: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if mimetype == "text/csv":
            data = path_or_data.encode("utf-8") if isinstance(path_or_data, str) else path_or_data
            sent[filename or "?"] = data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    at = app_test(page)
    assert not at.exception, [e.value for e in at.exception]
    return sent


@pytest.mark.parametrize(("page", "expected"), [("radar", "=cmd|' /C calc'!A0"), ("veille_log", "@At tool")])
def test_app_download_buttons(hostile, app_test, monkeypatch, tmp_path, page, expected):
    sent = _download(app_test, monkeypatch, page)
    assert sent, f"no CSV download button on {page}"
    for name, data in sent.items():
        file = tmp_path / Path(name).name
        file.write_bytes(data)
        with file.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert_no_live_formula(rows)
        assert expected in {csvsafe.restore(c) for row in rows for c in row}


def test_every_csv_writer_goes_through_the_helper():
    """A new CSV written with the csv module directly would bypass the neutralisation."""
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for package in ("watcher", "scoring", "ui", "config", "veille"):
        for file in (root / package).rglob("*.py"):
            if file.name == "csvsafe.py":
                continue
            text = file.read_text(encoding="utf-8")
            # the csv module's writers, or pandas' DataFrame.to_csv (veille_log.to_csv is ours and safe)
            for match in re.finditer(r"\bcsv\.(?:writer|DictWriter)\(|\b(?!veille_log\b|vlog\b)\w+\.to_csv\(", text):
                offenders.append(f"{file.relative_to(root)}: {match.group()}")
    assert not offenders, offenders
