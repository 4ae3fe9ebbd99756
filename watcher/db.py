"""The one owner of the database: connection, schema and migrations.

No DDL lives anywhere else. Every other module gets a :class:`Store` from :func:`open_store` and
writes inside ``store.write()`` which starts with ``BEGIN IMMEDIATE`` (plain deferred transactions
from two processes gave "database is locked" despite busy_timeout on these machines).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from config.errors import DatabasePathError, StoreError
from watcher.imports import import_without

if TYPE_CHECKING:
    import sqlite_utils

CACHE_KB = 65536
BUSY_TIMEOUT_MS = 30_000
MIGRATION_SET = "veille"


class _MigrationRegistry:
    """Collects the migration functions in order; hands them to sqlite-utils `Migrations` when needed.

    Importing sqlite-utils costs ~0.6 s here (it imports pandas when installed), so an up-to-date
    database is checked with one plain query and sqlite-utils is loaded only when a migration is pending.
    """

    def __init__(self) -> None:
        self.functions: list = []

    def __call__(self):
        def register(fn):
            self.functions.append(fn)
            return fn

        return register

    def pending_names(self, conn: sqlite3.Connection) -> list[str]:
        try:
            rows = conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,)
            ).fetchall()
        except sqlite3.OperationalError:  # no migrations table yet: a new database
            rows = []
        applied = {row[0] for row in rows}
        return [fn.__name__ for fn in self.functions if fn.__name__ not in applied]

    def apply(self, db: sqlite_utils.Database) -> None:
        import_sqlite_utils()
        from sqlite_utils.migrations import Migrations

        migration_set = Migrations(MIGRATION_SET)
        for fn in self.functions:
            migration_set()(fn)
        migration_set.apply(db)


migrations = _MigrationRegistry()


def import_sqlite_utils():
    """sqlite-utils without pandas and numpy: veille uses it for migrations only (see watcher.imports)."""
    return import_without("sqlite_utils", ("pandas", "numpy"))


def _run(db: sqlite_utils.Database, script: str) -> None:
    """Execute a DDL script statement by statement (executescript would commit the migration early)."""
    buffer = ""
    for line in (script.strip() + ";").splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            db.execute(buffer)
            buffer = ""


@migrations()
def m001_watcher(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    site TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    topics TEXT NOT NULL DEFAULT '[]',
    etag TEXT,
    last_modified TEXT,
    last_fetched TEXT,
    last_status TEXT NOT NULL DEFAULT 'new',
    http_status INTEGER,
    next_check TEXT,
    error_count INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    warning TEXT,
    moved_to TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    added_at TEXT NOT NULL
);
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    url TEXT,
    title TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    published TEXT NOT NULL,
    updated TEXT,
    language TEXT NOT NULL DEFAULT '',
    content_html TEXT NOT NULL DEFAULT '',
    summary_text TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    cluster_id TEXT
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_feed ON articles(feed_id);
CREATE INDEX articles_url ON articles(url);
CREATE INDEX articles_cluster ON articles(cluster_id);
CREATE TABLE entries (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    entry_key TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    url TEXT,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (feed_id, entry_key)
);
CREATE INDEX entries_article ON entries(article_id);
CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    trigger TEXT NOT NULL DEFAULT 'cli',
    feeds INTEGER NOT NULL DEFAULT 0,
    ok INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    new_articles INTEGER NOT NULL DEFAULT 0,
    updated_articles INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE fetch_log (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES crawl_runs(id) ON DELETE CASCADE,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    http_status INTEGER,
    new_articles INTEGER NOT NULL DEFAULT 0,
    updated_articles INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    duration_ms INTEGER
);
CREATE INDEX fetch_log_feed ON fetch_log(feed_id, at);
CREATE TABLE tombstones (
    url TEXT PRIMARY KEY,
    article_id TEXT,
    removed_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, summary_text, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, summary_text) VALUES (new.rowid, new.title, new.summary_text);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary_text)
        VALUES ('delete', old.rowid, old.title, old.summary_text);
END;
CREATE TRIGGER articles_au AFTER UPDATE OF title, summary_text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary_text)
        VALUES ('delete', old.rowid, old.title, old.summary_text);
    INSERT INTO articles_fts(rowid, title, summary_text) VALUES (new.rowid, new.title, new.summary_text);
END
""",
    )


