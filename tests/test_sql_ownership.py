"""Every SQL statement lives in watcher/store/ (and the DDL in watcher/db.py): product code outside holds none.

The check reads the source (ast): every string literal (f-strings with their placeholders as `{}`) that holds a
statement — SELECT … FROM, INSERT/REPLACE INTO, UPDATE … SET, DELETE FROM, CREATE TABLE/INDEX/…, PRAGMA — counts
once. No package holds any outside watcher/store/ and watcher/db.py, and tests/ and bench/ read and write rows
through the store too, except the few statements marked as fabricating a state or reading the raw schema.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "scoring", "ui", "veille", "demo", "watcher")
OWNERS = ("watcher/store/", "watcher/db.py")  # the only places SQL may live
CLEAN = ("scoring",)  # packages already without SQL: they must stay so
# SQL statements still outside watcher/store/: the migration to watcher/store/ is done (the story listing was the
# last, now watcher.store.stories); never raise it.
SQL_OUTSIDE_STORE_MAX = 0

SQL = re.compile(
    r"""\b(?:
          SELECT\b.*?\bFROM\b
        | SELECT\s+(?:\d|\*|\w+\()
        | (?:INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO\b
        | UPDATE\s+\w+\s+SET\b
        | DELETE\s+FROM\b
        | CREATE\s+(?:(?:UNIQUE|VIRTUAL|TEMP|TEMPORARY)\s+)*(?:TABLE|INDEX|VIEW|TRIGGER)\b
        | PRAGMA\s+\w+
        | ^\s*(?:ANALYZE|VACUUM)\b
    )""",
    re.X | re.S | re.M,
)


def literals(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every string literal; an f-string is one literal, its placeholders shown as `{}`."""
    return [(first, text) for first, _last, text in _spans(tree)]


def statements(path: Path) -> list[tuple[int, str]]:
    """(line, start of the literal) of every string literal of the file holding an SQL statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [(line, " ".join(text.split())[:80]) for line, text in literals(tree) if SQL.search(text)]


def sql_outside_store(root: Path = ROOT) -> dict[str, list[tuple[int, str]]]:
    """Product files outside watcher/store/ and watcher/db.py → their SQL statements (files without left out)."""
    out = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel.startswith(OWNERS):
                continue
            found = statements(path)
            if found:
                out[rel] = found
    return out


def test_scoring_holds_no_sql():
    found = sql_outside_store()
    leaks = [f"{rel}:{line}: {text}" for rel, items in found.items() if rel.startswith(tuple(p + "/" for p in CLEAN))
             for line, text in items]
    assert not leaks, "SQL belongs in watcher/store/:\n" + "\n".join(leaks)


def test_watcher_holds_no_sql_outside_the_store():
    """watcher/ keeps its statements in watcher/store/ (per entity) and its DDL in watcher/db.py, nowhere else."""
    found = sql_outside_store()
    leaks = [f"{rel}:{line}: {text}" for rel, items in found.items() if rel.startswith("watcher/")
             for line, text in items]
    assert not leaks, "SQL belongs in watcher/store/:\n" + "\n".join(leaks)


def test_sql_outside_the_store_only_goes_down(record_property):
    found = sql_outside_store()
    counts = {rel: len(items) for rel, items in found.items()}
    for rel, n in counts.items():
        print(f"{n:4d}  {rel}")
        record_property(rel, n)
    total = sum(counts.values())
    assert total <= SQL_OUTSIDE_STORE_MAX, (
        f"{total} SQL statements outside watcher/store/ (at most {SQL_OUTSIDE_STORE_MAX}): move the new ones into "
        f"watcher/store/\n" + "\n".join(f"{n:4d}  {rel}" for rel, n in counts.items()))
    # the migration moved some: lower SQL_OUTSIDE_STORE_MAX to `total` so they cannot come back


def test_the_scanner_finds_a_statement(tmp_path):
    """The check itself can fail: statements in plain, implicitly joined and f-strings are found, prose is not."""
    pkg = tmp_path / "scoring"
    pkg.mkdir()
    (pkg / "bad.py").write_text(
        'def f(store, ids):\n'
        '    """Select the best articles from the store, then update them."""\n'
        '    marks = ",".join("?" * len(ids))\n'
        '    store.query("SELECT id "\n'
        '                "FROM articles")\n'
        '    store.query(f"DELETE FROM scores WHERE article_id IN ({marks})", ids)\n'
        '    return "INSERT OR IGNORE INTO feeds(url) VALUES (?)", "PRAGMA journal_mode = WAL"\n',
        encoding="utf-8")
    (tmp_path / "watcher" / "store").mkdir(parents=True)
    (tmp_path / "watcher" / "store" / "ok.py").write_text('SQL = "UPDATE feeds SET title = ?"\n', encoding="utf-8")
    (tmp_path / "watcher" / "db.py").write_text('DDL = "CREATE TABLE t (x)"\n', encoding="utf-8")
    found = sql_outside_store(tmp_path)
    assert list(found) == ["scoring/bad.py"]
    assert [line for line, _ in found["scoring/bad.py"]] == [4, 6, 7, 7]


# --- tests and benchmarks read and write through the store -------------------------------------------------

TEST_DIRS = ("tests", "bench")
SELF = "tests/test_sql_ownership.py"
FABRICATES = "# sql: fabricates"  # a test making a state the product never writes (a backdated stamp, a bad value)
SCHEMA = "# sql: schema"  # a test reading the storage layer's own physical schema (its temp counters, a raw dump)
# statements in tests/ and bench/ on no marked line: tests seed, change and read rows through watcher/store/ and
# the services; a write may only be marked FABRICATES, a read FABRICATES or SCHEMA. Never raise it.
TEST_SQL_MAX = 0

WRITE = re.compile(r"\b(?:(?:INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b)", re.S)


def _spans(tree: ast.AST) -> list[tuple[int, int, str]]:
    """(first line, last line, text) of every string literal; an f-string is one, its placeholders as `{}`."""
    found, parts_of_fstrings = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = ""
            for part in node.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    parts_of_fstrings.add(id(part))
                    text += part.value
                else:
                    text += "{}"
            found.append((node.lineno, node.end_lineno or node.lineno, text))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts_of_fstrings:
            found.append((node.lineno, node.end_lineno or node.lineno, node.value))
    return sorted(found)


def _marked_lines(source: str, markers: tuple[str, ...] = (FABRICATES,)) -> set[int]:
    """Lines carrying a comment starting with one of `markers` (a real comment, not text inside a string)."""
    return {tok.start[0] for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT and tok.string.startswith(markers)}


def sql_in_tests(root: Path = ROOT) -> dict[str, list[tuple[int, str]]]:
    """Files of tests/ and bench/ → their SQL statements not covered by a marker (files without left out): a row
    write needs `# sql: fabricates`, any other statement `# sql: fabricates` or `# sql: schema`. A literal
    spanning several lines is marked by the comment on any of them."""
    out = {}
    for folder in TEST_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel == SELF:
                continue
            source = path.read_text(encoding="utf-8")
            fabricated = _marked_lines(source)
            any_marker = _marked_lines(source, (FABRICATES, SCHEMA))
            found = []
            for first, last, text in _spans(ast.parse(source, rel)):
                if not SQL.search(text):
                    continue
                lines = set(range(first, last + 1))
                if not (fabricated if WRITE.search(text) else any_marker) & lines:
                    found.append((first, " ".join(text.split())[:80]))
            if found:
                out[rel] = found
    return out


def test_tests_read_and_write_through_the_store(record_property):
    found = sql_in_tests()
    counts = {rel: len(items) for rel, items in found.items()}
    for rel, n in counts.items():
        print(f"{n:4d}  {rel}")
        record_property(rel, n)
    total = sum(counts.values())
    assert total <= TEST_SQL_MAX, (
        f"{total} SQL statements in tests/ and bench/ (at most {TEST_SQL_MAX}): read and write through "
        f"watcher/store/ or the services, or mark a deliberately fabricated state `{FABRICATES} <what>` (a read of "
        f"the storage layer's own schema `{SCHEMA} <why>`)\n"
        + "\n".join(f"{rel}:{line}: {text}" for rel, items in found.items() for line, text in items))


def test_the_test_scanner_finds_reads_and_writes(tmp_path):
    """Reads and writes in plain, joined and f-strings count; marked ones do not, but a write marked only as a
    schema read still counts; the scanner itself is skipped."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "bench").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(
        'def f(db, t):\n'
        '    db.execute("SELECT id FROM articles")\n'
        '    db.execute("UPDATE articles "\n'
        '               "SET title = ?", ("x",))\n'
        '    db.execute(f"DELETE FROM {t}")\n'
        '    db.execute("INSERT OR REPLACE INTO state VALUES (1)")  # sql: fabricates a stale state\n'
        '    db.execute("UPDATE feeds SET url = ?",  # sql: fabricates a bad URL\n'
        '               ("x",))\n'
        '    db.execute("SELECT count(*) FROM temp_writes")  # sql: schema the test\'s own counter\n'
        '    db.execute("DELETE FROM feeds")  # sql: schema is no excuse for a write\n'
        '    return "# sql: fabricates", "REPLACE INTO state VALUES (2)"\n',
        encoding="utf-8")
    (tmp_path / "bench" / "b.py").write_text('ROWS = """INSERT INTO feeds (url)\n    VALUES (?)"""\n'
                                             'def f(conn):\n    conn.execute("ANALYZE")\n'
                                             '    return "Analyze the results"\n', encoding="utf-8")
    (tmp_path / "tests" / "test_sql_ownership.py").write_text('X = "DELETE FROM feeds"\n', encoding="utf-8")
    found = sql_in_tests(tmp_path)
    assert list(found) == ["tests/test_x.py", "bench/b.py"]
    assert [line for line, _ in found["tests/test_x.py"]] == [2, 3, 5, 10, 11]
    assert [line for line, _ in found["bench/b.py"]] == [1, 4]
