"""Roles mean it (issue 9, item 6): read/saved state is per user, a viewer's writes are refused by the service
layer, sign-in is throttled, a short cookie key is refused; and (item 5) a malformed users file or an unwritable
auth path is one line, exit 2, nothing lost."""

from __future__ import annotations

import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from config.errors import ConfigError, PermissionDenied
from tests.plugins.app import editor_ctx, viewer_ctx
from tests.plugins.app_ui import EDITOR, PASSWORD, VIEWER
from ui.auth import THROTTLE, LoginThrottle, add_user
from ui.services import profiles, radar, sources, stories, tools
from ui.services.records import DigestFilter
from veille.cli import main
from watcher.store import articles as article_store
from watcher.store import feeds as feed_store
from watcher.store import scores as score_store
from watcher.store import stories as story_store

ROOT = Path(__file__).resolve().parents[1]
AUTH = '[ui]\nauth_file = "users.yaml"\n'
GOOD_KEY = "k" * 32


def run(config, *args, env=None):
    return CliRunner().invoke(main, ["--config", str(config), *args], env=env)


def shown(elements) -> list[str]:
    """What the user reads in error boxes (Markdown escapes and word joiners of ui.safe removed)."""
    return [re.sub(r"\\(.)", r"\1", e.value).replace("\u2060", "") for e in elements]


def one_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


# --- read/saved state per user ---------------------------------------------------------------------------


def test_migration_gives_the_shared_state_to_the_local_user(tmp_path):
    """A database from before per-user state keeps every read/saved mark, now owned by `local`."""
    from tests.plugins.db import database_before
    from watcher.db import open_store

    path = tmp_path / "old.db"
    conn = database_before(path, "m008_boards_state_per_user")
    conn.execute("INSERT INTO feeds (id, url, added_at) "  # sql: fabricates a database from before m008
                 "VALUES (1, 'https://f.example.org/', '2025-01-01')")
    for aid in ("a1", "a2", "a3"):
        conn.execute("INSERT INTO articles "  # sql: fabricates a database from before m008
                     "(id, feed_id, published, content_hash, first_seen, last_changed) "
                     "VALUES (?, 1, '2025-01-01', 'h', '2025-01-01', '2025-01-01')", (aid,))
    conn.execute("INSERT INTO article_state "  # sql: fabricates a database from before m008
                 "VALUES ('a1', '2025-01-02T00:00:00Z', NULL)")
    conn.execute("INSERT INTO article_state "  # sql: fabricates a database from before m008
                 "VALUES ('a2', NULL, '2025-01-03T00:00:00Z')")
    conn.execute("INSERT INTO article_state "  # sql: fabricates a database from before m008
                 "VALUES ('a3', NULL, NULL)")  # nothing to keep
    conn.close()

    with open_store(path) as store:
        rows = [(r.article_id, r.user, r.read_at, r.saved_at) for r in story_store.state_rows(store)]
        assert rows == [("a1", "local", "2025-01-02T00:00:00Z", None), ("a2", "local", None, "2025-01-03T00:00:00Z")]
        with pytest.raises(sqlite3.IntegrityError):  # one row per (article, user)
            store.conn.execute(
                "INSERT INTO article_state (article_id, user) VALUES ('a1', 'local')")  # sql: fabricates a duplicate


def test_read_and_saved_are_per_user_and_retention_keeps_anyones_saved(populated_store):
    from watcher.retention import prune

    _path, settings, store = populated_store
    editor, viewer = editor_ctx(settings, store), viewer_ctx(settings, store)
    flt = DigestFilter(profile="managers", unread_only=True, page_size=20)
    card = stories.list_stories(editor, flt).stories[0]
    editor_saved = {c.cluster_id for c in stories.list_stories(editor, DigestFilter(saved_only=True,
                                                                                    page_size=100)).stories}

    stories.mark_read(viewer, card.article_id)
    assert stories.toggle_saved(viewer, card.article_id) is True
    assert stories.get_story(viewer, card.article_id).read and stories.get_story(viewer, card.article_id).saved
    # the editor's view did not move: still unread, not saved, same saved list
    assert not stories.get_story(editor, card.article_id).read
    assert not stories.get_story(editor, card.article_id).saved
    assert card.cluster_id in {c.cluster_id for c in stories.list_stories(editor, flt).stories}
    assert {c.cluster_id for c in stories.list_stories(editor, DigestFilter(saved_only=True, page_size=100)).stories
            } == editor_saved
    assert card.cluster_id not in {c.cluster_id for c in stories.list_stories(viewer, flt).stories}

    # the editor saves and unsaves the same article: the viewer's saved mark stays
    assert stories.toggle_saved(editor, card.article_id) is True
    assert stories.toggle_saved(editor, card.article_id) is False
    assert stories.get_story(viewer, card.article_id).saved

    # retention keeps an article saved by anybody (here only the viewer)
    published = score_store.published(store, card.article_id)
    assert published is not None
    from datetime import datetime

    far = datetime.fromisoformat(published) + timedelta(days=settings.retention.max_age_days + 400)
    summary = prune(settings, store, now=far)
    assert summary.pruned > 0
    assert story_store.find(store, card.article_id) is not None