@migrations()
def m002_scoring(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """
CREATE TABLE embeddings (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (article_id, model)
);
CREATE TABLE scores (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    profile_key TEXT NOT NULL,
    score REAL NOT NULL,
    why TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (article_id, profile_key)
);
CREATE INDEX scores_profile ON scores(profile_key, score DESC);
CREATE TABLE article_topics (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    topic_key TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (article_id, topic_key)
);
CREATE INDEX article_topics_topic ON article_topics(topic_key);
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    profile_key TEXT NOT NULL,
    label INTEGER NOT NULL CHECK (label IN (-1, 1)),
    user TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (article_id, profile_key)
);
CREATE TABLE scoring_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
""",
    )


@migrations()
def m003_boards(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """
CREATE TABLE article_state (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    read_at TEXT,
    saved_at TEXT
);
CREATE TABLE tools (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind TEXT NOT NULL DEFAULT 'tool',
    description TEXT NOT NULL DEFAULT '',
    quadrant TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'signal',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE TABLE tool_history (
    id INTEGER PRIMARY KEY,
    tool_id INTEGER NOT NULL REFERENCES tools(id),
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    change TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    rationale TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX tool_history_tool ON tool_history(tool_id, at);
CREATE TRIGGER tool_history_no_update BEFORE UPDATE ON tool_history BEGIN
    SELECT RAISE(ABORT, 'tool history is append-only');
END;
CREATE TRIGGER tool_history_no_delete BEFORE DELETE ON tool_history BEGIN
    SELECT RAISE(ABORT, 'tool history is append-only');
END;
CREATE TABLE tool_scores (
    tool_id INTEGER NOT NULL REFERENCES tools(id),
    criterion TEXT NOT NULL,
    score INTEGER CHECK (score BETWEEN 0 AND 3),
    note TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tool_id, criterion)
);
CREATE TABLE tool_evidence (
    tool_id INTEGER NOT NULL REFERENCES tools(id),
    article_id TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tool_id, article_id)
);
CREATE TABLE profile_overrides (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    interests TEXT NOT NULL DEFAULT '[]',
    avoid TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
)
""",
    )


@migrations()
def m004_service(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """
CREATE TABLE digest_sends (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    frequency TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    story_ids TEXT NOT NULL DEFAULT '[]',
    message_id TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX digest_sends_recipient ON digest_sends(recipient, status);
CREATE TABLE digest_stories (
    recipient TEXT NOT NULL,
    story_id TEXT NOT NULL,
    send_id INTEGER NOT NULL REFERENCES digest_sends(id),
    PRIMARY KEY (recipient, story_id)
);
CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY,
    job TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    counts TEXT NOT NULL DEFAULT '{}',
    error TEXT
);
CREATE INDEX job_runs_job ON job_runs(job, started)
""",
    )


@migrations()
def m005_service_digest_message(db: sqlite_utils.Database) -> None:
    """Keep the exact bytes of each digest so a resumed send repeats it with the same Message-ID."""
    _run(
        db,
        """
ALTER TABLE digest_sends ADD COLUMN message BLOB;
ALTER TABLE digest_sends ADD COLUMN language TEXT NOT NULL DEFAULT '';
CREATE INDEX job_runs_started ON job_runs(started)
""",
    )


@migrations()
def m006_boards_scorecard_indexes(db: sqlite_utils.Database) -> None:
    """Structured scorecard details; indexes so the digest ranks from an index whatever the table size."""
    _run(
        db,
        """
ALTER TABLE tool_scores ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
CREATE INDEX scores_score ON scores(score DESC);
CREATE INDEX articles_language ON articles(language);
CREATE INDEX tool_history_at ON tool_history(at)
""",
    )


@migrations()
def m007_scoring_progress(db: sqlite_utils.Database) -> None:
    """Which stored articles have had topics (for a topic-set signature) and clustering done, crash-safe."""
    _run(
        db,
        """
CREATE TABLE scoring_progress (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    topics_sig TEXT NOT NULL DEFAULT '',
    clustered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX scoring_progress_clustered ON scoring_progress(clustered);
CREATE INDEX embeddings_model ON embeddings(model);
CREATE INDEX feedback_profile ON feedback(profile_key)
""",
    )


