"""Bad input gets one line and the right exit code, and nothing is half-done: config numbers (NaN, infinity,
out of range), OPML files, radar files and database paths, through the real `veille` CLI on real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT, write_config
from veille.cli import main


def run(config: Path, *args: str):
    return CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)


def one_line_error(result, *needles: str) -> str:
    """The CLI answered with exit code 2 and one line on stderr (no traceback) containing `needles`."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# --- config numbers -----------------------------------------------------------------------------

BAD_NUMBERS = [
    ("crawler", "timeout_seconds", "nan"), ("crawler", "timeout_seconds", "inf"),
    ("crawler", "timeout_seconds", "-inf"), ("crawler", "timeout_seconds", "-1"),
    ("crawler", "timeout_seconds", "0"), ("crawler", "connect_timeout_seconds", "+inf"),
    ("crawler", "read_timeout_seconds", "-0.5"), ("crawler", "max_backoff_hours", "nan"),
    ("crawler", "concurrency", "0"), ("crawler", "concurrency", "-4"), ("crawler", "per_host", "0"),
    ("crawler", "max_bytes", "0"), ("crawler", "max_bytes", "99_999_999_999_999"),
    ("crawler", "concurrency", "9223372036854775807"), ("crawler", "max_redirects", "1000"),
    ("scoring", "batch_size", "0"), ("scoring", "batch_size", "-64"), ("scoring", "cluster_threshold", "1.5"),
    ("scoring", "cluster_threshold", "-0.1"), ("scoring", "cluster_threshold", "nan"),
    ("scoring", "cluster_window_days", "0"), ("schedule", "crawl_every_minutes", "0"),
    ("schedule", "crawl_every_minutes", "-60"), ("schedule", "crawl_every_minutes", "100_000_000"),
    ("email", "smtp_port", "0"), ("email", "smtp_port", "65536"), ("email", "smtp_port", "-25"),
    ("email", "timeout_seconds", "inf"), ("retention", "max_age_days", "0"),
]


@pytest.mark.parametrize(("section", "key", "value"), BAD_NUMBERS)
def test_config_refuses_bad_numbers(tmp_path, section, key, value):
    config = write_config(tmp_path, f'[database]\npath = "veille.db"\n[{section}]\n{key} = {value}\n')
    line = one_line_error(run(config, "feeds", "list"), str(config), f"{section}.{key}")
    assert ("finite" in line) == (value.lstrip("+-") in ("nan", "inf"))
    assert not (tmp_path / "veille.db").exists()  # refused before anything was opened


@pytest.mark.parametrize("value", ["nan", "inf", "-0.01", "1.01"])
def test_config_refuses_recipient_min_score_out_of_range(tmp_path, value):
    config = write_config(tmp_path, f'[[email.recipients]]\naddress = "a@example.org"\nmin_score = {value}\n')
    one_line_error(run(config, "feeds", "list"), "email.recipients[0].min_score")