def _fingerprint(store) -> dict:
    """Every column of every row of the shared tables, in rowid order: a write by any path shows up."""
    tables = ("feeds", "articles", "feedback", "tools", "tool_history", "tool_scores", "tool_evidence",
              "profile_overrides", "crawl_runs", "job_runs", "scores")
    dump = "SELECT * FROM {} ORDER BY rowid"  # sql: schema a raw dump of whole tables (every column), no store API
    return {t: [tuple(r) for r in store.query(dump.format(t))] for t in tables}


def test_every_shared_write_is_refused_to_a_viewer_by_the_services(populated_store):
    _path, settings, store = populated_store
    viewer = viewer_ctx(settings, store)
    aid = min(a.id for a in article_store.stored(store))
    tool = tools.tool_names(viewer)[0]
    feed_url = feed_store.all_feeds(store)[0].url  # the first by id
    opml = (b'<?xml version="1.0"?><opml version="2.0"><body>'
            b'<outline type="rss" xmlUrl="https://new.example.org/feed"/></body></opml>')
    before = _fingerprint(store)
    writes = {
        "feedback": lambda: stories.give_feedback(viewer, aid, "managers", True),
        "link evidence": lambda: stories.link_article_to_tool(viewer, aid, tool, "x"),
        "profile edit": lambda: profiles.save_profile(viewer, "managers", name="Managers!", interests=["x"]),
        "tool add": lambda: tools.add_tool(viewer, "Sneaky Tool", note="n"),
        "tool status": lambda: tools.set_status(viewer, tool, "adopted", "because"),
        "tool update": lambda: tools.update_tool(viewer, tool, note="n", description="changed"),
        "tool score": lambda: tools.set_score(viewer, tool, "cost", 3, "n"),
        "feed add": lambda: sources.add_feed(viewer, "https://new.example.org/feed"),
        "feed remove": lambda: sources.remove_feed(viewer, feed_url),
        "feed disable": lambda: sources.set_enabled(viewer, feed_url, False),
        "OPML import": lambda: sources.import_opml(viewer, opml),
        "crawl now": lambda: sources.crawl_now(viewer),
        "radar import": lambda: radar.import_byor(
            viewer, "name,ring,quadrant,isNew,description\nX,adopt,tools,TRUE,d\n", "csv"),
    }
    for what, write in writes.items():
        with pytest.raises(PermissionDenied):
            write()
        assert _fingerprint(store) == before, what


@pytest.fixture
def fresh_throttle():
    THROTTLE.reset()
    yield THROTTLE
    THROTTLE.reset()


def test_a_viewers_clicks_do_not_change_the_editors_digest(app_test, populated_store, fresh_throttle):
    _path, _settings, store = populated_store
    viewer = app_test("digest", auth=True, user=VIEWER)
    assert not viewer.exception
    key = next(b.key for b in viewer.button if b.key and b.key.startswith("read_list_"))[len("read_"):]
    aid = key[len("list_"):]  # the card's keys say where it is shown: "list_<article id>"
    assert viewer.button(key=f"read_{key}").label == "Mark read"
    viewer.button(key=f"read_{key}").click().run()
    viewer.button(key=f"save_{key}").click().run()
    assert not viewer.exception and not viewer.error
    assert viewer.button(key=f"read_{key}").label == "Mark unread"
    assert viewer.button(key=f"save_{key}").label == "Unsave"
    assert [r.user for r in story_store.state_rows(store, aid) if r.saved_at] == [VIEWER]

    editor = app_test("digest", auth=True, user=EDITOR)
    assert not editor.exception
    assert editor.button(key=f"read_{key}").label == "Mark read"
    assert editor.button(key=f"save_{key}").label == "Save"
    editor.button_group(key="digest_show").set_value("saved").run()
    assert f"save_{key}" not in {b.key for b in editor.button}


# --- sign-in throttling -------------------------------------------------------------------------------------


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _sign_in(at, name: str, password: str):
    at.text_input(key="veille_login_user").set_value(name)
    at.text_input(key="veille_login_password").set_value(password)
    next(b for b in at.button if b.key and b.key.startswith("FormSubmitter:veille_login-")).click().run()
    assert not at.exception
    return at