@migrations()
def m008_boards_state_per_user(db: sqlite_utils.Database) -> None:
    """Read/saved state per signed-in user (one viewer's clicks no longer change what others see).

    The state recorded before this migration was shared by everyone; it goes to the local single user
    (`local`, the account of the app without an auth file), so nothing is lost: retention still keeps
    those saved articles, and a user named `local` in the users file sees them again.
    """
    _run(
        db,
        """
CREATE TABLE article_state_per_user (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    user TEXT NOT NULL DEFAULT 'local',
    read_at TEXT,
    saved_at TEXT,
    PRIMARY KEY (article_id, user)
);
INSERT INTO article_state_per_user (article_id, user, read_at, saved_at)
    SELECT article_id, 'local', read_at, saved_at FROM article_state
    WHERE read_at IS NOT NULL OR saved_at IS NOT NULL;
DROP TABLE article_state;
ALTER TABLE article_state_per_user RENAME TO article_state;
CREATE INDEX article_state_user ON article_state(user, saved_at)
""",
    )


@migrations()
def m009_runs_interrupted(db: sqlite_utils.Database) -> None:
    """Crawl runs get a status; a crawl or job run left `running` by a process that died is marked
    `interrupted` (with when that was found) at the next start of a crawl (crawl runs) or of the
    scheduler (job runs). `pid` is the process that ran it, for messages only."""
    _run(
        db,
        """
ALTER TABLE crawl_runs ADD COLUMN status TEXT NOT NULL DEFAULT 'running';
UPDATE crawl_runs SET status = 'ok' WHERE finished IS NOT NULL;
ALTER TABLE crawl_runs ADD COLUMN interrupted_at TEXT;
ALTER TABLE crawl_runs ADD COLUMN pid INTEGER;
ALTER TABLE job_runs ADD COLUMN interrupted_at TEXT;
ALTER TABLE job_runs ADD COLUMN pid INTEGER;
CREATE INDEX crawl_runs_status ON crawl_runs(status);
CREATE INDEX job_runs_status ON job_runs(status)
""",
    )


@migrations()
def m010_feeds_kind(db: sqlite_utils.Database) -> None:
    """Each feed has a kind of source (config.settings.SOURCE_KINDS); feeds stored before it are 'unknown'
    until the config, an OPML import or the user says otherwise."""
    _run(db, "ALTER TABLE feeds ADD COLUMN kind TEXT NOT NULL DEFAULT 'unknown'")


@migrations()
def m011_review_dossier(db: sqlite_utils.Database) -> None:
    """A card's aliases (other names an article may use: the dossier finds it by them too), and the DLM's
    corrections of an article's stance towards a card, which win over the reading of its words."""
    _run(
        db,
        """
ALTER TABLE tools ADD COLUMN aliases TEXT NOT NULL DEFAULT '[]';
CREATE TABLE stance_corrections (
    tool_id INTEGER NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL,
    stance TEXT NOT NULL CHECK (stance IN ('promotional', 'neutral', 'critical')),
    corrected_by TEXT NOT NULL DEFAULT '',
    corrected_at TEXT NOT NULL,
    PRIMARY KEY (tool_id, article_id)
)
""",
    )


@migrations()
def m012_review_trials(db: sqlite_utils.Database) -> None:
    """Managed trials (owner, review date, success criteria: a KPI and the LTEM level targeted, the learner
    profiles concerned; when closed, the outcome against them) and documents attached to a card by URL."""
    _run(
        db,
        """
CREATE TABLE trials (
    id INTEGER PRIMARY KEY,
    tool_id INTEGER NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
    owner TEXT NOT NULL,
    review_on TEXT NOT NULL,
    kpi TEXT NOT NULL,
    ltem_target INTEGER NOT NULL CHECK (ltem_target BETWEEN 1 AND 8),
    profiles TEXT NOT NULL DEFAULT '[]',
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL DEFAULT '',
    closed_at TEXT,
    closed_by TEXT,
    outcome TEXT CHECK (outcome IN ('met', 'partly', 'not_met')),
    result TEXT
);
CREATE INDEX trials_open ON trials(closed_at, review_on);
CREATE TABLE tool_documents (
    id INTEGER PRIMARY KEY,
    tool_id INTEGER NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL DEFAULT '',
    UNIQUE (tool_id, url)
)
""",
    )


