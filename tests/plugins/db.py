"""A database as an older veille left it: the migrations before one, applied to a new file."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def database_before(path: Path, migration: str) -> sqlite3.Connection:
    """An open connection to a new database at `path` with every migration before `migration` (its function's
    name, e.g. "m013_errors_as_messages") applied; the caller fills it as that version would have, then closes it."""
    from watcher import db as dbm

    names = [f.__name__ for f in dbm.migrations.functions]
    old = dbm._MigrationRegistry()
    old.functions = dbm.migrations.functions[:names.index(migration)]
    conn = dbm.connect(path)
    old.apply(dbm.import_sqlite_utils().Database(conn))
    return conn