def test_sign_in_is_throttled_per_user_name_across_reloads(app_test, fresh_throttle, monkeypatch):
    clock = FakeMonotonic()
    monkeypatch.setattr(fresh_throttle, "clock", clock)
    at = app_test(auth=True)
    for _ in range(4):
        assert shown(_sign_in(at, EDITOR, "wrong password").error) == ["Wrong username or password."]
    assert shown(_sign_in(at, EDITOR, "wrong password").error) == \
        ["Too many attempts, try again in 30 s."]
    # the right password is refused too while the delay runs, and a reload (a new session) does not reset it
    clock.now += 10
    assert shown(_sign_in(at, EDITOR, PASSWORD).error) == ["Too many attempts, try again in 20 s."]
    reloaded = app_test(auth=True)
    assert shown(_sign_in(reloaded, EDITOR.upper(), PASSWORD).error) == \
        ["Too many attempts, try again in 20 s."]
    assert reloaded.title[0].value == "Sign in to veille"
    # once the delay is over one more attempt is allowed; failing it doubles the delay
    clock.now += 21
    assert shown(_sign_in(reloaded, EDITOR, "still wrong").error) == \
        ["Too many attempts, try again in 60 s."]
    clock.now += 61
    signed = _sign_in(app_test(auth=True), EDITOR, PASSWORD)
    assert not signed.error and signed.title[0].value == "Digest"
    # a success clears the count: the next mistake is an ordinary one
    again = app_test(auth=True)
    assert shown(_sign_in(again, EDITOR, "wrong password").error) == ["Wrong username or password."]


def test_sign_in_is_throttled_per_session_and_in_french(app_test, fresh_throttle, monkeypatch):
    monkeypatch.setattr(fresh_throttle, "clock", FakeMonotonic())
    at = app_test(auth=True, lang="fr")
    for i in range(5):  # a different (unknown) name each time: the session's count still grows
        _sign_in(at, f"guess{i}", "whatever-123")
    assert shown(_sign_in(at, EDITOR, PASSWORD).error) == \
        ["Trop de tentatives, réessayez dans 30 s."]
    assert at.title[0].value == "Connexion à veille"
    other = _sign_in(app_test(auth=True), EDITOR, PASSWORD)  # another session, a name not throttled
    assert not other.error and other.title[0].value == "Digest"


def test_throttle_delay_grows_then_caps_and_keys_are_bounded():
    clock = FakeMonotonic()
    throttle = LoginThrottle(clock, limit=3, base=10, cap=40)
    keys = ("user:a", "client:x")
    waits = []
    for _ in range(7):
        throttle.failed(keys)
        waits.append(throttle.wait(keys))
        clock.now += throttle.wait(keys)
    assert waits == [0, 0, 10, 20, 40, 40, 40]
    assert throttle.wait(("user:b", "client:y")) == 0
    throttle.succeeded(keys)
    assert throttle.wait(keys) == 0


# --- cookie key ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_veille_ui_refuses_a_short_cookie_key(tmp_config, key):
    path, _settings = tmp_config()
    result = run(path, "ui", env={"VEILLE_UI_COOKIE_KEY": key})
    assert result.exit_code == 2
    line = one_line(result)
    assert "VEILLE_UI_COOKIE_KEY" in line and f"({len(key)} characters)" in line


def test_the_app_refuses_a_short_cookie_key_and_takes_a_long_one(app_test, monkeypatch, fresh_throttle):
    monkeypatch.setenv("VEILLE_UI_COOKIE_KEY", "too-short-key")
    at = app_test(auth=True)
    assert not at.exception
    assert shown(at.error) == [
        "veille cannot start: VEILLE_UI_COOKIE_KEY is too short (13 characters): use at least 32 random "
        "characters (e.g. the output of `openssl rand -hex 32`), or unset it"]
    assert not at.text_input  # no sign-in form
    monkeypatch.setenv("VEILLE_UI_COOKIE_KEY", GOOD_KEY)
    signed = _sign_in(app_test(auth=True), EDITOR, PASSWORD)
    assert not signed.error and signed.title[0].value == "Digest"


# --- users file and auth path -------------------------------------------------------------------------------

BAD_USERS = {
    "no password": ("credentials:\n  usernames:\n    claire: {name: claire, roles: [editor]}\n", "has no password"),
    "empty password": ("credentials:\n  usernames:\n    claire: {password: '', roles: [editor]}\n",
                       "has no password"),
    "plain-text password": ("credentials:\n  usernames:\n    claire: {password: hunter22, roles: [editor]}\n",
                            "not a bcrypt hash"),
    "role not a list": ("credentials:\n  usernames:\n    claire: {password: 'HASH', roles: editor}\n",
                        "roles must be a list"),
    "unknown role": ("credentials:\n  usernames:\n    claire: {password: 'HASH', roles: [admin]}\n",
                     "roles must be a list"),
    "entry not a mapping": ("credentials:\n  usernames:\n    claire: editor\n", "must be a mapping"),
    "not a mapping": ("- claire\n- victor\n", "must be a mapping with credentials.usernames, not a list"),
    "usernames a list": ("credentials:\n  usernames: [claire]\n", "credentials.usernames must be a mapping"),
    "bad YAML": ("credentials: {usernames: [\n", "cannot read the users file"),
    "not UTF-8": ("credentials:\n  usernames:\n    cl\xe9ire: {}\n", "cannot read the users file"),
}