@migrations()
def m013_errors_as_messages(db: sqlite_utils.Database) -> None:
    """A feed's last error and a failed job run's error also kept as a catalogue message (JSON, see
    config.errors.message_json), so the app words them in its reader's language; rows from before keep
    their English text only (NULL here)."""
    _run(
        db,
        """
ALTER TABLE feeds ADD COLUMN last_error_message TEXT;
ALTER TABLE job_runs ADD COLUMN error_message TEXT
""",
    )


class Store:
    """A connection to the veille database with a write-transaction helper.

    Reads can run at any time; writes go through :meth:`write`. One Store per thread.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._lock = threading.RLock()

    @property
    def db(self) -> sqlite_utils.Database:
        """A sqlite-utils view of the same connection (imported lazily: it is slow to import)."""
        if self._db is None:
            self._db = import_sqlite_utils().Database(self.conn)
        return self._db

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error."""
        with self._lock:
            if self.conn.in_transaction:  # nested: join the outer transaction
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | list | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple | list | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: tuple | list | dict = ()):
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(path: Path | str, *, check_same_thread: bool = True) -> sqlite3.Connection:
    path = Path(path)
    try:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
            check_same_thread=check_same_thread,
        )
    except (sqlite3.Error, OSError) as exc:
        raise DatabasePathError(f"{path}: cannot open database ({_reason(exc)})", key="err.db.open", path=str(path),
                                detail=_reason(exc)) from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")  # the first read: "file is not a database" shows here
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # 64 MB of page cache (the default is 2 MB): rescoring a profile updates its rows in the score indexes
        # in random order, which thrashes a small cache (100k rows: 2.0 s → 0.7 s, bench/bench_scoring.py)
        conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")
    except sqlite3.Error as exc:
        conn.close()
        if _is_busy(exc):
            raise StoreError(f"{path}: cannot open database ({exc})", key="err.db.open", path=str(path),
                             detail=str(exc)) from None
        raise DatabasePathError(f"{path}: cannot open database ({_reason(exc)})", key="err.db.open", path=str(path),
                                detail=_reason(exc)) from None
    return conn


def analyze(store: Store) -> None:
    """Refresh SQLite's planner statistics (ANALYZE): after a bulk load, so the index choices match the data."""
    with store.write() as conn:
        conn.execute("ANALYZE")


def tune_for_reads(conn: sqlite3.Connection, *, cache_kib: int, mmap_bytes: int) -> None:
    """A bigger page cache (`cache_kib` KiB) and memory-mapped reads (up to `mmap_bytes`) for one connection."""
    conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
    conn.execute(f"PRAGMA mmap_size = {int(mmap_bytes)}")


def _is_busy(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _reason(exc: BaseException) -> str:
    """One short line: the OS message without the repeated path, or SQLite's own."""
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return "a parent of the path is a file, not a folder"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


@contextmanager
def _migration_lock(path: Path) -> Iterator[None]:
    """Serialise migrations between processes opening a new database at the same time."""
    if str(path) == ":memory:":
        yield
        return
    import fcntl

    with open(f"{path}.migrate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_store(path: Path | str, *, check_same_thread: bool = True) -> Store:
    """Open (creating if needed) the database at `path` and apply pending migrations."""
    conn = connect(path, check_same_thread=check_same_thread)
    store = Store(Path(path), conn)
    try:
        if migrations.pending_names(conn):
            with _migration_lock(Path(path)):
                migrations.apply(store.db)  # re-checks pending under the lock
    except sqlite3.Error as exc:
        conn.close()
        if isinstance(exc, sqlite3.DatabaseError) and not _is_busy(exc) and (
                "not a database" in str(exc) or "readonly" in str(exc) or "unable to open" in str(exc)):
            raise DatabasePathError(f"{path}: cannot open database ({_reason(exc)})", key="err.db.open", path=str(path),
                                detail=_reason(exc)) from None
        raise StoreError(f"{path}: cannot migrate database ({exc})", key="err.db.migrate", path=str(path),
                         detail=str(exc)) from None
    except OSError as exc:  # the migration lock file next to the database cannot be created
        conn.close()
        raise DatabasePathError(f"{path}: cannot open database ({_reason(exc)})", key="err.db.open", path=str(path),
                                detail=_reason(exc)) from None
    return store