def test_config_accepts_the_edges(tmp_path):
    config = write_config(tmp_path, '[database]\npath = "veille.db"\n[crawler]\nconcurrency = 1\nper_host = 1\n'
                          'timeout_seconds = 0.5\n[scoring]\ncluster_threshold = 1.0\n[email]\nsmtp_port = 65535\n'
                          '[schedule]\ncrawl_every_minutes = 1\n')
    result = run(config, "feeds", "list", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_config_error_is_one_line_from_a_real_process(tmp_path):
    config = write_config(tmp_path, "[crawler]\nconcurrency = nan\n")
    proc = subprocess.run([sys.executable, "-m", "veille", "--config", str(config), "crawl"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "crawler.concurrency" in proc.stderr, proc.stderr


# --- OPML ---------------------------------------------------------------------------------------

GOOD_OUTLINES = ('<outline text="A" xmlUrl="https://a.example.org/feed"/>'
                 '<outline text="B" xmlUrl="https://b.example.org/feed"/>')


def opml(body: str = GOOD_OUTLINES, decl: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return f'{decl}<opml version="2.0"><head><title>t</title></head><body>{body}</body></opml>'.encode()


BAD_OPML = {
    "unknown-encoding": (opml(decl='<?xml version="1.0" encoding="klingon-8"?>'), "encoding"),
    "utf-7": (opml(decl='<?xml version="1.0" encoding="utf-7"?>'), "encoding"),
    "not-a-text-codec": (opml(decl='<?xml version="1.0" encoding="rot13"?>'), "encoding"),
    "idna": (opml(decl='<?xml version="1.0" encoding="idna"?>'), "encoding"),
    "ebcdic": (opml(decl='<?xml version="1.0" encoding="cp500"?>'), "XML"),
    "not-xml": (b"name,url\nA,https://a.example.org/feed\n", "not valid XML"),
    "binary": (bytes(range(256)) * 4, "not valid XML"),
    "empty": (b"", "not valid XML"),
    "truncated": (opml()[:-20], "not valid XML"),
    "html": (b"<html><body>" + GOOD_OUTLINES.encode() + b"</body></html>", "not an OPML document"),
    "too-large": (opml(GOOD_OUTLINES + "<!--" + "x" * 5_100_000 + "-->"), "larger than 5 MB"),
}


@pytest.fixture
def feeds_config(tmp_path):
    return write_config(tmp_path, '[database]\npath = "veille.db"\n')


def feed_urls(config: Path) -> list[str]:
    return [f["url"] for f in json.loads(run(config, "feeds", "list", "--json").stdout)]


@pytest.mark.parametrize("case", sorted(BAD_OPML))
def test_opml_import_refuses_bad_files_whole(feeds_config, tmp_path, case):
    data, needle = BAD_OPML[case]
    file = tmp_path / f"{case}.opml"
    file.write_bytes(data)
    one_line_error(run(feeds_config, "feeds", "import", str(file)), str(file), needle)
    assert feed_urls(feeds_config) == []  # nothing half-added


def test_opml_in_windows_1252_is_read(feeds_config, tmp_path):
    file = tmp_path / "cp1252.opml"
    file.write_bytes(opml('<outline text="Réalité virtuelle" xmlUrl="https://vr.example.org/feed"/>',
                          '<?xml version="1.0" encoding="windows-1252"?>').decode().encode("cp1252"))
    result = run(feeds_config, "feeds", "import", str(file))
    assert result.exit_code == 0, result.output
    listed = json.loads(run(feeds_config, "feeds", "list", "--json").stdout)
    assert [(f["url"], f["title"]) for f in listed] == [("https://vr.example.org/feed", "Réalité virtuelle")]


def test_opml_just_under_the_cap_is_imported(feeds_config, tmp_path):
    from watcher.opml import MAX_OPML_BYTES

    data = opml(GOOD_OUTLINES + "<!--" + "x" * (MAX_OPML_BYTES - 400) + "-->")
    assert len(data) <= MAX_OPML_BYTES
    file = tmp_path / "big.opml"
    file.write_bytes(data)
    result = run(feeds_config, "feeds", "import", str(file))
    assert result.exit_code == 0, result.output
    assert len(feed_urls(feeds_config)) == 2


def test_sources_page_service_refuses_bad_opml_whole(populated_store):
    from config.errors import ValidationError
    from tests.plugins.app import editor_ctx
    from ui.services import sources
    from watcher.store import feeds as feed_store

    _path, settings, store = populated_store
    before = feed_store.count_feeds(store)
    with pytest.raises(ValidationError, match="encoding"):
        sources.import_opml(editor_ctx(settings, store), BAD_OPML["unknown-encoding"][0], "upload.opml")
    with pytest.raises(ValidationError, match="5 MB"):
        sources.import_opml(editor_ctx(settings, store), BAD_OPML["too-large"][0], "upload.opml")
    assert feed_store.count_feeds(store) == before


# --- radar import -------------------------------------------------------------------------------

HEADER = "name,ring,quadrant,isNew,description\n"
GOOD_ROW = "Skills graph,assess,\"Platforms, data & compliance\",TRUE,a skills taxonomy\n"


def deep_json(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


BAD_RADAR = {
    "field-200k.csv": ((HEADER + GOOD_ROW + "Huge,trial,,FALSE," + "x" * 200 * 1024 + "\n").encode(), "longer than"),
    "field-50k.csv": ((HEADER + GOOD_ROW + "Big,trial,,FALSE," + "y" * 50_000 + "\n").encode(), "50000 characters"),
    "field-200k.json": (json.dumps([{"name": "Skills graph", "ring": "assess", "quadrant": ""},
                                    {"name": "Huge", "ring": "trial", "description": "x" * 200 * 1024}]).encode(),
                        "characters long"),
    "deep.json": (deep_json(100_000), "nested"),
    "deep-objects.json": (b'[{"a":' * 50_000 + b"1" + b"}]" * 50_000, "nested"),
    "missing-columns.csv": (b"title,status\nSkills graph,assess\n", "missing column(s) name, ring, quadrant"),
    "empty.csv": (b"", "missing column(s)"),
    "nul.csv": (HEADER.encode() + b"Skills\x00graph,assess,,TRUE,x\n", "NUL characters"),
    "utf16-no-bom.csv": ((HEADER + GOOD_ROW).encode("utf-16-le"), "NUL characters"),
    "not-a-list.json": (b'{"name": "x"}', "expected a list"),
    "broken.json": (b'[{"name": "x",', "invalid at line"),
    "undecodable.csv": (HEADER.encode() + b"Caf\x81 tool,trial,,FALSE,x\n", "neither UTF-8 nor Windows-1252"),
    "too-large.csv": ((HEADER + GOOD_ROW * 80_000).encode(), "larger than 5 MB"),
}


@pytest.fixture
def radar_db(tmp_path):
    config = write_config(tmp_path, '[database]\npath = "veille.db"\n')
    return config


def register_names(config: Path) -> set[str]:
    return {t["name"] for t in json.loads(run(config, "tools", "list", "--json").stdout)}


@pytest.mark.parametrize("name", sorted(BAD_RADAR))
def test_radar_import_refuses_bad_files_whole(radar_db, tmp_path, name):
    data, needle = BAD_RADAR[name]
    file = tmp_path / name
    file.write_bytes(data)
    one_line_error(run(radar_db, "radar", "import", str(file)), needle)
    assert register_names(radar_db) == set()  # not even the good first row


def test_radar_import_reads_excel_windows_1252_with_semicolons(radar_db, tmp_path):
    """French Excel's "CSV (séparateur : point-virgule)": cp1252 bytes, `;` between fields."""
    text = ("name;ring;quadrant;isNew;description\r\n"
            "Réalité virtuelle sécurité;trial;Immersive (VR/AR/metaverse);TRUE;Casques « VR » – entrepôt\r\n"
            "'=Formule;assess;;FALSE;€ budget\r\n")
    file = tmp_path / "excel.csv"
    file.write_bytes(text.encode("cp1252"))
    result = run(radar_db, "radar", "import", str(file))
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output and "0 rejected" in result.output
    tools = {t["name"]: t for t in json.loads(run(radar_db, "tools", "list", "--json").stdout)}
    assert set(tools) == {"Réalité virtuelle sécurité", "=Formule"}
    assert tools["Réalité virtuelle sécurité"]["status"] == "trial"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_radar_import_reads_unicode_files(radar_db, tmp_path, encoding):
    file = tmp_path / "radar.csv"
    file.write_bytes((HEADER + "Réalité virtuelle,hold,,FALSE,été\n").encode(encoding))
    result = run(radar_db, "radar", "import", str(file))
    assert result.exit_code == 0, result.output
    assert register_names(radar_db) == {"Réalité virtuelle"}


def test_radar_import_bad_rows_are_reported_one_line_each_and_the_rest_imported(radar_db, tmp_path):
    file = tmp_path / "rows.csv"
    file.write_bytes((HEADER + GOOD_ROW + "Other,nowhere,,FALSE,x\n,trial,,FALSE,no name\n").encode())
    result = run(radar_db, "radar", "import", str(file))
    assert result.exit_code == 0, result.output
    assert "1 created" in result.stdout and "2 rejected" in result.stdout
    assert len(result.stderr.strip().splitlines()) == 2 and "unknown ring 'nowhere'" in result.stderr
    assert register_names(radar_db) == {"Skills graph"}


# --- database paths -----------------------------------------------------------------------------


def bad_db_paths(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("these are notes, not a database\n" * 100, encoding="utf-8")
    parent_file = tmp_path / "plain-file"
    parent_file.write_text("x", encoding="utf-8")
    return {
        "a directory": str(folder),
        "not sqlite": str(not_sqlite),
        "under a file": str(parent_file / "veille.db"),
        "unwritable place": "/proc/veille-test/veille.db",  # not creatable, even as root
        "unwritable file": "/proc/version",
    }


@pytest.mark.parametrize("case", ["a directory", "not sqlite", "under a file", "unwritable place",
                                  "unwritable file"])
def test_database_path_that_cannot_be_opened(tmp_path, case):
    db_path = bad_db_paths(tmp_path)[case]
    config = write_config(tmp_path, f'[database]\npath = "{db_path}"\n')
    for args in (("feeds", "list"), ("tools", "list"), ("export", "--format", "csv")):
        line = one_line_error(run(config, *args), "cannot open database")
        assert Path(db_path).name in line


def test_database_error_is_one_line_from_a_real_process(tmp_path):
    db_path = bad_db_paths(tmp_path)["not sqlite"]
    config = write_config(tmp_path, f'[database]\npath = "{db_path}"\n')
    proc = subprocess.run([sys.executable, "-m", "veille", "--config", str(config), "feeds", "list"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"Error: {db_path}: cannot open database (file is not a database)"
    assert Path(db_path).read_text(encoding="utf-8").startswith("these are notes")  # left untouched