@pytest.mark.parametrize("case", list(BAD_USERS))
def test_a_malformed_users_file_is_one_line_exit_2_and_kept(tmp_config, case):
    import bcrypt

    path, settings = tmp_config(AUTH)
    text, message = BAD_USERS[case]
    text = text.replace("HASH", bcrypt.hashpw(b"long enough", bcrypt.gensalt(4)).decode())
    users = settings.resolve("users.yaml")
    users.write_bytes(text.encode("latin-1") if case == "not UTF-8" else text.encode())
    original = users.read_bytes()
    env = {"PW": "long enough password"}
    for args in (("users", "list"), ("users", "add", "bob", "--password-env", "PW"),
                 ("users", "init", "bob", "--password-env", "PW"), ("ui", "--host", "0.0.0.0")):
        result = run(path, *args, env=env)
        assert result.exit_code == 2, (args, result.output)
        line = one_line(result)
        assert str(users) in line and message in line, (args, line)
    assert users.read_bytes() == original
    assert sorted(p.name for p in users.parent.iterdir() if "users" in p.name) == ["users.yaml"]


def test_the_app_shows_a_malformed_users_file_as_one_line(app_test, populated_store):
    path, settings, _store = populated_store
    users = settings.resolve("users.yaml")
    users.write_text("credentials:\n  usernames:\n    claire: {name: claire, roles: [editor]}\n", encoding="utf-8")
    at = app_test(auth=True)
    assert not at.exception
    assert shown(at.error) == [
        f"veille cannot start: {users}: user 'claire' has no password: set one with "
        f"`veille users add claire --replace`"]


def test_auth_file_pointing_at_a_folder(tmp_config):
    path, settings = tmp_config(AUTH)
    folder = settings.resolve("users.yaml")
    folder.mkdir()
    (folder / "keep.txt").write_text("mine", encoding="utf-8")
    env = {"PW": "long enough password"}
    for args in (("users", "list"), ("users", "add", "bob", "--password-env", "PW"), ("ui", "--host", "0.0.0.0")):
        result = run(path, *args, env=env)
        assert result.exit_code == 2
        assert "is a folder" in one_line(result)
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("where", ["/proc/veille-no-such-dir/users.yaml", "/proc/veille-users.yaml", "file-parent"])
def test_users_add_into_an_unwritable_place(tmp_config, tmp_path, where):
    """/proc is read-only even for root (a chmod'ed folder is not, and these tests may run as root)."""
    if where == "file-parent":
        (tmp_path / "blocker").write_text("a file", encoding="utf-8")
        where = str(tmp_path / "blocker" / "users.yaml")
    path, _settings = tmp_config(f'[ui]\nauth_file = "{where}"\n')
    result = run(path, "users", "add", "bob", "--password-env", "PW", env={"PW": "long enough password"})
    assert result.exit_code == 2
    line = one_line(result)
    assert f"{where}: cannot write the users file (" in line
    assert not Path(where).exists()


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too big write then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_failed_write_never_truncates_the_users_file(tmp_config):
    """A real write failure (the file-size limit of a full disk) after the file exists: it stays as it was."""
    path, settings = tmp_config(AUTH)
    users = settings.resolve("users.yaml")
    add_user(users, EDITOR, PASSWORD, "editor")
    original = users.read_bytes()
    env = {**os.environ, "PW": "long enough password", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-m", "veille", "--config", str(path), "users", "add", "bob",
                           "--password-env", "PW"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                          preexec_fn=_limit_file_size(len(original) + 20))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write the users file" in lines[0], done.stderr
    assert users.read_bytes() == original
    assert sorted(p.name for p in users.parent.iterdir() if "users" in p.name) == ["users.yaml"]
    assert [a.name for a in __import__("ui.auth", fromlist=["list_users"]).list_users(users)] == [EDITOR]


def test_load_credentials_accepts_what_add_user_writes(tmp_path):
    from ui.auth import list_users, load_credentials

    users = tmp_path / "users.yaml"
    add_user(users, EDITOR, PASSWORD, "editor")
    add_user(users, VIEWER, PASSWORD, "viewer")
    assert [(a.name, a.role) for a in list_users(users)] == [(EDITOR, "editor"), (VIEWER, "viewer")]
    assert oct(users.stat().st_mode & 0o777) == "0o600"
    users.write_text("# only a comment\n", encoding="utf-8")
    assert load_credentials(users) == {"usernames": {}}
    users.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_credentials(users)
